import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { withLabLock } from "./lock.js";
import { KNOWN_HOSTS_PATH } from "./paths.js";

/** The known_hosts host pattern of a port published on 127.0.0.1. */
export function knownHostsPattern(port: number): string {
  return `[127.0.0.1]:${port}`;
}

function withoutPorts(text: string, ports: ReadonlySet<number>): string[] {
  const patterns = new Set([...ports].map(knownHostsPattern));
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .filter((line) => !(line.split(/\s/)[0] ?? "").split(",").some((h) => patterns.has(h)));
}

async function rewrite(file: string, edit: (lines: string[]) => string[]): Promise<void> {
  await withLabLock(
    "known-hosts",
    async () => {
      mkdirSync(path.dirname(file), { recursive: true });
      const lines = edit(existsSync(file) ? readFileSync(file, "utf8").split("\n") : []);
      const tmp = `${file}.${process.pid}.tmp`;
      writeFileSync(tmp, lines.length ? `${lines.join("\n")}\n` : "", { mode: 0o644 });
      renameSync(tmp, file); // readers (ssh) never see half a file
    },
    { timeoutMs: 30_000 },
  );
}

/** Options for the known_hosts edits. */
export interface KnownHostsOptions {
  /** File to edit (default the lab's `.lab/known_hosts`). */
  readonly file?: string;
}

/** Replace the known_hosts entries of `port` with `scanned` (lines as printed by ssh-keyscan). */
export async function setKnownHostKeys(port: number, scanned: readonly string[], options: KnownHostsOptions = {}): Promise<void> {
  await rewrite(options.file ?? KNOWN_HOSTS_PATH, (lines) => [...withoutPorts(lines.join("\n"), new Set([port])), ...scanned]);
}

/** Drop the known_hosts entries of these ports (all entries when `ports` is "all"). */
export async function forgetKnownHosts(ports: readonly number[] | "all", options: KnownHostsOptions = {}): Promise<void> {
  if (ports !== "all" && ports.length === 0) return;
  await rewrite(options.file ?? KNOWN_HOSTS_PATH, (lines) => (ports === "all" ? [] : withoutPorts(lines.join("\n"), new Set(ports))));
}
