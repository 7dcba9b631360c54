/**
 * The floor: what any tool that talks SSH must pay for the benchmark at least. One connection per
 * host (ssh2, the library under bosun's node-ssh), then a plain `true` per task, one after another
 * on that connection; all hosts at once, as a run with forks = hosts does.
 */
import { readFileSync } from "node:fs";
import { Client } from "ssh2";
import type { LabHost } from "../lib/lab/index.js";

/** What {@link measureFloor} measured. */
export interface FloorResult {
  /** Hosts. */
  readonly hosts: number;
  /** Commands per host (the number of tasks). */
  readonly commandsPerHost: number;
  /** Wall time from the first connect to the last command's end, all hosts, ms. */
  readonly totalMs: number;
  /** Wall time until every host was connected, ms. */
  readonly connectMs: number;
  /** Median time of one `true` on an open connection (all hosts' commands), ms. */
  readonly commandMedianMs: number;
}

function connect(port: number, privateKey: string): Promise<Client> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.once("ready", () => resolve(client));
    client.once("error", reject);
    client.connect({ host: "127.0.0.1", port, username: "root", privateKey, readyTimeout: 60_000 });
  });
}

function run(client: Client, command: string): Promise<number | null> {
  return new Promise((resolve, reject) => {
    client.exec(command, (err, channel) => {
      if (err) return reject(err);
      let code: number | null = null;
      channel.on("exit", (c: number | null) => (code = c));
      channel.on("close", () => resolve(code));
      channel.resume();
      channel.stderr.resume();
      channel.end();
    });
  });
}

function median(values: readonly number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/**
 * Connect to every host at once, then run `true` `commandsPerHost` times in sequence on each
 * connection (hosts in parallel), and close. Host keys are not checked here: the floor measures
 * transport cost only (bosun's check of a known_hosts entry is one comparison).
 */
export async function measureFloor(
  hosts: readonly Pick<LabHost, "sshPort">[],
  commandsPerHost: number,
  keyPath: string,
): Promise<FloorResult> {
  const key = readFileSync(keyPath, "utf8");
  const t0 = performance.now();
  const clients = await Promise.all(hosts.map((h) => connect(h.sshPort, key)));
  const connectMs = performance.now() - t0;
  const times: number[] = [];
  try {
    await Promise.all(
      clients.map(async (c) => {
        for (let i = 0; i < commandsPerHost; i++) {
          const s = performance.now();
          const code = await run(c, "true");
          if (code !== 0) throw new Error(`Cannot measure the floor: \`true\` exited ${code}`);
          times.push(performance.now() - s);
        }
      }),
    );
  } finally {
    for (const c of clients) c.end();
  }
  return { hosts: hosts.length, commandsPerHost, totalMs: performance.now() - t0, connectMs, commandMedianMs: median(times) };
}
