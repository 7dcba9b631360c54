/**
 * Vault through the CLI: a group_vars file and an inline !vault made by ansible-vault (the files of
 * test/fixtures/vault) load with --vault-password-file and --vault-id, a .j2 template writes the
 * secrets to a file on a local host, and no output (-vvv, --json, --diff) shows them.
 */
import { copyFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { runCli } from "../../lib/cli/main.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { templateFile } from "../../lib/tasks/files/index.js";
import { Capture } from "../cli/fixtures.js";

const VAULT = fileURLToPath(new URL("../fixtures/vault/", import.meta.url));
const SECRETS = ["db-s3cret-from-vault", "inline-prod-token-123", "key-one-abcdef"];

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bosun-vault-cli-"));
  await mkdir(join(dir, "inventory/group_vars/all"), { recursive: true });
  await mkdir(join(dir, "inventory/host_vars"));
  // The encrypted files exactly as ansible-vault wrote them; the host is this machine (local connection).
  await copyFile(join(VAULT, "project/group_vars/all/vault.yml"), join(dir, "inventory/group_vars/all/vault.yml"));
  const inline = (await readFile(join(VAULT, "project/host_vars/web1.yml"), "utf8")).replace(/^ansible_host: .*\n/m, "");
  await writeFile(join(dir, "inventory/host_vars/web1.yml"), inline);
  // controller-tools: sh (templateFile's commands on the local host)
  await writeFile(join(dir, "inventory/hosts.yml"), "all:\n  hosts:\n    web1:\n      ansible_connection: local\n");
  await writeFile(join(dir, "app.conf.j2"), "db={{ vault_db_password }}\ntoken={{ api_token }}\nkeys={{ vault_api_keys | join(',') }}\n");
  await copyFile(join(VAULT, "vault-pass.txt"), join(dir, "vault-pass.txt"));
  await copyFile(join(VAULT, "prod-pass.txt"), join(dir, "prod-pass.txt"));
});
afterAll(() => rm(dir, { recursive: true, force: true }));

function book(dest: string): Playbook {
  return {
    name: "vault",
    options: {},
    plays: [
      {
        name: "vault",
        hosts: "all",
        options: {},
        run: async (host) => void (await host.run(templateFile({ src: join(dir, "app.conf.j2"), dest }))),
      },
    ],
  };
}

async function cli(dest: string, extra: string[]): Promise<{ code: number; text: string }> {
  const out = new Capture();
  const err = new Capture();
  const argv = ["-i", "inventory/hosts.yml", "--vault-password-file", "vault-pass.txt", "--vault-id", "prod@prod-pass.txt", ...extra];
  const code = await runCli(book(dest), argv, { stdout: out, stderr: err, cwd: dir, handleSignals: false });
  return { code, text: out.text + err.text };
}

test.each([
  ["-vvv and --diff", ["-vvv", "--diff"]],
  ["--json and --diff", ["--json", "--diff"]],
  ["--diff", ["--diff"]],
])("the decrypted values reach the file but no output with %s", async (_what, extra) => {
  const dest = join(dir, `app-${extra.join("").replace(/\W/g, "")}.conf`);
  const { code, text } = await cli(dest, extra);
  expect(code).toBe(0);
  expect(await readFile(dest, "utf8")).toBe("db=db-s3cret-from-vault\ntoken=inline-prod-token-123\nkeys=key-one-abcdef,key-two-ghijkl\n");
  expect(text).toContain("+db=***");
  for (const secret of SECRETS) expect(text).not.toContain(secret);
});

test("a wrong vault password stops the run before anything runs, naming the file and the vault id", async () => {
  await writeFile(join(dir, "wrong.txt"), "not-the-password\n");
  const out = new Capture();
  const err = new Capture();
  const argv = ["-i", "inventory/hosts.yml", "--vault-password-file", "wrong.txt", "--vault-id", "prod@prod-pass.txt"];
  const code = await runCli(book(join(dir, "never.conf")), argv, { stdout: out, stderr: err, cwd: dir, handleSignals: false });
  expect(code).toBe(1);
  expect(err.text).toContain(
    'Cannot decrypt inventory/group_vars/all/vault.yml: no vault password matches; tried vault id "prod" (--vault-id prod@prod-pass.txt), "default" (--vault-password-file wrong.txt)',
  );
  expect(err.text).toContain("hint: give the vault password with --ask-vault-pass");
});
