/** How long a connection is kept after a run (SshSpec.persistSeconds), and where that came from. */
import type { SshSpec } from "../../core/connection.js";

/** The default when neither the inventory nor BOSUN_SSH_PERSIST says: as Ansible's ControlPersist=60s, off in CI jobs. */
export const DEFAULT_PERSIST_SECONDS = 60;

/** Seconds to keep `spec`'s connection (0: never; Infinity: until lost). Throws on a malformed BOSUN_SSH_PERSIST. */
export function persistSeconds(spec: SshSpec, env: NodeJS.ProcessEnv = process.env): number {
  if (spec.persistSeconds !== undefined) return spec.persistSeconds;
  const fromEnv = env.BOSUN_SSH_PERSIST;
  if (fromEnv !== undefined && fromEnv !== "") {
    const n = Number(fromEnv);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`BOSUN_SSH_PERSIST must be a number of seconds (0: off), not ${JSON.stringify(fromEnv)}`);
    return n;
  }
  // A CI job's run is its only one: a kept connection would only outlive it.
  return env.CI && env.CI !== "false" ? 0 : DEFAULT_PERSIST_SECONDS;
}
