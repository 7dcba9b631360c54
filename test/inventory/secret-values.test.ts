import { mask, registeredSecrets } from "../../lib/core/secrets.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { parseInventory } from "../../lib/inventory/parse.js";
import type { InventoryHost } from "../../lib/inventory/types.js";
import { requireSet, UnsetEnv } from "../../lib/core/unset-env.js";
import { defineTask } from "../../lib/core/task.js";
import { FIXTURES, thrown } from "./fixtures.js";

const env = { BOSUN_TEST_ENV_TAG: "env-tag-s3cr3t", BOSUN_TEST_ENV_LOOKUP: "env-lookup-s3cr3t" };

async function vault1(): Promise<InventoryHost> {
  const inventory = await loadInventory("secrets", { cwd: FIXTURES, env });
  return inventory.hosts.get("vault1") as InventoryHost;
}

describe("secret values in inventories", () => {
  test("!env NAME reads the environment and the value is masked in output", async () => {
    const host = await vault1();
    expect(host.vars.from_env_tag).toBe("env-tag-s3cr3t");
    expect(mask("token=env-tag-s3cr3t")).toBe("token=***");
  });

  test("!file path reads a file relative to the inventory, without trailing newlines, and masks it", async () => {
    const host = await vault1();
    expect(host.vars.from_file_tag).toBe("file-secret-s3cr3t");
    expect(mask("pw file-secret-s3cr3t")).toBe("pw ***");
  });

  test("lookup('env', NAME) reads the environment and the value is masked in output", async () => {
    const host = await vault1();
    expect(host.vars.from_env_lookup).toBe("env-lookup-s3cr3t");
    expect(registeredSecrets()).toContain("env-lookup-s3cr3t");
    expect(mask("env-lookup-s3cr3t")).toBe("***");
  });

  test('lookup("file", path) reads a file relative to the inventory', async () => {
    const host = await vault1();
    expect(host.vars.from_file_lookup).toBe("file-secret-s3cr3t");
  });

  test("an !unsafe string is kept literally, lookups and all", async () => {
    const host = await vault1();
    expect(host.vars.literal).toBe("{{ lookup('env', 'BOSUN_TEST_ENV_TAG') }}");
  });

  test("plain passwords in the inventory are masked even without !env or !file", async () => {
    await vault1();
    expect(mask("ssh plain-ssh-password sudo plain-sudo-password")).toBe("ssh *** sudo ***");
  });

  test("a lookup inside a longer string is replaced in place", () => {
    const text = "all:\n  hosts:\n    web1:\n      url: \"https://user:{{ lookup('env', 'BOSUN_TEST_URL_PW') }}@example.org\"\n";
    const inventory = parseInventory(text, "inventory/x.yml", { env: { BOSUN_TEST_URL_PW: "url-pw-s3cr3t" } });
    expect(inventory.hosts.get("web1")?.vars.url).toBe("https://user:url-pw-s3cr3t@example.org");
    expect(mask("https://user:url-pw-s3cr3t@example.org")).toBe("https://user:***@example.org");
  });

  test("an unset lookup('env') is an error with file, line:column and path", () => {
    const text = "all:\n  hosts:\n    web1:\n      pw: \"{{ lookup('env', 'BOSUN_TEST_NOT_SET') }}\"\n";
    expect(thrown(() => parseInventory(text, "inventory/x.yml", { env: {} })).message).toBe(
      `inventory/x.yml:4:11 all.hosts.web1.pw: Cannot read lookup('env', 'BOSUN_TEST_NOT_SET'): environment variable "BOSUN_TEST_NOT_SET" is not set`,
    );
  });

  test("a missing !file is an error with file, line:column and path", () => {
    const text = "all:\n  vars:\n    pw: !file secrets/none\n";
    const message = thrown(() => parseInventory(text, "/srv/inventory/x.yml")).message;
    expect(message).toBe(
      "/srv/inventory/x.yml:3:15 all.vars.pw: Cannot read !file secrets/none: cannot read /srv/inventory/secrets/none: ENOENT",
    );
  });

  test("an unset !env does not fail the load: it fails where it is used, naming the variable and the tag's place", () => {
    const text = "all:\n  hosts:\n    web1:\n      tokens:\n        - ok\n        - !env BOSUN_TEST_NOT_SET\n";
    const vars = parseInventory(text, "inventory/x.yml", { env: {} }).hosts.get("web1")!.vars;
    const tokens = vars.tokens as unknown[];
    expect(tokens[1]).toBeInstanceOf(UnsetEnv);
    expect(() => `${tokens[1] as string}`).toThrow(
      'Cannot use an inventory value: environment variable "BOSUN_TEST_NOT_SET" is not set (!env at inventory/x.yml:6:16)',
    );
    expect(() => requireSet(vars.tokens, "tokens")).toThrow(/Cannot use variable "tokens\.1": environment variable/);
    const task = defineTask<{ token: string }>({
      id: "test.token",
      title: () => "token",
      schema: { type: "object", properties: { token: { type: "string" } } },
      check: async () => ({ changed: false }),
    });
    expect(() => task({ token: tokens[1] as string })).toThrow(
      'Cannot use test.token: parameter "token": environment variable "BOSUN_TEST_NOT_SET" is not set (!env at inventory/x.yml:6:16)',
    );
  });
});
