/**
 * ansible-playbook's connection and become options (`-u`, `-b`, `-K`, `-k`, `--private-key`,
 * `-c`, `--timeout`, `--ssh-common-args` ...) with Ansible's meaning: they are defaults below the
 * inventory, so a host's own `ansible_user` still wins, as in Ansible. And the ansible-playbook
 * options bosun does not have, each answered with what to use instead.
 */
import { readFileSync } from "node:fs";
import type { Vars } from "../core/vars.js";
import { registerSecret } from "../core/secrets.js";

/** Connection options as parsed from the command line. */
export interface ConnectionOptions {
  /** `-u`, `--user`. */
  readonly user?: string;
  /** `-b`, `--become`. */
  readonly become?: boolean;
  /** `--become-user`. */
  readonly becomeUser?: string;
  /** `--private-key`, `--key-file`. */
  readonly privateKey?: string;
  /** `-c`, `--connection`. */
  readonly connection?: string;
  /** `-T`, `--timeout` (seconds). */
  readonly timeout?: string;
  /** `--ssh-common-args`. */
  readonly sshCommonArgs?: string;
  /** `--ssh-extra-args`. */
  readonly sshExtraArgs?: string;
  /** `--connection-password-file`: the SSH password, read from a file. */
  readonly connectionPasswordFile?: string;
  /** `--become-password-file`: the sudo password, read from a file. */
  readonly becomePasswordFile?: string;
}

/** Passwords asked for with `-k` / `-K`. */
export interface PromptedPasswords {
  /** `-k`: the SSH password. */
  readonly ssh?: string;
  /** `-K`: the sudo password. */
  readonly become?: string;
}

function passwordFile(file: string, option: string): string {
  try {
    return readFileSync(file, "utf8").replace(/\r?\n$/, "");
  } catch (e) {
    throw new Error(`Cannot read ${option} "${file}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
}

/**
 * The variables these options stand for, as a layer below the inventory (`ansible_user`,
 * `ansible_become`, ...). Passwords are registered as secrets: masked in every output.
 */
export function connectionDefaults(options: ConnectionOptions, prompted: PromptedPasswords = {}): Vars {
  const vars: Vars = {};
  if (options.user !== undefined) vars.ansible_user = options.user;
  if (options.become) vars.ansible_become = true;
  if (options.becomeUser !== undefined) vars.ansible_become_user = options.becomeUser;
  if (options.privateKey !== undefined) vars.ansible_private_key_file = options.privateKey;
  if (options.connection !== undefined) vars.ansible_connection = options.connection;
  if (options.timeout !== undefined) vars.ansible_timeout = Number(options.timeout);
  if (options.sshCommonArgs !== undefined) vars.ansible_ssh_common_args = options.sshCommonArgs;
  if (options.sshExtraArgs !== undefined) vars.ansible_ssh_extra_args = options.sshExtraArgs;
  const ssh =
    prompted.ssh ??
    (options.connectionPasswordFile ? passwordFile(options.connectionPasswordFile, "--connection-password-file") : undefined);
  const become =
    prompted.become ?? (options.becomePasswordFile ? passwordFile(options.becomePasswordFile, "--become-password-file") : undefined);
  for (const password of [ssh, become]) if (password !== undefined) registerSecret(password);
  if (ssh !== undefined) vars.ansible_password = ssh;
  if (become !== undefined) vars.ansible_become_password = become;
  return vars;
}

/** ansible-playbook options bosun does not take, with what to use instead. */
export const UNSUPPORTED_ANSIBLE_OPTIONS: Readonly<Record<string, string>> = {
  "--become-method": "bosun becomes root with sudo only (sudo -n, or -K for a password)",
  "--flush-cache": "bosun keeps no fact cache: every task reads the host when it runs",
  "--force-handlers": "handlers run at the end of a play on every host that did not fail; run the play again to fire them after a failure",
  "-M": "tasks are TypeScript imports: there is no module path",
  "--module-path": "tasks are TypeScript imports: there is no module path",
  "--scp-extra-args": "files travel over the SSH session, not scp: use --ssh-common-args",
  "--sftp-extra-args": "files travel over the SSH session, not sftp: use --ssh-common-args",
  "-P": "polling is for ad-hoc commands; bosun waits for every task",
  "--poll": "polling is for ad-hoc commands; bosun waits for every task",
  "-B": "background tasks are for ad-hoc commands; use the command task with `nohup ... &` if you must",
  "--background": "background tasks are for ad-hoc commands; use the command task with `nohup ... &` if you must",
  "--inventory-file": "use -i / --inventory",
  "--list-hosts-only": "use --list-hosts",
  "--vault-password": "use --vault-password-file, --vault-id or --ask-vault-pass",
  "-m": "bosun runs playbooks, not modules: write the task in a playbook",
  "-a": "bosun runs playbooks, not modules: write the task in a playbook",
};

/** The unsupported ansible-playbook option in `argv`, if any, with its alternative. */
export function unsupportedAnsibleOption(argv: readonly string[]): { readonly option: string; readonly instead: string } | undefined {
  for (const arg of argv) {
    if (arg === "--") return undefined;
    const option = arg.startsWith("--") ? (arg.split("=")[0] ?? arg) : arg;
    const instead = UNSUPPORTED_ANSIBLE_OPTIONS[option];
    if (instead) return { option, instead };
  }
  return undefined;
}
