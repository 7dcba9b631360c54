/**
 * Role app-bundle: the app directory of a compose stack on the host (e.g. /srv/cfa), owned by the
 * deploy user; the bundle's files synced from a directory of the repo (each with ensureFile); and a
 * long-lived `.env` created from a template only when absent, never overwritten (and refused
 * while it holds a placeholder such as CHANGE_ME). An env file of the bundle (`.env`, `.env.*`,
 * `*.env`) is synced with mode 0600, never world-readable. Nothing on the host is removed unless
 * listed in `remove`. deploy.ts writes only `deploy.env` beside them.
 */
import { existsSync } from "node:fs";
import path from "node:path";
import { BosunError } from "../../lib/core/errors.js";
import type { TaskCall, TaskResult } from "../../lib/core/task.js";
import type { Vars } from "../../lib/inventory/types.js";
import { ensureAbsent, ensureDir, ensureFile } from "../../lib/tasks/files/index.js";
import { resolveLocalPath } from "../../lib/tasks/files/local-source.js";
import { createFileOnce } from "./create-once.js";
import { bundleDirs, bundleFiles } from "./local-files.js";
import { defineRole } from "../../lib/run/role.js";

export { createFileOnce, type CreateFileOnceParams } from "./create-once.js";
export { bundleFiles, bundleDirs, type BundleFile } from "./local-files.js";

/** Inputs of {@link appBundleRole}; defaults in {@link APP_BUNDLE_ROLE_DEFAULTS}. */
export interface AppBundleRoleInput {
  /** App directory on the host, e.g. `/srv/cfa`. */
  readonly appDir: string;
  /** The bundle directory on the controller (absolute, or relative to the current directory), e.g. `examples/cfa-bundle`. */
  readonly source: string;
  /** Owner of the app dir and every file in it ("deploy"). */
  readonly owner?: string;
  /** Group of the app dir and its files (the owner's name). */
  readonly group?: string;
  /** Mode of the app dir and its subdirectories ("0750"). */
  readonly dirMode?: string;
  /** Template of the long-lived env file, relative to `source` (".env.hbs"); not synced as a file. */
  readonly envTemplate?: string;
  /** Name of the long-lived env file in the app dir (".env"). */
  readonly envFile?: string;
  /** Mode of the env file when it is created ("0600"). */
  readonly envMode?: string;
  /** Variables for the env template, over the host's. */
  readonly envVars?: Vars;
  /** Paths relative to `source` (files or directories) that are not synced ("README.md"; the env template is never synced). */
  readonly exclude?: readonly string[];
  /** Mode of the bundle's env files (`.env`, `.env.*`, `*.env`) when synced ("0600"). */
  readonly secretFileMode?: string;
  /** Paths relative to the app dir to remove from the host (nothing is removed otherwise). */
  readonly remove?: readonly string[];
  /** Tags given to the role's tasks (["app-bundle"]). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link AppBundleRoleInput}. */
export const APP_BUNDLE_ROLE_DEFAULTS = {
  owner: "deploy",
  dirMode: "0750",
  envTemplate: ".env.hbs",
  envFile: ".env",
  envMode: "0600",
  secretFileMode: "0600",
  exclude: ["README.md"] as readonly string[],
  remove: [] as readonly string[],
  tags: ["app-bundle"] as readonly string[],
} as const;

/** Whether a bundle file is an env file (`.env`, `.env.production`, `app.env`), which holds secrets. */
export function isEnvFile(rel: string): boolean {
  const name = path.posix.basename(rel);
  return name === ".env" || name.startsWith(".env.") || name.endsWith(".env");
}

function inside(appDir: string, rel: string): string {
  const target = path.posix.normalize(`${appDir}/${rel}`);
  if (rel.startsWith("/") || !target.startsWith(`${appDir}/`)) {
    throw new BosunError(`Cannot use app-bundle path "${rel}": it must stay inside ${appDir}`, {
      hint: "give paths relative to the app dir",
    });
  }
  return target;
}

/**
 * Install a compose bundle in the app dir: directory, files, long-lived `.env` (created once).
 * Returns the task results in order. Run it with sudo (or as root) when the app dir's parent
 * belongs to root. A converged host costs one command per file and directory.
 * @example await appBundleRole(host, { appDir: "/srv/cfa", source: "examples/cfa-bundle", owner: "deploy" })
 */
export const appBundleRole = defineRole<AppBundleRoleInput, TaskResult[], typeof APP_BUNDLE_ROLE_DEFAULTS>({
  name: "app-bundle",
  description: "A compose bundle in the app dir: directory, files, env files never world-readable, a long-lived .env created once.",
  defaults: APP_BUNDLE_ROLE_DEFAULTS,
  async apply(host, input) {
    const o = { ...APP_BUNDLE_ROLE_DEFAULTS, ...input };
    const appDir = o.appDir.replace(/\/+$/, "");
    const group = o.group ?? o.owner;
    const tags = o.tags;
    const source = resolveLocalPath(o.source);
    const files = bundleFiles(source, [...o.exclude, o.envTemplate]);
    // Every path is checked before anything runs.
    const dirs = bundleDirs(files).map((d) => inside(appDir, d));
    const removals = o.remove.map((rel) => inside(appDir, rel));
    const envPath = inside(appDir, o.envFile);
    const template = path.join(source, o.envTemplate);
    const results: TaskResult[] = [];
    const run = async <P, O>(call: TaskCall<P, O>) => results.push(await host.run(call));
    await run(ensureDir({ path: appDir, owner: o.owner, group, mode: o.dirMode, tags }));
    for (const dir of dirs) await run(ensureDir({ path: dir, owner: o.owner, group, mode: o.dirMode, tags }));
    for (const f of files) {
      await run(
        ensureFile({
          path: inside(appDir, f.rel),
          src: f.abs,
          owner: o.owner,
          group,
          mode: isEnvFile(f.rel) ? o.secretFileMode : f.executable ? "0755" : "0644",
          tags,
          title: `bundle file ${f.rel}`,
        }),
      );
    }
    if (existsSync(template)) {
      await run(
        createFileOnce({
          path: envPath,
          template,
          ...(o.envVars ? { vars: o.envVars } : {}),
          owner: o.owner,
          group,
          mode: o.envMode,
          tags,
        }),
      );
    }
    for (const target of removals) await run(ensureAbsent({ path: target, tags }));
    return results;
  },
});
