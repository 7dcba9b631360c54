/**
 * Ansible's `group_vars/` and `host_vars/` beside an inventory source (its `host_group_vars` vars
 * plugin): for a name `app`, the first of `app`, `app.yml`, `app.yaml`, `app.json` that exists; when
 * that is a directory, every file in it and in its subdirectories, in name order, whose extension is
 * `.yml`, `.yaml`, `.json` or none (hidden files and `~` backups skipped), later files winning.
 * Files for names the inventory does not know are not read.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import { dirname, extname, join, relative } from "node:path";
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

async function dirFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const name of [...(await entries(dir))].sort()) {
    if (name.startsWith(".") || name.endsWith("~")) continue;
    const path = join(dir, name);
    const ext = extname(name);
    if (await isDirectory(path)) {
      if (!ext) out.push(...(await dirFiles(path)));
    } else if (!ext || EXTENSIONS.includes(ext)) out.push(path);
  }
  return out;
}

async function filesFor(dir: string, present: Set<string>, name: string): Promise<string[]> {
  for (const candidate of [name, ...EXTENSIONS.map((e) => name + e)]) {
    if (!present.has(candidate)) continue;
    const path = join(dir, candidate);
    return (await isDirectory(path)) ? dirFiles(path) : [path];
  }
  return [];
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
