/**
 * jest globalTeardown of the e2e project: remove the labs this run started and did not take
 * down (a crashed worker, an aborted run), found by the run id label `useLab()` puts on them.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";

/** Remove labs this run left behind (see the file comment); jest calls it once per run. */
export default async function globalTeardown(_global: unknown, project: { readonly rootDir: string }): Promise<void> {
  const runId = process.env.BOSUN_LAB_RUN_ID;
  if (!runId) return; // setup did not run: touch nothing
  const ps = spawnSync("docker", ["ps", "--all", "--filter", `label=bosun.lab.owner=${runId}`, "--format", '{{.Label "bosun.lab.name"}}'], {
    encoding: "utf8",
  });
  for (const name of new Set((ps.stdout ?? "").split("\n").filter(Boolean))) {
    process.stderr.write(`[lab] removing lab "${name}" left behind by this test run\n`);
    const tsx = path.join(project.rootDir, "node_modules", ".bin", "tsx");
    // controller-tools: tsx
    spawnSync(tsx, ["lib/lab/cli.ts", "down", "--name", name], { cwd: project.rootDir, stdio: "inherit" });
  }
}
