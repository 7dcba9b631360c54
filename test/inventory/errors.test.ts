import { InventoryError } from "../../lib/core/errors.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import { FIXTURES, rejected, thrown } from "./fixtures.js";

const load = (path: string) => rejected(loadInventory(path, { cwd: FIXTURES }));

describe("inventory errors", () => {
  test("a YAML syntax error names the file and the line:column", async () => {
    const error = await load("broken/syntax-error");
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toMatch(/^broken\/syntax-error:5:5: YAML syntax error: /);
  });

  test("an unknown key in a group names file, line:column, path and the keys expected", async () => {
    const error = await load("broken/unknown-key.yml");
    expect(error).toBeInstanceOf(InventoryError);
    expect(error.message).toBe(
      'broken/unknown-key.yml:6:7 all.children.app.hostz: unknown key "hostz": a group has only hosts, vars, children',
    );
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
      'inventory/x.yml:4:7 all.hosts.web1.bosun_conect_timeout: unknown bosun variable "bosun_conect_timeout" (known: bosun_known_hosts, bosun_host_key_checking, bosun_connect_timeout, bosun_connect_retries, bosun_jump_host, bosun_ssh_key_passphrase, bosun_shell_session)',
      'inventory/x.yml:5:23 all.hosts.web1.ansible_become: must be a boolean (true/false, yes/no) (got "maybe")',
      "inventory/x.yml:6:21 all.hosts.web1.ansible_port: must be a port number from 1 to 65535 (got 0)",
    ]);
  });

  test("a list where a mapping of hosts belongs is an error at that key", () => {
    const error = thrown(() => parseInventory("all:\n  hosts: [web1, web2]\n", "inventory/x.yml"));
    expect(error.message).toBe(
      "inventory/x.yml:2:10 all.hosts: must be a mapping of host names to their variables (or nothing) (got a list)",
    );
  });

  test("a host name with a dot is quoted in the path", () => {
    const error = thrown(() => parseInventory("all:\n  hosts:\n    web1.example.org:\n      ansible_user: ''\n", "inventory/x.yml"));
    expect(error.message).toBe('inventory/x.yml:4:21 all.hosts["web1.example.org"].ansible_user: must be a non-empty string (got "")');
  });

  test("a group that is its own ancestor is an error at the child key", () => {
    const text = "all:\n  children:\n    a:\n      children:\n        b:\n          children:\n            a:\n";
    expect(thrown(() => parseInventory(text, "inventory/x.yml")).message).toBe(
      'inventory/x.yml:7:13 all.children.a.children.b.children.a: Cannot make group "a" a child of "b": "a" is already its parent or ancestor',
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
    const error = thrown(() => parseInventory("all:\n  hosts:\n    web[9:1]:\n", "inventory/x.yml"));
    expect(error.message).toBe('inventory/x.yml:3:5 all.hosts["web[9:1]"]: Cannot expand host range [9:1]: the start is after the end');
  });

  test("a password of the wrong type is reported without its value", () => {
    const error = thrown(() => parseInventory("all:\n  vars:\n    ansible_become_password: 731952\n", "inventory/x.yml"));
    expect(error.message).toBe("inventory/x.yml:3:30 all.vars.ansible_become_password: must be a string (quote numbers) (got a number)");
  });
});
