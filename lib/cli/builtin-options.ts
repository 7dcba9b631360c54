/** The options every playbook takes, as in ansible-playbook: one table for parsing and for --help. */

/** One built-in option, for parsing and for --help. */
export interface BuiltinOption {
  readonly type: "string" | "boolean";
  readonly short?: string;
  readonly multiple?: boolean;
  readonly value?: string;
  readonly description: string;
}

/** Forks when `--forks` is not given. */
export const DEFAULT_FORKS = 10;
/** Inventory when `--inventory` is not given: the disposable local lab. */
export const DEFAULT_INVENTORY = "lab";

export const BUILTIN: Readonly<Record<string, BuiltinOption>> = {
  inventory: {
    type: "string",
    short: "i",
    multiple: true,
    value: "source",
    description: `Inventory: a file (YAML or INI), a directory, host1,host2, or a name under inventory/; repeatable (default: ANSIBLE_INVENTORY, ansible.cfg inventory=, else ${DEFAULT_INVENTORY})`,
  },
  limit: { type: "string", short: "l", value: "pattern", description: "Only these hosts: host, group, glob, !exclude, &intersect" },
  check: { type: "boolean", short: "C", description: "Report what would change; change nothing" },
  diff: { type: "boolean", short: "D", description: "Show the content changes" },
  tags: {
    type: "string",
    short: "t",
    multiple: true,
    value: "tags",
    description: "Only tasks with one of these tags (comma list, repeatable)",
  },
  "skip-tags": { type: "string", multiple: true, value: "tags", description: "Skip tasks with one of these tags (comma list, repeatable)" },
  forks: { type: "string", short: "f", value: "n", description: `Hosts to run at once (default: ${DEFAULT_FORKS})` },
  "extra-vars": {
    type: "string",
    short: "e",
    multiple: true,
    value: "k=v|json|@file",
    description: "Extra variables, above all others (repeatable)",
  },
  json: { type: "boolean", description: "Print one JSON document (Ansible json callback shape) instead of progress" },
  junit: { type: "string", value: "file", description: "Write JUnit XML to <file>: one testcase per host and task" },
  "fail-on-change": { type: "boolean", description: "With --check: exit 3 when something would change (drift)" },
  shard: { type: "string", value: "i/n", description: "Only the hosts of shard i of n (stable hashing of host names; after --limit)" },
  verbose: { type: "boolean", short: "v", multiple: true, description: "Show remote commands and logs; -vv adds stack traces" },
  help: { type: "boolean", short: "h", description: "Show this help" },
  "no-prefetch": { type: "boolean", description: "Run every check live instead of sending the last run's checks ahead" },
  "vault-id": {
    type: "string",
    multiple: true,
    value: "label@source",
    description: "Vault password: a file, a script or prompt (repeatable)",
  },
  "vault-password-file": { type: "string", multiple: true, value: "file", description: "Vault password file or script (repeatable)" },
  "ask-vault-pass": { type: "boolean", short: "J", description: "Ask for the vault password (no echo)" },
  user: { type: "string", short: "u", value: "user", description: "Log in as this user where the inventory sets no ansible_user" },
  become: { type: "boolean", short: "b", description: "Run tasks with sudo where the inventory sets no ansible_become" },
  "become-user": { type: "string", value: "user", description: "User to become (bosun becomes root only)" },
  "ask-become-pass": { type: "boolean", short: "K", description: "Ask for the sudo password (no echo)" },
  "become-password-file": { type: "string", value: "file", description: "Read the sudo password from a file" },
  "ask-pass": { type: "boolean", short: "k", description: "Ask for the SSH password (no echo)" },
  "connection-password-file": { type: "string", value: "file", description: "Read the SSH password from a file" },
  "private-key": { type: "string", value: "file", description: "SSH private key where the inventory sets none (alias --key-file)" },
  "key-file": { type: "string", value: "file", description: "Same as --private-key" },
  connection: { type: "string", short: "c", value: "ssh|local", description: "Connection type where the inventory sets none" },
  timeout: { type: "string", short: "T", value: "seconds", description: "SSH connection timeout where the inventory sets none" },
  "ssh-common-args": { type: "string", value: "args", description: "ssh options (-o ProxyCommand=..., -o ProxyJump=..., -J ...)" },
  "ssh-extra-args": { type: "string", value: "args", description: "More ssh options, after --ssh-common-args" },
  "list-hosts": { type: "boolean", description: "List each play's hosts and exit (no host is contacted)" },
  "list-tasks": { type: "boolean", description: "List each host's tasks as a --check pass runs them (read-only), and exit" },
  "list-tags": { type: "boolean", description: "List the tags of those tasks and exit" },
  "syntax-check": { type: "boolean", description: "Check the command line and the playbook, run nothing" },
  "start-at-task": { type: "string", value: "title", description: "Skip each host's tasks before the first with this title (or task id)" },
  step: { type: "boolean", description: "Confirm each task before it runs: (y)es, (n)o, (c)ontinue without asking" },
  version: { type: "boolean", description: "Print bosun's version and exit" },
};
