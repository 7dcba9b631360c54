/**
 * Whole files encrypted with `ansible-vault encrypt` (group_vars, host_vars, vars files): the text
 * is decrypted before it is parsed, and every string value in it becomes a registered secret, since
 * the file was encrypted to keep them out of sight.
 */
import { registerSecret } from "../core/secrets.js";
import { isVaultText } from "./vault-cipher.js";
import { decryptVaultText } from "./vault-keyring.js";

/** File text as read and whether it was vault-encrypted. */
export interface VaultFileText {
  /** The plain text (decrypted when the file was encrypted). */
  readonly text: string;
  /** True when the file was vault-encrypted: its values are secrets. */
  readonly encrypted: boolean;
}

/** The plain text of a file that may be vault-encrypted; `label` names it in errors. */
export function decryptVaultFile(text: string, label: string): VaultFileText {
  if (!isVaultText(text)) return { text, encrypted: false };
  return { text: decryptVaultText(text, label), encrypted: true };
}

/** Register every string inside `data` as a secret (numbers and booleans stay visible); returns `data`. */
export function registerVaultValues<T>(data: T): T {
  if (typeof data === "string") registerSecret(data);
  else if (Array.isArray(data)) data.forEach((item) => registerVaultValues(item));
  else if (data && typeof data === "object") Object.values(data).forEach((item) => registerVaultValues(item));
  return data;
}
