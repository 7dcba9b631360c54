/**
 * How each task's string slots are fuzzed: the params that carry the hostile value, whether
 * applying is safe on a lab host, and how the literal result is verified with our own commands.
 * A slot a task exports but these tables neither fuzz nor excuse (with a reason) fails the test.
 */
import type { SlotFuzz, TaskCase } from "./injection-harness.js";
import type { CaseContext } from "./injection-kit.js";
import { accessCases } from "./injection-cases-access.js";
import { apiCases } from "./injection-cases-api.js";
import { dockerCases } from "./injection-cases-docker.js";
import { filesCases } from "./injection-cases-files.js";
import { systemCases } from "./injection-cases-system.js";
import { toolsCases } from "./injection-cases-tools.js";

export { ROOT, GITHUB_TOKEN, GITLAB_TOKEN, CLOUDFLARE_TOKEN, CLOUDFLARE_ZONE, type CaseContext } from "./injection-kit.js";

/** The injection cases, by task id. */
export function injectionCases(ctx: CaseContext): Readonly<Record<string, TaskCase>> {
  return slowDown({
    ...filesCases(ctx),
    ...accessCases(ctx),
    ...systemCases(ctx),
    ...toolsCases(ctx),
    ...dockerCases(ctx),
    ...apiCases(ctx),
  });
}

/**
 * Tasks whose every run costs seconds on a loaded host (a systemd reload, a stand-in program run
 * several times, sshd -t or visudo, a curl loop): the slots that run them get fewer values, the
 * first classics among them. The summary gives the count per parameter.
 */
const SLOW_TASKS = new Set([
  "services.systemdTimer",
  "services.systemdUnit",
  "source.gitCheckout",
  "tls.certbotIssue",
  "tls.certbotRenew",
  "tls.nginxSite",
  "docker.login",
  "docker.composeRun",
  "docker.composeConfig",
  "docker.composeDown",
  "docker.composePull",
  "docker.composeUp",
  "docker.imagePrune",
  "ci.gitlabRunnerRegister",
  "access.sudoers",
  "http.waitForHttp",
  "ufw.allow",
  "ufw.deny",
  "ufw.limit",
]);
const SLOW: Pick<SlotFuzz, "runs" | "classics"> = { runs: 8, classics: 4 };

function slowDown(cases: Record<string, TaskCase>): Record<string, TaskCase> {
  for (const [id, c] of Object.entries(cases)) {
    if (!SLOW_TASKS.has(id)) continue;
    const fuzz = Object.fromEntries(Object.entries(c.fuzz).map(([k, f]) => [k, f.apply || f.observeChecks ? { ...SLOW, ...f } : f]));
    cases[id] = { ...c, fuzz };
  }
  return cases;
}
