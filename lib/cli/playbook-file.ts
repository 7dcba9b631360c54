/**
 * `bosun playbooks/deploy.ts --inventory cfa2 ...`: the fastest way to start a playbook written in
 * TypeScript. The playbook and the local files it imports (roles, bosun's own sources in this
 * repository) are compiled by esbuild into one ES module with lazy chunks, cached under the
 * nearest `node_modules/.cache/bosun/compiled/` by the content hash of every input, and run in
 * this process. The next start hashes the inputs, finds them unchanged and runs the cached module
 * at once; a changed input compiles again. Packages stay imports (resolved from node_modules).
 *
 * Each module keeps its own `import.meta.url` (a role finds its templates beside it, and
 * `main(import.meta, book)` recognises the playbook named on the command line); stack traces map
 * back to the sources, so task locations still read `playbooks/deploy.ts:42`.
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BosunError } from "../core/errors.js";

/** What the cache keeps about one compiled playbook. */
interface Manifest {
  /** Every local input by absolute path, with the sha256 of its content. */
  readonly inputs: Readonly<Record<string, string>>;
  /** The compiled entry module. */
  readonly entry: string;
}

const sha256 = (data: string | Buffer): string => createHash("sha256").update(data).digest("hex");

/** Where compiled playbooks are kept: `node_modules/.cache/bosun/compiled` above the playbook (so packages resolve), else beside it. */
export function compileCacheDir(playbook: string): string {
  for (let dir = path.dirname(playbook); ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, "node_modules"))) return path.join(dir, "node_modules", ".cache", "bosun", "compiled");
    if (path.dirname(dir) === dir) return path.join(path.dirname(playbook), ".bosun-cache", "compiled");
  }
}

/** The cached entry module of `playbook` when every input is unchanged, else undefined. */
export function cachedPlaybook(playbook: string, cacheDir: string): string | undefined {
  const manifestFile = path.join(cacheDir, `${sha256(playbook).slice(0, 16)}.json`);
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(manifestFile, "utf8")) as Manifest;
  } catch {
    return undefined;
  }
  for (const [file, hash] of Object.entries(manifest.inputs)) {
    try {
      if (sha256(readFileSync(file)) !== hash) return undefined;
    } catch {
      return undefined;
    }
  }
  return existsSync(manifest.entry) ? manifest.entry : undefined;
}

/** Source with `import.meta.url` (and a bare `import.meta`) replaced by the file's own URL: bundling must not change what they say. */
export function withOwnImportMeta(source: string, file: string): string {
  const url = JSON.stringify(pathToFileURL(file).href);
  return source.replace(/\bimport\.meta\.url\b/g, url).replace(/\bimport\.meta\b(?!\.)/g, `({ url: ${url} })`);
}

/** Compile `playbook` with esbuild into the cache; returns the entry module. */
export async function compilePlaybook(playbook: string, cacheDir: string): Promise<string> {
  const esbuild = await import("esbuild");
  const key = sha256(playbook).slice(0, 16);
  const requireFrom = createRequire(playbook);
  const result = await esbuild.build({
    entryPoints: [playbook],
    absWorkingDir: path.dirname(playbook),
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "inline",
    sourcesContent: false,
    metafile: true,
    write: false,
    outdir: path.join(cacheDir, "pending"),
    logLevel: "silent",
    plugins: [
      {
        name: "bosun-own-import-meta",
        setup(build) {
          // bosun itself (a project's dependency, or this repository's own package) by absolute path: the cache may sit anywhere.
          build.onResolve({ filter: /^bosun(\/|$)/ }, (args) => ({ path: requireFrom.resolve(args.path), external: true }));
          build.onLoad({ filter: /\.(m?[jt]s|tsx)$/ }, async (args) => {
            if (args.path.includes(`${path.sep}node_modules${path.sep}`)) return undefined;
            const source = await readFile(args.path, "utf8");
            return { contents: withOwnImportMeta(source, args.path), loader: /\.m?ts$|\.tsx$/.test(args.path) ? "ts" : "js" };
          });
        },
      },
    ],
  });
  const inputs: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(path.dirname(playbook), input);
    if (!file.includes(`${path.sep}node_modules${path.sep}`)) inputs[file] = sha256(await readFile(file));
  }
  const outDir = path.join(cacheDir, `${key}-${sha256(JSON.stringify(inputs)).slice(0, 16)}`);
  const pending = path.join(cacheDir, "pending");
  // Earlier compilations of this playbook are replaced (a run still using one has loaded it already).
  for (const old of await readdir(cacheDir).catch(() => [] as string[]))
    if (old.startsWith(`${key}-`)) await rm(path.join(cacheDir, old), { recursive: true, force: true });
  await mkdir(outDir, { recursive: true });
  let entry = "";
  for (const file of result.outputFiles) {
    const target = path.join(outDir, path.relative(pending, file.path));
    await writeFile(target, file.contents);
    if (path.basename(target, ".js") === path.basename(playbook).replace(/\.[^.]+$/, "")) entry = target;
  }
  const manifest: Manifest = { inputs, entry };
  const manifestFile = path.join(cacheDir, `${key}.json`);
  await writeFile(`${manifestFile}.tmp`, JSON.stringify(manifest));
  await rename(`${manifestFile}.tmp`, manifestFile);
  return entry;
}

/**
 * Run a playbook file as `tsx <file> ...argv` would, from the compile cache; resolves to the exit
 * code known so far (the playbook's `main()` sets `process.exitCode` when its run ends), or 1 when
 * the file cannot be found or compiled (the error is printed).
 */
export async function runPlaybookFile(file: string, argv: readonly string[]): Promise<number> {
  let entry: string;
  try {
    entry = await compiledEntry(file);
  } catch (error) {
    if (!(error instanceof BosunError)) throw error;
    process.stderr.write(`error: ${error.message}\n${error.context.hint ? `  hint: ${error.context.hint}\n` : ""}`);
    return 1;
  }
  process.setSourceMapsEnabled(true);
  process.argv = [process.argv[0] as string, path.resolve(file), ...argv];
  await import(pathToFileURL(entry).href);
  return typeof process.exitCode === "number" ? process.exitCode : 0;
}

/** The compiled entry module of `file`: from the cache when its inputs are unchanged, else compiled now. */
async function compiledEntry(file: string): Promise<string> {
  const playbook = path.resolve(file);
  if (!existsSync(playbook)) {
    throw new BosunError(`Cannot run playbook ${file}: no such file`, {
      hint: "give the path of a playbook file, e.g. playbooks/deploy.ts",
    });
  }
  const cacheDir = compileCacheDir(playbook);
  let entry = cachedPlaybook(playbook, cacheDir);
  if (!entry) {
    try {
      entry = await compilePlaybook(playbook, cacheDir);
    } catch (error) {
      const first = (error as { errors?: { text: string; location?: { file: string; line: number } }[] }).errors?.[0];
      const where = first?.location ? ` (${first.location.file}:${first.location.line})` : "";
      throw new BosunError(`Cannot compile playbook ${file}: ${first?.text ?? String(error)}${where}`, {
        hint: "fix the error, or run it with tsx to see it in full",
      });
    }
  }
  return entry;
}
