/**
 * Never cut the SSH session running bosun: evaluate ufw's rules the way ufw does (first match
 * wins, then the default incoming policy) for the connection's server port, before and after a
 * change, and refuse a change that would turn "reachable" into "blocked".
 */
import type { SshEndpoint, UfwPolicy, UfwRule } from "../../facts/ufw.js";
import type { Prerequisite } from "../../core/task.js";
import { networkContains } from "./addresses.js";

/** The SSH connection to keep open: from `$SSH_CONNECTION`, or the inventory port when that is unknown. */
export interface GuardedSsh {
  /** Server-side port. */
  readonly port: number;
  /** Client address, when known (rules with a source must then contain it). */
  readonly clientIp?: string;
  /** Server address the client connected to, when known. */
  readonly serverIp?: string;
  /** Where the port came from, for messages. */
  readonly source: "SSH_CONNECTION" | "inventory";
}

/** The ufw state that decides whether SSH gets through. */
export interface FirewallPicture {
  /** ufw is enabled (when not, everything gets through). */
  readonly enabled: boolean;
  /** Default incoming policy. */
  readonly incoming: UfwPolicy;
  /** User rules in order. */
  readonly rules: readonly UfwRule[];
}

/** The SSH session to protect on this host, or undefined when the task does not run over SSH. */
export function guardedSsh(ssh: SshEndpoint | undefined, vars: Readonly<Record<string, unknown>>): GuardedSsh | undefined {
  if (ssh) return { port: ssh.serverPort, clientIp: ssh.clientIp, serverIp: ssh.serverIp, source: "SSH_CONNECTION" };
  const connection = String(vars["ansible_connection"] ?? "ssh");
  if (connection === "local" || connection === "ansible.builtin.local") return undefined;
  const port = Number(vars["ansible_port"] ?? vars["ansible_ssh_port"] ?? 22);
  return { port: Number.isInteger(port) && port > 0 ? port : 22, source: "inventory" };
}

/** Whether a ufw port spec ("any", "22", "6000:6007", "80,443,8000:8010") covers `port`. */
export function portMatches(spec: string, port: number): boolean {
  if (spec === "any") return true;
  return spec.split(",").some((part) => {
    const [low, high] = part.split(":").map(Number);
    return high === undefined ? low === port : port >= (low as number) && port <= high;
  });
}

function addressMatches(network: string, address: string | undefined): boolean {
  if (network === "0.0.0.0/0" || network === "::/0") return true;
  return address !== undefined && networkContains(network, address);
}

function familyOf(address: string | undefined): "v4" | "v6" {
  return address !== undefined && address.includes(":") && !/^::ffff:\d+\.\d+\.\d+\.\d+$/i.test(address) ? "v6" : "v4";
}

/** The first rule that decides a new SSH connection, like ufw's chain; undefined when the default policy does. */
export function decidingRule(rules: readonly UfwRule[], ssh: GuardedSsh): UfwRule | undefined {
  const family = familyOf(ssh.clientIp);
  return rules.find(
    (r) =>
      r.family === family &&
      r.direction === "in" &&
      !r.action.startsWith("route:") &&
      (r.proto === "tcp" || r.proto === "any") &&
      portMatches(r.dport, ssh.port) &&
      r.sport === "any" &&
      addressMatches(r.src, ssh.clientIp) &&
      addressMatches(r.dst, ssh.serverIp),
  );
}

/** Whether a new SSH connection gets through this firewall. */
export function sshReachable(picture: FirewallPicture, ssh: GuardedSsh): boolean {
  if (!picture.enabled) return true;
  const rule = decidingRule(picture.rules, ssh);
  const action = rule ? rule.action.replace(/_log(-all)?$/, "") : picture.incoming;
  return action === "allow" || action === "limit";
}

/** How the guarded connection reads in messages: `SSH (port 22, from 172.18.0.1)`. */
export function describeSsh(ssh: GuardedSsh): string {
  return `SSH (port ${ssh.port}${ssh.clientIp ? `, from ${ssh.clientIp}` : ""}${ssh.source === "inventory" ? ", from the inventory" : ""})`;
}

/** What {@link guardSsh} compares: the session's SSH, the firewall before and after, and the task's words. */
export interface SshGuard {
  /** The SSH connection running this task (undefined: not known, nothing to guard). */
  readonly ssh: GuardedSsh | undefined;
  /** The firewall now. */
  readonly before: FirewallPicture;
  /** The firewall after the task. */
  readonly after: FirewallPicture;
  /** What the task would do: "enable ufw", "delete ufw rule ...". */
  readonly doing: string;
  /** How to do it safely. */
  readonly hint?: string;
}

/**
 * The prerequisite "SSH stays allowed" when going from `before` to `after` would block SSH for the
 * session running this task, else undefined. The runner fails the task when applying and notes it
 * under --check, where an earlier task of the run may still allow SSH.
 */
export function guardSsh(guard: SshGuard): Prerequisite | undefined {
  const { ssh, before, after } = guard;
  if (!ssh || !sshReachable(before, ssh) || sshReachable(after, ssh)) return undefined;
  return {
    missing: `no rule would allow ${describeSsh(ssh)} after this change`,
    doing: `Cannot ${guard.doing} without cutting this session`,
    hint: guard.hint ?? `add ufwAllow({ port: ${ssh.port}, proto: "tcp" }) before this task`,
  };
}
