import { InventoryError } from "../../lib/core/errors.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import { BOSUN_VARS } from "../../lib/inventory/known-vars.js";
import { setWarningSink } from "../../lib/inventory/warnings.js";
import { FIXTURES, rejected, thrown } from "./fixtures.js";

const load = (path: string) => rejected(loadInventory(path, { cwd: FIXTURES }));

describe("inventory errors", () => {
  test("a YAML syntax error names the file and the line:column", async () => {
    const error = await load("broken/syntax-error");
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(/^broken\/syntax-error:5:5: YAML syntax error: /);
  });

  test("an unknown key in a group loads with Ansible's warning and is skipped", async () => {
    const warnings: string[] = [];
    const previous = setWarningSink((m) => warnings.push(m));
    try {
      const inventory = await loadInventory("broken/unknown-key.yml", { cwd: FIXTURES });
      expect(inventory.groups.get("app")).toEqual(["web1"]);
      expect(warnings).toEqual(['Skipping unexpected key (hostz) in group (app), only "vars", "children" and "hosts" are valid']);
      expect(inventory.warnings).toEqual(warnings);
    } finally {
      setWarningSink(previous);
    }
  });

  test("a value of the wrong type names file, line:column, path, what was expected and what was found", async () => {
    const error = await load("broken/wrong-type.yml");
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'broken/wrong-type.yml:7:25 all.children.app.hosts.web1.ansible_port: must be a port number from 1 to 65535 (got "twenty-two")',
    );
  });

  test("an unset !env in a connection setting loads, and reading the host's settings names the host, the variable, the environment variable and the tag's place", async () => {
    delete process.env.BOSUN_TEST_SURELY_UNSET;
    const inventory = await loadInventory("broken/env-unset.yml", { cwd: FIXTURES });
    const error = thrown(() => inventory.hosts.get("web1")!.become);
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'Cannot read the become settings of host "web1": Cannot use variable "ansible_become_password": environment variable "BOSUN_TEST_SURELY_UNSET" is not set (!env at broken/env-unset.yml:5:37)',
    );
  });

  test("every problem of a file is reported, one line each, in source order", () => {
    const text = [
      "all:",
      "  hosts:",
      "    web1:",
      "      bosun_conect_timeout: 5",
      "      ansible_become: maybe",
      "      ansible_port: 0",
    ].join("\n");
    const lines = thrown(() => parseInventory(text, "inventory/x.yml")).message.split("\n");
    expect(lines).toEqual([
      `inventory/x.yml:4:7 all.hosts.web1.bosun_conect_timeout: unknown bosun variable "bosun_conect_timeout" (known: ${Object.keys(BOSUN_VARS).join(", ")})`,
      'inventory/x.yml:5:23 all.hosts.web1.ansible_become: must be a boolean (true/false, yes/no) (got "maybe")',
      "inventory/x.yml:6:21 all.hosts.web1.ansible_port: must be a port number from 1 to 65535 (got 0)",
    ]);
  });

  test("a list where a mapping of hosts belongs is an error at that key, with Ansible's words", () => {
    const error = thrown(() => parseInventory("all:\n  hosts: [web1, web2]\n", "inventory/x.yml"));
    expect(error.message).toBe(
      'inventory/x.yml:2:10 all.hosts: Invalid "hosts" entry for "all" group, requires a dictionary, found list instead',
    );
  });

  test("hosts written as a plain string load as that one host, as in Ansible", () => {
    const inventory = parseInventory("web:\n  hosts: 192.168.0.2\n", "inventory/x.yml");
    expect(inventory.groups.get("web")).toEqual(["192.168.0.2"]);
  });

  test("a group that is not a mapping is skipped with Ansible's warning", () => {
    const warnings: string[] = [];
    const previous = setWarningSink((m) => warnings.push(m));
    try {
      const inventory = parseInventory("web: [a, b]\ndb:\n  hosts: { db1: }\n", "inventory/x.yml");
      expect([...inventory.hosts.keys()]).toEqual(["db1"]);
      expect(warnings).toEqual(["Skipping 'web' as this is not a valid group definition"]);
    } finally {
      setWarningSink(previous);
    }
  });

  test("a host name with a dot is quoted in the path", () => {
    const error = thrown(() => parseInventory("all:\n  hosts:\n    web1.example.org:\n      ansible_user: ''\n", "inventory/x.yml"));
    expect(error.message).toBe('inventory/x.yml:4:21 all.hosts["web1.example.org"].ansible_user: must be a non-empty string (got "")');
  });

  test("a group that is its own ancestor is an error at the child key", () => {
    const text = "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n";
    expect(thrown(() => parseInventory(text, "inventory/x.yml")).message).toBe(
      "inventory/x.yml:5:9 all.children.a.children.b: Adding group 'b' as child to 'a' creates a recursive dependency loop.",
    );
  });

  test("an Ansible !vault value that is not vault text is an error at the value", () => {
    const error = thrown(() => parseInventory("all:\n  vars:\n    pw: !vault abc\n", "inventory/x.yml"));
    expect(error.message).toBe(
      "inventory/x.yml:3:9: Cannot decrypt the !vault value: not vault text (it does not start with $ANSIBLE_VAULT;)",
    );
  });

  test("an unknown tag is refused with the tags bosun understands", () => {
    const error = thrown(() => parseInventory("all:\n  vars:\n    pw: !secret abc\n", "inventory/x.yml"));
    expect(error.message).toBe("inventory/x.yml:3:9: unknown tag !secret (bosun understands !env NAME, !file path and !unsafe)");
  });

  test("a bad host range is an error at the host key", () => {
    const error = thrown(() => parseInventory("all:\n  hosts:\n    web[c:a]:\n", "inventory/x.yml"));
    expect(error.message).toBe(
      'inventory/x.yml:3:5 all.hosts["web[c:a]"]: Cannot expand host range in "web[c:a]": the start is after the end',
    );
  });

  test("a numeric range that runs backwards gives no host, as in Ansible", () => {
    expect(parseInventory("all:\n  hosts:\n    web[9:1]:\n", "inventory/x.yml").hosts.size).toBe(0);
  });

  test("a password of the wrong type is reported without its value", () => {
    const error = thrown(() => parseInventory("all:\n  vars:\n    ansible_become_password: 731952\n", "inventory/x.yml"));
    expect(error.message).toBe("inventory/x.yml:3:30 all.vars.ansible_become_password: must be a string (quote numbers) (got a number)");
  });
});
