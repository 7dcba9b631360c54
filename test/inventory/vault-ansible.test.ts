/**
 * Cross-check with Ansible itself: files encrypted now by Debian's `ansible-vault` (a controller
 * prerequisite, see lib/lab/controller-tools.ts) load in bosun, and what bosun encrypts
 * `ansible-vault view` reads.
 */
import { execFile } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { mask } from "../../lib/core/secrets.js";
import { loadInventory } from "../../lib/inventory/load.js";
import { encryptVaultText } from "../../lib/inventory/vault-cipher.js";
import { useVaultSecrets } from "../../lib/inventory/vault-keyring.js";
import { readVaultPasswords } from "../../lib/inventory/vault-passwords.js";

const run = promisify(execFile);
let dir: string;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bosun-vault-x-"));
  await mkdir(join(dir, "group_vars"));
  await mkdir(join(dir, "host_vars"));
  await writeFile(join(dir, "default.pw"), "default-pw-7d1\n");
  await writeFile(join(dir, "prod.pw"), "prod-pw-3a9\n");
  await writeFile(join(dir, "hosts.yml"), "webservers:\n  hosts:\n    web1:\n");
  await writeFile(join(dir, "group_vars/webservers.yml"), 'db_password: "group-secret-41ab"\nworkers: 4\n');
}, 60_000);
afterAll(() => rm(dir, { recursive: true, force: true }));
afterEach(() => useVaultSecrets([]));

test("a group_vars file and an inline !vault encrypted by ansible-vault load in bosun and are masked", async () => {
  await run("ansible-vault", ["encrypt", "--vault-password-file", "default.pw", "group_vars/webservers.yml"], { cwd: dir });
  const inline = await run("ansible-vault", ["encrypt_string", "--vault-id", "prod@prod.pw", "inline-secret-58cd", "--name", "api_token"], {
    cwd: dir,
  });
  await writeFile(join(dir, "host_vars/web1.yml"), `ansible_host: 192.0.2.10\n${inline.stdout}\n`);
  expect((await readFile(join(dir, "group_vars/webservers.yml"), "utf8")).startsWith("$ANSIBLE_VAULT;1.1;AES256\n")).toBe(true);
  expect(inline.stdout).toContain("$ANSIBLE_VAULT;1.2;AES256;prod");

  useVaultSecrets(await readVaultPasswords({ vaultIds: ["prod@prod.pw"], passwordFiles: ["default.pw"], cwd: dir, env: {} }));
  const inventory = await loadInventory(join(dir, "hosts.yml"), { cwd: dir });
  const vars = inventory.hosts.get("web1")?.vars;
  expect(vars).toMatchObject({ db_password: "group-secret-41ab", workers: 4, api_token: "inline-secret-58cd", ansible_host: "192.0.2.10" });
  expect(mask("group-secret-41ab inline-secret-58cd default-pw-7d1 prod-pw-3a9")).toBe("*** *** *** ***");
}, 60_000);

test("ansible-vault view reads what bosun encrypts (1.1 and 1.2 with a vault id)", async () => {
  await writeFile(join(dir, "by-bosun-11.yml"), encryptVaultText("made: by-bosun\n", Buffer.from("default-pw-7d1")));
  await writeFile(join(dir, "by-bosun-12.yml"), encryptVaultText("made: with-id\n", Buffer.from("prod-pw-3a9"), { vaultId: "prod" }));
  const v11 = await run("ansible-vault", ["view", "--vault-password-file", "default.pw", "by-bosun-11.yml"], { cwd: dir });
  const v12 = await run("ansible-vault", ["view", "--vault-id", "prod@prod.pw", "by-bosun-12.yml"], { cwd: dir });
  expect(v11.stdout).toBe("made: by-bosun\n");
  expect(v12.stdout).toBe("made: with-id\n");
}, 60_000);
