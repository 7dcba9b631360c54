/**
 * Inventory sources, as `ansible-playbook -i` takes them, merged into one inventory in the order
 * given: a file (YAML or INI, told apart by content), a directory (every inventory file inside,
 * subdirectories too, in name order, skipping what Ansible skips: hidden files, `group_vars`,
 * `host_vars`, and `.ini .cfg .retry .orig .md .txt .rst .bak .swp .pyc .pyo .rpm ~` files), a comma
 * list of hosts (`web1,web2,` or `db1:2222,`), or a bare name found under `inventory/`
 * (`cfa2` → `inventory/cfa2.yml`). Each file or directory source brings its own `group_vars/` and
 * `host_vars/` (beside the file, or inside the directory).
 */
import { access, constants, readdir, readFile, stat } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { InventoryError } from "../core/errors.js";
import { buildInventory } from "./build.js";
import { splitHostPort } from "./host-address.js";
import { addInventoryFile } from "./inventory-file.js";
import { resolveUserPath } from "./paths.js";
import { InventoryTreeBuilder } from "./tree-builder.js";
import type { Inventory, Vars } from "./types.js";
import { displayPath, loadVarsDir } from "./vars-files.js";
import { warnInventory } from "./warnings.js";

/** Options of {@link loadInventorySources}. */
export interface LoadSourcesOptions {
  /** Directory that names and relative paths start from (process.cwd()). */
  readonly cwd?: string;
  /** Environment that `!env` and `lookup('env')` read (process.env). */
  readonly env?: NodeJS.ProcessEnv;
}

/** One source after resolution. */
export type InventorySource =
  | { readonly kind: "file" | "dir"; readonly path: string; readonly label: string }
  | { readonly kind: "hosts"; readonly text: string; readonly label: string };

/** What Ansible's directory loading skips (its IGNORED pattern with the default INVENTORY_IGNORE_EXTS). */
const IGNORED =
  /^\.|^host_vars$|^group_vars$|^vars_plugins$|(?:\.pyc|\.pyo|\.swp|\.bak|~|\.rpm|\.md|\.txt|\.rst|\.orig|\.ini|\.cfg|\.retry)$/;

async function kindOf(path: string): Promise<"file" | "dir" | undefined> {
  try {
    const st = await stat(path);
    return st.isDirectory() ? "dir" : "file";
  } catch {
    return undefined;
  }
}

async function fromInventoryDir(name: string, cwd: string): Promise<InventorySource> {
  const dir = join(cwd, "inventory");
  const candidates = [`${name}.yml`, `${name}.yaml`, name, `${name}.ini`, `${name}.json`].map((f) => join(dir, f));
  for (const path of candidates) {
    const kind = await kindOf(path);
    if (kind) return { kind, path, label: displayPath(path, cwd) };
  }
  const names = await readdir(dir).catch(() => [] as string[]);
  const available = [
    ...new Set(names.filter((f) => !IGNORED.test(f) || f.endsWith(".ini")).map((f) => f.replace(/\.(ya?ml|ini|json)$/, ""))),
  ].sort();
  const known = available.length ? `available: ${available.join(", ")}` : "the inventory/ directory holds no inventory";
  throw new InventoryError(
    `Cannot load inventory "${name}": no file or directory ${name} here, nor ${name}.yml, ${name}.yaml, ${name}, ${name}.ini or ${name}.json in inventory/ (${known})`,
    {
      hint: "Pass a path (-i hosts.ini, -i inventories/prod/), a comma list (-i web1,web2,) or a name under inventory/.",
    },
  );
}

/**
 * What one `-i` argument refers to: an existing file or directory, else a comma list of hosts,
 * else (when it has no `/`) a name under `<cwd>/inventory/`. Throws an InventoryError otherwise.
 */
export async function resolveInventorySource(arg: string, cwd: string): Promise<InventorySource> {
  const path = resolveUserPath(arg, cwd);
  const kind = await kindOf(path);
  if (kind) return { kind, path, label: displayPath(path, cwd) };
  if (arg.includes(",")) return { kind: "hosts", text: arg, label: arg };
  if (!/[/\\]/.test(arg)) return fromInventoryDir(arg, cwd);
  throw new InventoryError(`Cannot load inventory ${displayPath(path, cwd)}: no such file or directory`);
}

