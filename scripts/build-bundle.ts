/**
 * `npm run build:bundle` (part of `npm run build`): the package's JavaScript as one ES module,
 * dist/lib/bundle/index.js (package.json `exports`), plus the `bosun` bin (dist/lib/bundle/cli/bin.js),
 * and the connection keeper's process (dist/lib/bundle/connection/keeper/keeper-main.js), with lazy chunks for what a run may not need (the CLI's listr2 renderer, merge-reports, the
 * playbook compiler). Small pure-JavaScript dependencies (yaml, TypeBox, ssh-config, node-ssh) are
 * bundled in: each is dozens of files, and every file costs a loader round trip under tsx. The
 * others stay imports and load when first used: ssh2 (optional native crypto), and zx, listr2,
 * diff, libsodium, nunjucks, ajv, esbuild; handlebars loads from the vendored CommonJS file
 * (dist/lib/generated/vendor/handlebars.cjs, scripts/vendor.ts) at the first template. Dynamic imports go through one small module
 * (bundle-dynamic-imports.ts), which keeps tsx from rewriting the whole bundle.
 */
import { rmSync } from "node:fs";
import path from "node:path";
import { build } from "esbuild";
import { routeBundleDynamicImports } from "./bundle-dynamic-imports.js";

const root = path.resolve(import.meta.dirname, "..");
const outdir = path.join(root, "dist", "lib", "bundle");

/** Dependencies left as imports (loaded from node_modules, most of them lazily). */
export const BUNDLE_EXTERNAL = [
  "ssh2",
  "cpu-features",
  "zx",
  "listr2",
  "diff",
  "libsodium-wrappers",
  "handlebars",
  "nunjucks",
  "ajv",
  "esbuild",
];

rmSync(outdir, { recursive: true, force: true });
await build({
  // The connection keeper runs as a process of its own (lib/connection/keeper/spawn-keeper.ts finds it).
  entryPoints: [
    path.join(root, "lib", "index.ts"),
    path.join(root, "lib", "cli", "bin.ts"),
    path.join(root, "lib", "connection", "keeper", "keeper-main.ts"),
  ],
  outbase: path.join(root, "lib"),
  outdir,
  bundle: true,
  splitting: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: BUNDLE_EXTERNAL,
  chunkNames: "lazy-[hash]",
  // The bundled CommonJS dependencies call require(): give the module one.
  banner: {
    js: 'import { createRequire as __bosunCreateRequire } from "node:module"; var require = __bosunCreateRequire(import.meta.url);',
  },
  logLevel: "warning",
});
// tsx would rebuild a source map of the whole bundle for its few import() calls on every start.
await routeBundleDynamicImports(outdir);
