/**
 * The probe of the gapless deploy e2e: a user's browser, reduced to one request every 50 ms
 * (20 requests/s) for `/version` over HTTPS through the lab host's nginx, verified against the lab
 * CA, a new connection each time (no keep-alive to hide a refused connection). It counts what
 * answered (per version), what failed (an error, a status other than 200, or no answer within
 * 20 s — a browser waits longer; on the shared 2-core test machine a TLS handshake alone can take
 * seconds, which is slowness of the machine, not a failed request) and how often the version changed.
 */
import https from "node:https";

/** What the probe saw. */
export interface ProbeCounts {
  /** Requests sent. */
  readonly requests: number;
  /** Answers with status 200, by body (the version). */
  readonly byVersion: Readonly<Record<string, number>>;
  /** Requests that failed: status other than 200, error or timeout (each described once in `failures`). */
  readonly failed: number;
  readonly failures: readonly string[];
  /** The versions in the order they answered, consecutive repeats collapsed: [v1, v2] is one change. */
  readonly sequence: readonly string[];
  /** Requests per second actually achieved. */
  readonly rate: number;
}

/** Where the probe asks. */
export interface ProbeTarget {
  /** Port on 127.0.0.1 published to the host's 443. */
  readonly port: number;
  /** Host name (SNI, Host header, certificate name). */
  readonly servername: string;
  /** PEM of the CA to trust. */
  readonly ca: string;
}

function once(t: ProbeTarget): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host: "127.0.0.1",
        port: t.port,
        path: "/version",
        servername: t.servername,
        headers: { Host: t.servername },
        ca: t.ca,
        agent: false,
        timeout: 20_000,
      },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (d: string) => (body += d));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body: body.trim() }));
        res.on("error", reject);
      },
    );
    req.on("timeout", () => req.destroy(new Error("timed out after 20s")));
    req.on("error", reject);
    req.end();
  });
}

/** A running probe: `stop()` ends it and returns the counts. */
export interface Probe {
  stop(): Promise<ProbeCounts>;
}

/**
 * Start probing: one request every `intervalMs` (50: 20 requests/s), sent on schedule whether or
 * not the previous one answered; the version sequence is read in the order requests were sent.
 */
export function startProbe(t: ProbeTarget, intervalMs = 50): Probe {
  const results: ({ version: string } | { failure: string })[] = [];
  const pending: Promise<void>[] = [];
  const started = Date.now();
  const send = () => {
    const index = results.length;
    results.push({ failure: "no answer yet" });
    pending.push(
      once(t)
        .then(
          (r) => void (results[index] = r.status === 200 ? { version: r.body } : { failure: `status ${r.status}: ${r.body.slice(0, 80)}` }),
          (error: Error) => void (results[index] = { failure: error.message }),
        )
        .then(() => {
          const r = results[index]!;
          if ("failure" in r) r.failure = `${r.failure} (sent at +${index * intervalMs}ms)`;
        }),
    );
  };
  // On a fixed schedule (the n-th request at started + n * interval): timer drift does not lower the rate.
  let timer: NodeJS.Timeout;
  const next = () => {
    send();
    timer = setTimeout(next, Math.max(0, started + results.length * intervalMs - Date.now()));
  };
  next();
  return {
    async stop() {
      clearTimeout(timer);
      const seconds = (Date.now() - started) / 1000;
      await Promise.all(pending);
      const byVersion: Record<string, number> = {};
      const failures: string[] = [];
      const sequence: string[] = [];
      for (const r of results) {
        if ("version" in r) {
          byVersion[r.version] = (byVersion[r.version] ?? 0) + 1;
          if (sequence[sequence.length - 1] !== r.version) sequence.push(r.version);
        } else failures.push(r.failure);
      }
      return {
        requests: results.length,
        byVersion,
        failed: failures.length,
        failures: failures.slice(0, 20),
        sequence,
        rate: Math.round((results.length / seconds) * 10) / 10,
      };
    },
  };
}