async function isScript(path: string, text: string): Promise<boolean> {
  if (!text.startsWith("#!")) return false;
  return access(path, constants.X_OK).then(
    () => true,
    () => false,
  );
}

interface LoadContext {
  readonly b: InventoryTreeBuilder;
  readonly cwd: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly warnings: string[];
}

function warn(ctx: LoadContext, message: string): void {
  ctx.warnings.push(message);
  warnInventory(message);
}

async function readFileSource(ctx: LoadContext, path: string, member: boolean): Promise<void> {
  const label = displayPath(path, ctx.cwd);
  const text = await readFile(path, "utf8");
  try {
    if (await isScript(path, text)) {
      throw new InventoryError(`${label}: is an executable inventory script; bosun does not run inventory scripts`, {
        hint: `Save its output once (${label} --list) or use a static YAML or INI inventory.`,
      });
    }
    addInventoryFile(ctx.b, text, { label, path, baseDir: dirname(path), ...(ctx.env ? { env: ctx.env } : {}), warn: (m) => warn(ctx, m) });
  } catch (error) {
    if (!member) throw error;
    warn(ctx, `Unable to parse ${label} as an inventory source: ${(error as Error).message}`);
  }
}

async function readDirSource(ctx: LoadContext, dir: string): Promise<void> {
  for (const name of (await readdir(dir)).sort()) {
    if (IGNORED.test(name)) continue;
    const path = join(dir, name);
    if ((await kindOf(path)) === "dir") await readDirSource(ctx, path);
    else await readFileSource(ctx, path, true);
  }
}

function readHostList(ctx: LoadContext, text: string): void {
  for (const piece of text.split(",")) {
    const entry = piece.trim();
    if (!entry) continue;
    const { pattern, port } = splitHostPort(entry);
    if (!ctx.b.tree.hosts.has(pattern)) ctx.b.addHost("ungrouped", { name: pattern, port });
  }
}

async function varsLayers(
  sources: readonly InventorySource[],
  names: readonly string[],
  sub: "group_vars" | "host_vars",
  ctx: LoadContext,
): Promise<Map<string, Vars>[]> {
  const layers: Map<string, Vars>[] = [];
  for (const source of sources) {
    if (source.kind === "hosts") continue;
    const base = source.kind === "dir" ? source.path : dirname(source.path);
    layers.push(await loadVarsDir(join(base, sub), names, { cwd: ctx.cwd, ...(ctx.env ? { env: ctx.env } : {}) }));
  }
  return layers;
}

/**
 * Load every source (see the file comment) into one inventory, in the order given: hosts and groups
 * merge by name, later variables win. Errors are InventoryErrors naming file and line; a file inside
 * a directory source that neither format reads is skipped with Ansible's warning instead.
 * @example await loadInventorySources(["inventories/prod/", "extra.ini", "bastion,"])
 */
export async function loadInventorySources(args: readonly string[], options: LoadSourcesOptions = {}): Promise<Inventory> {
  const cwd = resolve(options.cwd ?? process.cwd());
  if (args.length === 0) throw new InventoryError("Cannot load an inventory: no source given");
  const ctx: LoadContext = { b: new InventoryTreeBuilder(), cwd, ...(options.env ? { env: options.env } : {}), warnings: [] };
  const sources: InventorySource[] = [];
  for (const arg of args) {
    const source = await resolveInventorySource(arg, cwd);
    sources.push(source);
    if (source.kind === "hosts") readHostList(ctx, source.text);
    else if (source.kind === "dir") await readDirSource(ctx, source.path);
    else await readFileSource(ctx, source.path, false);
  }
  const tree = ctx.b.finish();
  for (const message of ctx.b.warnings()) warn(ctx, message);
  const groupVars = await varsLayers(sources, [...tree.groups.keys()], "group_vars", ctx);
  const hostVars = await varsLayers(sources, [...tree.hosts.keys()], "host_vars", ctx);
  const first = sources.find((s) => s.kind !== "hosts");
  const baseDir = first ? (first.kind === "dir" ? first.path : dirname(first.path)) : cwd;
  const inventory = buildInventory(tree, { source: sources.map((s) => s.label).join(", "), baseDir, groupVars, hostVars });
  return { ...inventory, sources: sources.map((s) => s.label), warnings: ctx.warnings };
}
