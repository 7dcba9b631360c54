/**
 * JSON Schemas of the variables bosun reads itself: Ansible's connection variables and bosun's own
 * `bosun_*` variables. Any other variable name is free. Each schema's `description` is the
 * "expected ..." text of error messages. Strings are accepted where Ansible accepts them
 * (`"2222"` for a port, `"yes"` for a boolean) because `-e k=v` and `!env` give strings.
 */

const text = { type: "string", minLength: 1, description: "a non-empty string" };
const secretText = { type: "string", description: "a string (quote numbers)" };
const port = {
  type: ["integer", "string"],
  minimum: 1,
  maximum: 65535,
  pattern: "^(?:[1-9][0-9]{0,3}|[1-5][0-9]{4}|6[0-4][0-9]{3}|65[0-4][0-9]{2}|655[0-2][0-9]|6553[0-5])$",
  description: "a port number from 1 to 65535",
};

const boolWords = ["yes", "no", "true", "false", "on", "off", "y", "n", "t", "f", "1", "0"];
const bool = {
  type: ["boolean", "integer", "string"],
  enum: [true, false, 1, 0, ...new Set(boolWords.flatMap((w) => [w, w.toUpperCase(), w.charAt(0).toUpperCase() + w.slice(1)]))],
  description: "a boolean (true/false, yes/no)",
};

/** A jump host written `[user@]host[:port]`, IPv6 addresses in brackets. */
export const JUMP_HOST_PATTERN = "^(?:ssh://)?(?:[^@\\s/]+@)?(?:\\[[0-9A-Fa-f:.]+\\]|[^@\\s:/[\\]]+)(?::[0-9]{1,5})?$";

/** Connection variables of Ansible that bosun honours. */
export const ANSIBLE_VARS: Readonly<Record<string, object>> = {
  ansible_host: text,
  ansible_ssh_host: text,
  ansible_port: port,
  ansible_ssh_port: port,
  ansible_user: text,
  ansible_ssh_user: text,
  ansible_ssh_private_key_file: text,
  ansible_private_key_file: text,
  ansible_password: secretText,
  ansible_ssh_pass: secretText,
  ansible_ssh_password: secretText,
  // Plugins and users bosun cannot use are refused for the hosts a run selects (connection-spec.ts), not here.
  ansible_connection: text,
  ansible_become: bool,
  ansible_become_method: text,
  ansible_become_user: text,
  ansible_become_password: secretText,
  ansible_become_pass: secretText,
  ansible_ssh_common_args: { type: "string", description: "a string of ssh options" },
  ansible_ssh_extra_args: { type: "string", description: "a string of ssh options" },
  ansible_host_key_checking: bool,
  ansible_group_priority: { type: ["integer", "string"], pattern: "^-?[0-9]+$", description: "an integer" },
};

/** bosun's own variables; any other `bosun_*` name is an error (most likely a typo). */
export const BOSUN_VARS: Readonly<Record<string, object>> = {
  bosun_known_hosts: text,
  bosun_host_key_checking: { enum: ["strict", "accept-new", "off"], description: "one of strict, accept-new, off" },
  bosun_connect_timeout: {
    type: ["number", "string"],
    exclusiveMinimum: 0,
    pattern: "^[0-9]+(\\.[0-9]+)?$",
    description: "a number of seconds greater than 0",
  },
  bosun_connect_retries: { type: ["integer", "string"], minimum: 0, pattern: "^[0-9]+$", description: "an integer of 0 or more" },
  bosun_jump_host: { type: "string", pattern: JUMP_HOST_PATTERN, description: "a jump host as user@host:port" },
  bosun_ssh_key_passphrase: secretText,
  bosun_shell_session: bool,
  bosun_ssh_persist: {
    type: ["integer", "string"],
    minimum: 0,
    maximum: 604800,
    pattern: "^[0-9]+$",
    description: "whole seconds to keep the connection after a run that changed nothing (0: off)",
  },
  bosun_prefetch: bool,
};

/** Variables whose values are always masked in output, wherever they come from. */
export const SENSITIVE_VARS: readonly string[] = [
  "ansible_password",
  "ansible_ssh_pass",
  "ansible_ssh_password",
  "ansible_become_password",
  "ansible_become_pass",
  "bosun_ssh_key_passphrase",
];

/** JSON Schema of a mapping of variables: known names typed, other names free, unknown `bosun_*` refused. */
export const varsSchema = {
  type: ["object", "null"],
  description: "a mapping of variable names to values",
  properties: { ...ANSIBLE_VARS, ...BOSUN_VARS },
  propertyNames: { pattern: `^(?!bosun_)|^(?:${Object.keys(BOSUN_VARS).join("|")})$` },
};
