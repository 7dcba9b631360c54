/**
 * Ansible's `group_vars/` and `host_vars/` beside an inventory file: for a name `app`, the files
 * `app`, `app.yml`, `app.yaml`, `app.json`, then every `.yml`/`.yaml`/`.json` file in a directory
 * `app/` in name order, later files winning. Files for names the inventory does not know are not read.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, relative } from "node:path";
import { problemsError } from "./location.js";
import type { Vars } from "./types.js";
import { assertValid } from "./validate.js";
import { decryptVaultFile, registerVaultValues } from "./vault-file.js";
import { parseYamlSource } from "./yaml-source.js";

/** Options of {@link readVarsFile} and {@link loadVarsDir}. */
export interface VarsFileOptions {
  /** Directory that file names in messages are relative to. */
  readonly cwd: string;
  /** Environment that `!env` reads (process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

const EXTENSIONS = [".yml", ".yaml", ".json"];

/** The label of a file in messages: relative to `cwd` when inside it. */
export function displayPath(path: string, cwd: string): string {
  const rel = relative(cwd, path);
  return rel && !rel.startsWith("..") ? rel : path;
}

/** Read one vars file (decrypted when vault-encrypted): a mapping of variables (empty file: none), checked against the vars schema. */
export async function readVarsFile(path: string, options: VarsFileOptions): Promise<Vars> {
  const label = displayPath(path, options.cwd);
  const file = decryptVaultFile(await readFile(path, "utf8"), label);
  const parsed = parseYamlSource(file.text, { label, baseDir: dirname(path), ...(options.env ? { env: options.env } : {}) });
  if (parsed.data !== null && (typeof parsed.data !== "object" || Array.isArray(parsed.data))) {
    throw problemsError(label, parsed.locate, [
      { path: [], at: "value", message: "a vars file must be a mapping of variable names to values" },
    ]);
  }
  assertValid("vars", parsed);
  if (file.encrypted) registerVaultValues(parsed.data);
  return (parsed.data ?? {}) as Vars;
}

async function entries(dir: string): Promise<Set<string>> {
  try {
    return new Set(await readdir(dir));
  } catch {
    return new Set();
  }
}

async function isDirectory(path: string): Promise<boolean> {
  return (await stat(path)).isDirectory();
}

async function filesFor(dir: string, present: Set<string>, name: string): Promise<string[]> {
  const files: string[] = [];
  for (const candidate of [name, ...EXTENSIONS.map((e) => name + e)]) {
    if (present.has(candidate) && !(await isDirectory(join(dir, candidate)))) files.push(join(dir, candidate));
  }
  if (present.has(name) && (await isDirectory(join(dir, name)))) {
    const inner = [...(await entries(join(dir, name)))].filter((f) => EXTENSIONS.some((e) => f.endsWith(e))).sort();
    files.push(...inner.map((f) => join(dir, name, f)));
  }
  return files;
}

/** Variables for each of `names` from `dir` (a `group_vars` or `host_vars` directory); names without files are absent. */
export async function loadVarsDir(dir: string, names: Iterable<string>, options: VarsFileOptions): Promise<Map<string, Vars>> {
  const present = await entries(dir);
  const out = new Map<string, Vars>();
  if (present.size === 0) return out;
  for (const name of names) {
    const files = await filesFor(dir, present, name);
    if (files.length === 0) continue;
    const layers = await Promise.all(files.map((f) => readVarsFile(f, options)));
    out.set(name, Object.assign({}, ...layers) as Vars);
  }
  return out;
}
