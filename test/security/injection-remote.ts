/** Plain `ssh` to a lab host for the injection tests (never through bosun), and the canaries on it. */
import { labSshOptions } from "../../lib/lab/index.js";
import { runProcess } from "../../lib/lab/process.js";
import type { LabTarget } from "../e2e/task-harness.js";
import { CANARY_DIR, CANARY_PREFIX } from "./hostile-strings.js";

/** Run a shell command on the lab host as root over a multiplexed system ssh (never through bosun). */
export async function remote(
  target: LabTarget,
  script: string,
  stdin?: Buffer | string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const mux = ["-o", "ControlMaster=auto", "-o", "ControlPersist=120", "-o", "ControlPath=/tmp/bosun-inj-%C"];
  return runProcess(["ssh", ...labSshOptions(target.sshPort), ...mux, "root@127.0.0.1", script], {
    input: stdin ?? "",
    allowFailure: true,
  });
}

/** Canary files on the host (names). */
export async function hostCanaries(target: LabTarget): Promise<string[]> {
  const r = await remote(target, `ls -1A ${CANARY_DIR} | grep -e '^${CANARY_PREFIX}' || true`);
  return r.stdout.split("\n").filter(Boolean);
}
