/**
 * jest globalTeardown of the e2e project: remove labs that test files of this run started and
 * did not take down (a crashed worker, an aborted run). Labs that existed before the run stay.
 *
 * Loaded by jest as CommonJS like the setup; a relative import would need a `.js` suffix that
 * CommonJS cannot resolve here, so the few lines it shares with the setup are repeated.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Remove labs this run left behind (see the file comment); jest calls it once per run. */
export default async function globalTeardown(_global: unknown, project: { readonly rootDir: string }): Promise<void> {
  const before = (globalThis as Record<string, unknown>).__bosunPreexistingLabs;
  if (!(before instanceof Set)) return; // setup did not finish: touch nothing
  const ps = spawnSync("docker", ["ps", "--all", "--filter", "label=bosun.lab.name", "--format", '{{.Label "bosun.lab.name"}}'], {
    encoding: "utf8",
  });
  for (const name of new Set((ps.stdout ?? "").split("\n").filter(Boolean))) {
    if (before.has(name)) continue;
    process.stderr.write(`[lab] removing lab "${name}" left behind by this test run\n`);
    const tsx = path.join(project.rootDir, "node_modules", ".bin", "tsx");
    spawnSync(tsx, ["lib/lab/cli.ts", "down", "--name", name], { cwd: project.rootDir, stdio: "inherit" });
  }
}
