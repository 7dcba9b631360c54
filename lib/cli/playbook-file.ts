/**
 * `bosun playbooks/deploy.ts --inventory cfa2 ...`: the fastest way to start a playbook written in
 * TypeScript. The playbook and the local files it imports (roles, bosun's own sources in this
 * repository) are compiled by esbuild into one ES module with lazy chunks, cached under the
 * nearest `node_modules/.cache/bosun/compiled/` by the content hash of every input, and run in
 * this process. The next start hashes the inputs, finds them unchanged and runs the cached module
 * at once; a changed input compiles again. Packages stay imports (resolved from node_modules).
 *
 * Each module keeps its own `import.meta.url` (a role finds its templates beside it, and
 * `main(import.meta, book)` recognises the playbook named on the command line); stack frames in the
 * files a user wrote map back to them, so task locations still read `playbooks/deploy.ts:42` (frames
 * in bosun's own sources and packages show their compiled place: source-map-trim.ts says why).
 */
import { randomBytes } from "node:crypto";
import { existsSync } from "node:fs";
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { BosunError } from "../core/errors.js";
import { cachedPlaybook, compileCacheDir, COMPILE_FORMAT, settledStamp, sha256, type Manifest } from "./compile-cache.js";
import { startConnectionsAhead } from "./start-hint.js";
import { trimSourceMap, type RawSourceMap } from "./source-map-trim.js";

/** Source with `import.meta.url` (and a bare `import.meta`) replaced by the file's own URL: bundling must not change what they say. */
export function withOwnImportMeta(source: string, file: string): string {
  const url = JSON.stringify(pathToFileURL(file).href);
  return source.replace(/\bimport\.meta\.url\b/g, url).replace(/\bimport\.meta\b(?!\.)/g, `({ url: ${url} })`);
}

/** A compilation older than this is removed when the same playbook compiles again (a run may still load its lazy chunks). */
const OLD_COMPILATION_MS = 60 * 60 * 1000;

/** The root directory of the bosun package that `playbook` imports, when it resolves. */
function bosunPackageRoot(requireFrom: NodeJS.Require): string | undefined {
  try {
    return path.dirname(requireFrom.resolve("bosun/package.json"));
  } catch {
    return undefined;
  }
}

