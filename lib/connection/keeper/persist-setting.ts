/** How long a connection is kept after a run (SshSpec.persistSeconds), and where that came from. */
import type { SshSpec } from "../../core/connection.js";

/** The default when neither the inventory nor BOSUN_SSH_PERSIST says: as Ansible's ControlPersist=60s, off in CI jobs. */
export const DEFAULT_PERSIST_SECONDS = 60;

/** How long to keep a connection (0: never; Infinity: until the keeper's own limit), and which setting said so. */
export interface PersistSetting {
  readonly seconds: number;
  readonly from: "the inventory (bosun_ssh_persist or ControlPersist)" | "BOSUN_SSH_PERSIST" | "CI is set" | "the default";
}

/** How long to keep `spec`'s connection. Throws on a malformed BOSUN_SSH_PERSIST. */
export function persistSetting(spec: SshSpec, env: NodeJS.ProcessEnv = process.env): PersistSetting {
  if (spec.persistSeconds !== undefined)
    return { seconds: spec.persistSeconds, from: "the inventory (bosun_ssh_persist or ControlPersist)" };
  const fromEnv = env.BOSUN_SSH_PERSIST;
  if (fromEnv !== undefined && fromEnv !== "") {
    const n = Number(fromEnv);
    if (!Number.isFinite(n) || n < 0)
      throw new Error(`BOSUN_SSH_PERSIST must be a number of seconds (0: off), not ${JSON.stringify(fromEnv)}`);
    return { seconds: n, from: "BOSUN_SSH_PERSIST" };
  }
  // A CI job's run is its only one: a kept connection would only outlive it.
  if (env.CI && env.CI !== "false") return { seconds: 0, from: "CI is set" };
  return { seconds: DEFAULT_PERSIST_SECONDS, from: "the default" };
}
