/**
 * The few settings of Ansible's configuration that bosun honours, found where Ansible looks:
 * `ANSIBLE_CONFIG` (a file, or a directory holding ansible.cfg), `./ansible.cfg` (skipped, as in
 * Ansible, when the current directory is world-writable), `~/.ansible.cfg`, `/etc/ansible/ansible.cfg`;
 * the first that exists is the only one read. Environment variables win over the file.
 */
import { readFileSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { resolveUserPath } from "./paths.js";

/** Where to look. */
export interface AnsibleConfigOptions {
  /** Current directory (process.cwd()). */
  readonly cwd?: string;
  /** Environment (process.env). */
  readonly env?: NodeJS.ProcessEnv;
  /** Home directory (os.homedir()). */
  readonly home?: string;
  /** The system-wide file (/etc/ansible/ansible.cfg). */
  readonly systemFile?: string;
}

/** The settings read, with where each came from. */
export interface AnsibleSettings {
  /** The configuration file read, if any. */
  readonly configFile?: string;
  /** Inventory sources (`ANSIBLE_INVENTORY` or `[defaults] inventory`), absolute paths. */
  readonly inventory?: readonly string[];
  /** Where the inventory setting came from, for messages. */
  readonly inventoryOrigin?: string;
  /** `retry_files_enabled` (false by default, as in Ansible 2.8 and later). */
  readonly retryFilesEnabled: boolean;
  /** `retry_files_save_path`, absolute, if set. */
  readonly retryFilesSavePath?: string;
}

function isFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    return false;
  }
}

function worldWritable(dir: string): boolean {
  try {
    return (statSync(dir).mode & 0o002) !== 0;
  } catch {
    return false;
  }
}

/** The configuration file Ansible would read, or undefined. */
export function findAnsibleConfig(options: AnsibleConfigOptions = {}): string | undefined {
  const env = options.env ?? process.env;
  const cwd = options.cwd ?? process.cwd();
  const fromEnv = env.ANSIBLE_CONFIG;
  if (fromEnv) {
    const path = resolveUserPath(fromEnv, cwd);
    const file = isFile(path) ? path : join(path, "ansible.cfg");
    if (isFile(file)) return file;
  }
  if (!worldWritable(cwd) && isFile(join(cwd, "ansible.cfg"))) return join(cwd, "ansible.cfg");
  const user = join(options.home ?? homedir(), ".ansible.cfg");
  if (isFile(user)) return user;
  const system = options.systemFile ?? "/etc/ansible/ansible.cfg";
  return isFile(system) ? system : undefined;
}

/** The `[defaults]` section of an ansible.cfg (Python configparser rules: `key = value` or `key: value`, `#`/`;` comments, ` ;` inline comments, indented continuation lines). */
export function readConfigDefaults(text: string): Map<string, string> {
  const out = new Map<string, string>();
  let section = "";
  let last: string | undefined;
  for (const raw of text.split(/\r?\n/)) {
    if (/^\s*[#;]/.test(raw) || raw.trim() === "") continue;
    const header = /^\s*\[([^\]]+)\]/.exec(raw);
    if (header) {
      section = header[1]!.trim();
      last = undefined;
      continue;
    }
    if (/^\s/.test(raw) && last !== undefined) {
      if (section === "defaults") out.set(last, `${out.get(last) ?? ""}\n${raw.trim()}`);
      continue;
    }
    const pair = /^([^=:]+?)\s*[=:]\s*(.*)$/.exec(raw);
    if (!pair) continue;
    last = pair[1]!.trim().toLowerCase();
    if (section === "defaults") out.set(last, pair[2]!.replace(/\s;.*$/, "").trim());
  }
  return out;
}

function pathList(value: string, base: string): string[] {
  return value
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)
    .map((p) => resolveUserPath(p, base));
}

function toBool(value: string | undefined): boolean | undefined {
  if (value === undefined) return undefined;
  const v = value.trim().toLowerCase();
  if (["1", "yes", "y", "true", "t", "on"].includes(v)) return true;
  if (["0", "no", "n", "false", "f", "off", ""].includes(v)) return false;
  return undefined;
}

/** Read the settings bosun honours from the environment and the configuration file. */
export function ansibleSettings(options: AnsibleConfigOptions = {}): AnsibleSettings {
  const env = options.env ?? process.env;
  const cwd = resolve(options.cwd ?? process.cwd());
  const configFile = findAnsibleConfig({ ...options, cwd, env });
  const defaults = configFile ? readConfigDefaults(readFileSync(configFile, "utf8")) : new Map<string, string>();
  const base = configFile ? dirname(configFile) : cwd;
  const inventoryEnv = env.ANSIBLE_INVENTORY;
  const inventoryCfg = defaults.get("inventory");
  const inventory = inventoryEnv ? pathList(inventoryEnv, cwd) : inventoryCfg ? pathList(inventoryCfg, base) : undefined;
  const retryEnabled = toBool(env.ANSIBLE_RETRY_FILES_ENABLED) ?? toBool(defaults.get("retry_files_enabled")) ?? false;
  const savePath = env.ANSIBLE_RETRY_FILES_SAVE_PATH
    ? resolveUserPath(env.ANSIBLE_RETRY_FILES_SAVE_PATH, cwd)
    : defaults.get("retry_files_save_path")
      ? resolveUserPath(defaults.get("retry_files_save_path")!, base)
      : undefined;
  return {
    ...(configFile ? { configFile } : {}),
    ...(inventory?.length ? { inventory, inventoryOrigin: inventoryEnv ? "ANSIBLE_INVENTORY" : `${configFile} [defaults] inventory` } : {}),
    retryFilesEnabled: retryEnabled,
    ...(savePath ? { retryFilesSavePath: savePath } : {}),
  };
}
