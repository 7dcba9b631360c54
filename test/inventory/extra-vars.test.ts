import { InventoryError } from "../../lib/core/errors.js";
import { mask } from "../../lib/core/secrets.js";
import { parseExtraVars } from "../../lib/inventory/extra-vars.js";
import { FIXTURES, thrown } from "./fixtures.js";

const parse = (...args: string[]) => parseExtraVars(args, FIXTURES);

describe("parseExtraVars()", () => {
  test.each<[string, object]>([
    ["version=1.4", { version: "1.4" }],
    ["a=1 b=true", { a: "1", b: "true" }],
    [`msg="hello world" other='it is'`, { msg: "hello world", other: "it is" }],
    ["url=https://example.org/?a=b", { url: "https://example.org/?a=b" }],
    ["empty=", { empty: "" }],
    ['{"replicas": 3, "debug": false, "list": [1, 2]}', { replicas: 3, debug: false, list: [1, 2] }],
    ["{replicas: 3, name: web}", { replicas: 3, name: "web" }],
    ["@vars/extra.yml", { release: "1.4", replicas: 3, features: ["a", "b"] }],
    ["@vars/extra.json", { release: "2.0", debug: false }],
  ])("parseExtraVars([%j]) is %j", (arg, expected) => {
    expect(parse(arg)).toEqual(expected);
  });

  test("later -e arguments win over earlier ones", () => {
    expect(parse("@vars/extra.yml", "release=9 extra=1", '{"replicas": 5}')).toEqual({
      release: "9",
      replicas: 5,
      features: ["a", "b"],
      extra: "1",
    });
  });

  test("values from -e files are not secrets unless tagged !env", () => {
    process.env.BOSUN_TEST_EXTRA_TOKEN = "extra-token-s3cr3t";
    try {
      expect(parse("@vars/secret.yml")).toEqual({ plain_value: "not-a-secret-value", api_token: "extra-token-s3cr3t" });
      expect(mask("not-a-secret-value extra-token-s3cr3t")).toBe("not-a-secret-value ***");
    } finally {
      delete process.env.BOSUN_TEST_EXTRA_TOKEN;
    }
  });

  test("a password variable given with -e k=v is masked", () => {
    parse("ansible_become_password=sudo-from-cli");
    expect(mask("sudo-from-cli")).toBe("***");
  });

  test("an argument that is not key=value says what -e accepts", () => {
    const error = thrown(() => parse("a=1 oops"));
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'Cannot read -e "a=1 oops": "oops" is not key=value; -e takes key=value pairs, a JSON/YAML mapping or @file',
    );
  });

  test("a wrong type in a -e file names the file, line:column and variable", () => {
    expect(thrown(() => parse("@vars/bad-type.yml")).message).toBe(
      "-e @vars/bad-type.yml:2:15 ansible_port: must be a port number from 1 to 65535 (got 99999)",
    );
  });

  test("a wrong type in -e k=v names the argument and the variable", () => {
    expect(thrown(() => parse("ansible_port=ssh")).message).toBe(
      '-e "ansible_port=ssh" ansible_port: must be a port number from 1 to 65535 (got "ssh")',
    );
  });

  test("a -e file that is a list is refused", () => {
    expect(thrown(() => parse("@vars/list.yml")).message).toBe(
      "-e @vars/list.yml:1:1: extra vars must be a mapping of variable names to values",
    );
  });

  test("a missing -e file is an error naming it", () => {
    expect(thrown(() => parse("@vars/none.yml")).message).toBe(`Cannot read -e @vars/none.yml: ENOENT (${FIXTURES}vars/none.yml)`);
  });

  test("a YAML syntax error in inline -e names the argument and position", () => {
    expect(thrown(() => parse("{a: [1, 2}")).message).toMatch(/^-e '\{a: \[1, 2\}':1:\d+: YAML syntax error: /);
  });
});
