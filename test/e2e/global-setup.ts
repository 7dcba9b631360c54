/**
 * jest globalSetup of the e2e project: make this machine able to run lab hosts (prerequisites,
 * the `fresh` host image) and note which labs already exist, so the teardown removes only the
 * labs this run left behind. Hosts themselves come from each test file's `useLab()`.
 *
 * jest loads this file as CommonJS (no `import.meta`, no `.js` specifier mapping), so it drives
 * the lab through its CLI rather than importing lib/lab.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Run `npm run lab -- ARGS` in `root` (stderr shown); returns stdout, throws when it fails. */
function runLabCli(root: string, args: readonly string[]): string {
  const r = spawnSync(path.join(root, "node_modules", ".bin", "tsx"), ["lib/lab/cli.ts", ...args], {
    cwd: root,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`Cannot run \`npm run lab -- ${args.join(" ")}\`: exit ${r.status}\n${r.stdout}`);
  return r.stdout;
}

/** Names of the labs on this machine (from the labels of their containers). */
function existingLabs(): Set<string> {
  const r = spawnSync("docker", ["ps", "--all", "--filter", "label=bosun.lab.name", "--format", '{{.Label "bosun.lab.name"}}'], {
    encoding: "utf8",
  });
  return new Set((r.stdout ?? "").split("\n").filter(Boolean));
}

/** Build what lab hosts need (see the file comment); jest calls it once per run. */
export default async function globalSetup(_global: unknown, project: { readonly rootDir: string }): Promise<void> {
  const out = runLabCli(project.rootDir, ["image"]);
  if (!/\(0\.\d s\)/.test(out)) process.stderr.write(`\n[lab] ${out.trim().split("\n").join("\n[lab] ")}\n`);
  (globalThis as Record<string, unknown>).__bosunPreexistingLabs = existingLabs();
}