/** Compile `playbook` with esbuild into the cache; returns the entry module. Safe when several processes compile it at once. */
export async function compilePlaybook(playbook: string, cacheDir: string): Promise<string> {
  const esbuild = await import("esbuild");
  const { DYNAMIC_IMPORT_MODULE, DYNAMIC_IMPORT_SOURCE, helperSpecifierFrom, routeDynamicImports } = await import("./dynamic-imports.js");
  const key = sha256(playbook).slice(0, 16);
  const requireFrom = createRequire(playbook);
  const bosunRoot = bosunPackageRoot(requireFrom);
  // A playbook of bosun's own repository compiles bosun's sources in (as tsx runs them, through tsconfig.json's paths).
  const ownRepository =
    bosunRoot !== undefined && playbook.startsWith(bosunRoot + path.sep) && existsSync(path.join(bosunRoot, "lib", "index.ts"));
  const result = await esbuild.build({
    entryPoints: [playbook],
    absWorkingDir: path.dirname(playbook),
    bundle: true,
    splitting: true,
    platform: "node",
    format: "esm",
    target: "node20",
    packages: "external",
    sourcemap: "external",
    sourcesContent: false,
    metafile: true,
    write: false,
    outdir: path.join(cacheDir, "pending"),
    logLevel: "silent",
    plugins: [
      {
        name: "bosun-own-import-meta",
        setup(build) {
          // bosun itself (a project's dependency) by absolute path: the cache may sit anywhere.
          build.onResolve({ filter: /^bosun(\/|$)/ }, (args) =>
            ownRepository ? undefined : { path: requireFrom.resolve(args.path), external: true },
          );
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
  const stamps: Record<string, string> = {};
  for (const input of Object.keys(result.metafile.inputs)) {
    const file = path.resolve(path.dirname(playbook), input);
    if (file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    const before = await stat(file); // stamped before reading: a write while it is read changes the stamp
    inputs[file] = sha256(await readFile(file));
    const stamp = settledStamp(before);
    if (stamp !== undefined) stamps[file] = stamp;
  }
  const name = `${key}-${sha256(JSON.stringify({ COMPILE_FORMAT, inputs })).slice(0, 16)}`;
  const outDir = path.join(cacheDir, name);
  const pending = path.join(cacheDir, "pending");
  const entryName = `${path.basename(playbook).replace(/\.[^.]+$/, "")}.js`;
  if (!existsSync(path.join(outDir, entryName))) {
    // Written aside and renamed into place: a process that compiles the same inputs at the same time finds it whole or not at all.
    const staging = path.join(cacheDir, `${name}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`);
    await mkdir(staging, { recursive: true });
    const maps = new Map(result.outputFiles.filter((f) => f.path.endsWith(".map")).map((f) => [f.path, f.text]));
    for (const file of result.outputFiles) {
      const relative = path.relative(pending, file.path);
      if (!relative.endsWith(".js")) continue;
      const target = path.join(staging, relative);
      await mkdir(path.dirname(target), { recursive: true });
      const text = await routeDynamicImports(file.text, helperSpecifierFrom(relative));
      const map = maps.get(`${file.path}.map`);
      await writeFile(target, map ? text + inlineUserSourceMap(map, path.dirname(file.path), path.dirname(target), bosunRoot) : text);
    }
    await writeFile(path.join(staging, DYNAMIC_IMPORT_MODULE), DYNAMIC_IMPORT_SOURCE);
    try {
      await rename(staging, outDir);
    } catch {
      await rm(staging, { recursive: true, force: true }); // another process put the same compilation in place first
    }
  }
  await removeOldCompilations(cacheDir, key, name);
  const manifest: Manifest = { format: COMPILE_FORMAT, inputs, stamps, entry: path.join(outDir, entryName) };
  const manifestFile = path.join(cacheDir, `${key}.json`);
  const staged = `${manifestFile}.${process.pid}-${randomBytes(4).toString("hex")}.tmp`;
  await writeFile(staged, JSON.stringify(manifest));
  await rename(staged, manifestFile);
  return manifest.entry;
}

/**
 * esbuild's source map of a compiled file (written in `builtDir`, now in `placedDir`) cut down to
 * the files a user wrote, not bosun's own sources or packages (why: source-map-trim.ts), as the
 * inline comment that ends the file; none for a file with no code of the user's (node then keeps no
 * map for it at all).
 */
function inlineUserSourceMap(map: string, builtDir: string, placedDir: string, bosunRoot: string | undefined): string {
  const bosunLib = bosunRoot === undefined ? undefined : path.join(bosunRoot, "lib") + path.sep;
  const userSource = (source: string): boolean =>
    !source.includes(`${path.sep}node_modules${path.sep}`) && (bosunLib === undefined || !source.startsWith(bosunLib));
  const trimmed = trimSourceMap(JSON.parse(map) as RawSourceMap, (source) => userSource(path.resolve(builtDir, source)));
  if (trimmed.sources.length === 0) return "";
  // Sources relative to where the file is now.
  const sources = trimmed.sources.map((source) => path.relative(placedDir, path.resolve(builtDir, source)));
  return `\n//# sourceMappingURL=data:application/json;base64,${Buffer.from(JSON.stringify({ ...trimmed, sources })).toString("base64")}\n`;
}

/** Remove this playbook's other compilations (and abandoned staging directories) older than an hour. */
async function removeOldCompilations(cacheDir: string, key: string, current: string): Promise<void> {
  for (const old of await readdir(cacheDir).catch(() => [] as string[])) {
    if (!old.startsWith(`${key}-`) || old === current) continue;
    const full = path.join(cacheDir, old);
    const modified = (await stat(full).catch(() => undefined))?.mtimeMs;
    if (modified !== undefined && Date.now() - modified > OLD_COMPILATION_MS) await rm(full, { recursive: true, force: true });
  }
}

/**
 * Run a playbook file as `tsx <file> ...argv` would, from the compile cache; resolves to the exit
 * code known so far (the playbook's `main()` sets `process.exitCode` when its run ends), or 1 when
 * the file cannot be found or compiled (the error is printed).
 */
export async function runPlaybookFile(file: string, argv: readonly string[]): Promise<number> {
  const ahead = startConnectionsAhead(path.resolve(file), argv); // they go on while the playbook compiles or loads
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
  await ahead;
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
