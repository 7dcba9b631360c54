/**
 * Vault passwords from the sources ansible-playbook takes, in Ansible's order: the entries of
 * `ANSIBLE_VAULT_IDENTITY_LIST`, every `--vault-id [label@]source` as given, then every
 * `--vault-password-file` and `ANSIBLE_VAULT_PASSWORD_FILE` (label `default`), then
 * `--ask-vault-pass` (a prompt without echo).
 * A source is `prompt`, a file (its content, surrounding whitespace stripped) or an executable
 * script (its stdout without trailing newlines; a script named `*-client` or `*-client.EXT` is run
 * with `--vault-id LABEL`, as Ansible runs vault client scripts).
 */
import { execFile } from "node:child_process";
import { access, constants, readFile, stat } from "node:fs/promises";
import { basename, extname } from "node:path";
import { BosunError } from "../core/errors.js";
import { resolveUserPath } from "./paths.js";
import { VAULT_PASSWORD_HINT, type VaultSecret } from "./vault-keyring.js";
import { promptHidden } from "./vault-prompt.js";

/** Where the vault passwords of a run come from (the CLI's options). */
export interface VaultPasswordOptions {
  /** `--vault-id` values, in order: `label@source`, or just `source` for label `default`. */
  readonly vaultIds?: readonly string[];
  /** `--vault-password-file` values, in order. */
  readonly passwordFiles?: readonly string[];
  /** `--ask-vault-pass`: prompt for the `default` password. */
  readonly askVaultPass?: boolean;
  /** Environment for `ANSIBLE_VAULT_PASSWORD_FILE` and `ANSIBLE_VAULT_IDENTITY_LIST` (process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Directory relative paths start at (process.cwd()). */
  readonly cwd?: string;
  /** Asks for a password without echo; the terminal prompt by default (tests pass their own). */
  readonly prompt?: (question: string) => Promise<string>;
}

/** One `[label@]source`, as Ansible splits it. */
export interface VaultIdSpec {
  /** The label, `default` when none was given. */
  readonly id: string;
  /** `prompt`, `prompt_ask_vault_pass` or a path. */
  readonly source: string;
  /** How the user wrote it, for messages. */
  readonly given: string;
}

/** The label of passwords given without one. */
export const DEFAULT_VAULT_ID = "default";

/** Split `label@source` (a source without `@` gets label `default`). */
export function parseVaultId(text: string, given = `--vault-id ${text}`): VaultIdSpec {
  const at = text.indexOf("@");
  if (at < 0) return { id: DEFAULT_VAULT_ID, source: text, given };
  const id = text.slice(0, at);
  const source = text.slice(at + 1);
  if (!id || !source) throw new BosunError(`Cannot use ${given}: expected LABEL@SOURCE (SOURCE is a file, a script or "prompt")`);
  return { id, source, given };
}

/** The vault ids in Ansible's order of precedence (see the file comment). */
export function vaultIdSpecs(options: VaultPasswordOptions): VaultIdSpec[] {
  const env = options.env ?? process.env;
  // ANSIBLE_VAULT_IDENTITY_LIST (comma-separated) comes before the --vault-id options, as in Ansible.
  const fromList = (env.ANSIBLE_VAULT_IDENTITY_LIST ?? "")
    .split(",")
    .map((v) => v.trim())
    .filter(Boolean)
    .map((v) => parseVaultId(v, `ANSIBLE_VAULT_IDENTITY_LIST entry ${v}`));
  const specs = [...fromList, ...(options.vaultIds ?? []).map((v) => parseVaultId(v))];
  for (const file of options.passwordFiles ?? [])
    specs.push({ id: DEFAULT_VAULT_ID, source: file, given: `--vault-password-file ${file}` });
  const fromEnv = env.ANSIBLE_VAULT_PASSWORD_FILE;
  if (fromEnv) specs.push({ id: DEFAULT_VAULT_ID, source: fromEnv, given: `ANSIBLE_VAULT_PASSWORD_FILE=${fromEnv}` });
  if (options.askVaultPass) specs.push({ id: DEFAULT_VAULT_ID, source: "prompt_ask_vault_pass", given: "--ask-vault-pass" });
  return specs;
}

function isClientScript(path: string): boolean {
  return basename(path, extname(path)).endsWith("-client");
}

function runScript(path: string, args: string[], spec: VaultIdSpec): Promise<string> {
  return new Promise((resolve, reject) => {
    // stdin and stderr stay the terminal's, so a script can ask (gpg, a password manager), as with Ansible.
    const child = execFile(path, args, { encoding: "utf8", maxBuffer: 1 << 20 }, (error, stdout) => {
      if (!error) return resolve(stdout);
      const code = typeof error.code === "number" ? error.code : String(error.code ?? error.signal ?? error.message);
      const why = code === 2 && args.length ? `found no password for vault id "${spec.id}" (exit 2)` : `exited with ${code}`;
      reject(new BosunError(`Cannot read the vault password from ${spec.given}: the script ${why}`, { hint: VAULT_PASSWORD_HINT }));
    });
    child.stderr?.pipe(process.stderr);
  });
}

async function isExecutable(path: string): Promise<boolean> {
  try {
    await access(path, constants.X_OK);
    return (await stat(path)).isFile();
  } catch {
    return false;
  }
}

async function fromFile(spec: VaultIdSpec, cwd: string): Promise<string> {
  const path = resolveUserPath(spec.source, cwd);
  try {
    await stat(path);
  } catch {
    throw new BosunError(`Cannot read the vault password from ${spec.given}: ${path} does not exist`, { hint: VAULT_PASSWORD_HINT });
  }
  if (await isExecutable(path)) {
    const args = isClientScript(path) ? ["--vault-id", spec.id] : [];
    return (await runScript(path, args, spec)).replace(/[\r\n]+$/, "");
  }
  return (await readFile(path, "utf8")).trim();
}

/** Read one password source. Empty passwords are refused, as Ansible refuses them. */
export async function readVaultPassword(spec: VaultIdSpec, options: VaultPasswordOptions = {}): Promise<VaultSecret> {
  const prompt = options.prompt ?? promptHidden;
  let password: string;
  if (spec.source === "prompt_ask_vault_pass") password = await prompt("Vault password: ");
  else if (spec.source === "prompt") password = await prompt(`Vault password (${spec.id}): `);
  else password = await fromFile(spec, options.cwd ?? process.cwd());
  if (password === "") throw new BosunError(`Cannot use the vault password from ${spec.given}: it is empty`, { hint: VAULT_PASSWORD_HINT });
  return { id: spec.id, source: spec.given, password: Buffer.from(password, "utf8") };
}

/** Every vault password the options name, read in order (prompts one after another). */
export async function readVaultPasswords(options: VaultPasswordOptions): Promise<VaultSecret[]> {
  const out: VaultSecret[] = [];
  for (const spec of vaultIdSpecs(options)) out.push(await readVaultPassword(spec, options));
  return out;
}
