/** The readiness gate of a release: each service's URL, requested from the host, until it answers as expected. */
import type { Host } from "../../lib/run/host.js";
import { waitForHttp } from "../../lib/tasks/http/index.js";
import { failureReason } from "./failure.js";
import { DEPLOY_DEFAULTS, type ReadinessCheck } from "./vars.js";

/** A gate that did not open. */
export interface GateFailure {
  /** The service. */
  readonly service: string;
  /** The URL ("" when the failure is not a gate, e.g. `compose up` itself). */
  readonly url: string;
  /** What waitForHttp saw (status, body, how long it waited). */
  readonly message: string;
}

/**
 * Run the readiness gates one after the other with waitForHttp from the host. A gate that does
 * not open is reported (its task shows as an ignored failure) rather than thrown, so the deploy
 * can roll back; returns the failures, empty when every gate opened. Skipped in check mode.
 * @example const failures = await gateReadiness(host, [{ service: "api", url: "http://127.0.0.1:8080/api/ready" }], "sha-abc123");
 */
export async function gateReadiness(host: Host, gates: readonly ReadinessCheck[], tag: string): Promise<GateFailure[]> {
  const failures: GateFailure[] = [];
  for (const g of gates) {
    const result = await host.run(
      waitForHttp({
        url: g.url,
        ...(g.status === undefined ? {} : { status: g.status }),
        ...(g.body === undefined ? {} : { body: g.body }),
        timeoutSeconds: g.timeoutSeconds ?? DEPLOY_DEFAULTS.readinessTimeoutSeconds,
        intervalSeconds: 1,
        ignoreErrors: true,
        title: `readiness ${g.service} (${tag}): ${g.url}`,
      }),
    );
    if (result.failed) failures.push({ service: g.service, url: g.url, message: failureReason(result.message) });
  }
  return failures;
}

/** "api (Cannot get status 200 ...); portals (...)". */
export function describeFailures(failures: readonly GateFailure[]): string {
  return failures.map((f) => `${f.service} ${f.url ? "is not ready" : "failed"}: ${f.message.replace(/^Cannot /, "cannot ")}`).join("; ");
}
