import { execFile } from "node:child_process";
import { chmod, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseVaultId, readVaultPasswords, vaultIdSpecs } from "../../lib/inventory/vault-passwords.js";
import { rejected } from "./fixtures.js";

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "bosun-vault-pw-"));
  await writeFile(join(dir, "pass.txt"), "  file-password \n\n");
  await writeFile(join(dir, "empty.txt"), "\n");
  await writeFile(join(dir, "script.sh"), "#!/bin/sh\nprintf 'script-password\\n'\n");
  await writeFile(join(dir, "failing.sh"), "#!/bin/sh\necho 'no keyring' >&2\nexit 3\n");
  // A vault client script (name ends in -client) is asked for one vault id; exit 2 means "none for that id".
  await writeFile(
    join(dir, "keyring-client.sh"),
    '#!/bin/sh\n[ "$1" = --vault-id ] || exit 9\n[ "$2" = prod ] && { echo "client-$2"; exit 0; }\nexit 2\n',
  );
  for (const f of ["script.sh", "failing.sh", "keyring-client.sh"]) await chmod(join(dir, f), 0o755);
});
afterAll(() => rm(dir, { recursive: true, force: true }));

const noEnv = { env: {} };

describe("vault password sources", () => {
  test("label@source splits at the first @ and a bare source is the default label", () => {
    expect(parseVaultId("prod@~/.vault/prod")).toMatchObject({ id: "prod", source: "~/.vault/prod" });
    expect(parseVaultId("pass.txt")).toMatchObject({ id: "default", source: "pass.txt" });
    expect(() => parseVaultId("prod@")).toThrow("Cannot use --vault-id prod@: expected LABEL@SOURCE");
  });

  test("order follows Ansible: ANSIBLE_VAULT_IDENTITY_LIST, --vault-id, --vault-password-file, ANSIBLE_VAULT_PASSWORD_FILE, --ask-vault-pass", () => {
    const specs = vaultIdSpecs({
      vaultIds: ["prod@p.txt", "dev@prompt"],
      passwordFiles: ["f.txt"],
      askVaultPass: true,
      env: { ANSIBLE_VAULT_PASSWORD_FILE: "env.txt", ANSIBLE_VAULT_IDENTITY_LIST: "ops@ops.txt, list.txt" },
    });
    expect(specs.map((s) => `${s.id}@${s.source}`)).toEqual([
      "ops@ops.txt",
      "default@list.txt",
      "prod@p.txt",
      "dev@prompt",
      "default@f.txt",
      "default@env.txt",
      "default@prompt_ask_vault_pass",
    ]);
  });

  test("a password file is read with surrounding whitespace stripped", async () => {
    const [secret] = await readVaultPasswords({ passwordFiles: ["pass.txt"], cwd: dir, ...noEnv });
    expect(secret?.password.toString()).toBe("file-password");
    expect(secret?.source).toBe("--vault-password-file pass.txt");
  });

  test("an executable password file is run and its stdout is the password", async () => {
    const [secret] = await readVaultPasswords({ vaultIds: ["ops@script.sh"], cwd: dir, ...noEnv });
    expect(secret).toMatchObject({ id: "ops" });
    expect(secret?.password.toString()).toBe("script-password");
  });

  test("a client script is asked for its vault id, and exit 2 says it has none for that id", async () => {
    const [secret] = await readVaultPasswords({ vaultIds: ["prod@keyring-client.sh"], cwd: dir, ...noEnv });
    expect(secret?.password.toString()).toBe("client-prod");
    const error = await rejected(readVaultPasswords({ vaultIds: ["dev@keyring-client.sh"], cwd: dir, ...noEnv }));
    expect(error.message).toBe(
      'Cannot read the vault password from --vault-id dev@keyring-client.sh: the script found no password for vault id "dev" (exit 2)',
    );
  });

  test("a failing script, a missing file and an empty password are errors naming the source", async () => {
    expect((await rejected(readVaultPasswords({ passwordFiles: ["failing.sh"], cwd: dir, ...noEnv }))).message).toBe(
      "Cannot read the vault password from --vault-password-file failing.sh: the script exited with 3",
    );
    expect((await rejected(readVaultPasswords({ passwordFiles: ["missing.txt"], cwd: dir, ...noEnv }))).message).toBe(
      `Cannot read the vault password from --vault-password-file missing.txt: ${join(dir, "missing.txt")} does not exist`,
    );
    expect((await rejected(readVaultPasswords({ env: { ANSIBLE_VAULT_PASSWORD_FILE: "empty.txt" }, cwd: dir }))).message).toBe(
      "Cannot use the vault password from ANSIBLE_VAULT_PASSWORD_FILE=empty.txt: it is empty",
    );
  });

  test("--ask-vault-pass and label@prompt ask with Ansible's questions", async () => {
    const questions: string[] = [];
    const prompt = async (q: string): Promise<string> => {
      questions.push(q);
      return `typed-${questions.length}`;
    };
    const secrets = await readVaultPasswords({ vaultIds: ["prod@prompt"], askVaultPass: true, prompt, ...noEnv });
    expect(questions).toEqual(["Vault password (prod): ", "Vault password: "]);
    expect(secrets.map((s) => [s.id, s.password.toString()])).toEqual([
      ["prod", "typed-1"],
      ["default", "typed-2"],
    ]);
  });

  test("without a terminal the prompt reads one line of stdin and asks on stderr", async () => {
    const script = join(dir, "prompt.mts");
    const prompt = fileURLToPath(new URL("../../lib/inventory/vault-prompt.ts", import.meta.url));
    await writeFile(
      script,
      `import { promptHidden } from ${JSON.stringify(prompt)};\nprocess.stdout.write(JSON.stringify(await promptHidden("Vault password: ")));\n`,
    );
    const { stdout, stderr } = await new Promise<{ stdout: string; stderr: string }>((resolve, reject) => {
      // controller-tools: node (the prompt in a child process)
      const child = execFile(
        process.execPath,
        ["--import", "tsx", script],
        { cwd: fileURLToPath(new URL("../..", import.meta.url)) },
        (error, out, err) => (error ? reject(error) : resolve({ stdout: out, stderr: err })),
      );
      child.stdin?.end("piped pw\nsecond line\n");
    });
    expect(stdout).toBe('"piped pw"');
    expect(stderr).toBe("Vault password: \n");
  }, 60_000);
});
