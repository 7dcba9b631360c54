/**
 * jest globalSetup of the e2e project: make this machine able to run lab hosts (prerequisites,
 * the `fresh` host image) and give this run an id. `useLab()` labels the hosts it starts with
 * that id, so the teardown removes only what this run left behind, never the labs of a
 * concurrent run or of `npm run lab`. Hosts themselves come from each test file's `useLab()`.
 *
 * jest loads this file as CommonJS (no `import.meta`, no `.js` specifier mapping), so it drives
 * the lab through its CLI rather than importing lib/lab.
 */
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import path from "node:path";

/** Build what lab hosts need (see the file comment); jest calls it once per run. */
export default async function globalSetup(_global: unknown, project: { readonly rootDir: string }): Promise<void> {
  // Set before jest starts its workers, which inherit it; kept when the caller chose one.
  process.env.BOSUN_LAB_RUN_ID ??= `jest-${randomBytes(4).toString("hex")}`;
  // controller-tools: tsx
  const r = spawnSync(path.join(project.rootDir, "node_modules", ".bin", "tsx"), ["lib/lab/cli.ts", "image"], {
    cwd: project.rootDir,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "inherit"],
  });
  if (r.status !== 0) throw new Error(`Cannot prepare the lab: \`npm run lab -- image\` exited ${r.status}\n${r.stdout}`);
  if (!/\(0\.\d s\)/.test(r.stdout)) process.stderr.write(`\n[lab] ${r.stdout.trim().split("\n").join("\n[lab] ")}\n`);
}
