/**
 * The vault passwords of this process and decryption with them. The CLI sets them once, before the
 * inventory loads (see vault-passwords.ts); a library user calls {@link useVaultSecrets}. Like
 * Ansible, a password whose label equals the vault id of a 1.2 envelope is tried first, then the
 * others in the order given. Every decrypted value and every password is a registered secret.
 */
import { BosunError } from "../core/errors.js";
import { registerSecret } from "../core/secrets.js";
import { decryptEnvelope, parseVaultText, VaultFormatError } from "./vault-cipher.js";

/** One vault password, as Ansible's `--vault-id label@source` names it. */
export interface VaultSecret {
  /** The vault id label (`default` when none was given). */
  readonly id: string;
  /** Where the password came from, for messages: `--vault-password-file .vault_pass`, `prompt`. */
  readonly source: string;
  /** The password bytes. */
  readonly password: Buffer;
}

let secrets: readonly VaultSecret[] = [];

/** The hint on every error about a missing or wrong vault password. */
export const VAULT_PASSWORD_HINT =
  "give the vault password with --ask-vault-pass, --vault-password-file FILE, --vault-id LABEL@SOURCE or ANSIBLE_VAULT_PASSWORD_FILE";

/** Use these vault passwords for every vault value loaded from now on; their text is masked in all output. */
export function useVaultSecrets(list: readonly VaultSecret[]): void {
  for (const s of list) registerSecret(s.password.toString("utf8"));
  secrets = [...list];
}

/** The vault passwords in use. */
export function vaultSecrets(): readonly VaultSecret[] {
  return secrets;
}

/** Vault text could not be decrypted: no password, no matching password (hint: how to give one), or a damaged envelope. */
export class VaultDecryptError extends BosunError {
  constructor(message: string, passwordHint = true) {
    super(message, passwordHint ? { hint: VAULT_PASSWORD_HINT } : {});
    this.name = "VaultDecryptError";
  }
}

function ordered(vaultId: string | undefined): VaultSecret[] {
  const first = secrets.filter((s) => vaultId !== undefined && s.id === vaultId);
  return [...first, ...secrets.filter((s) => !first.includes(s))];
}

function describeTried(tried: readonly VaultSecret[]): string {
  return tried.map((s) => `"${s.id}" (${s.source})`).join(", ");
}

/**
 * Decrypt vault text found at `where` (`group_vars/all/vault.yml`, `inventory/hosts.yml:12:7`) and
 * register the plaintext as a secret. Errors name the place and the vault ids tried.
 */
export function decryptVaultText(text: string, where: string): string {
  let envelope;
  try {
    envelope = parseVaultText(text);
  } catch (error) {
    if (error instanceof VaultFormatError) throw new VaultDecryptError(`Cannot decrypt ${where}: ${error.message}`, false);
    throw error;
  }
  const idText = envelope.vaultId ? ` (vault id "${envelope.vaultId}")` : "";
  if (secrets.length === 0)
    throw new VaultDecryptError(`Cannot decrypt ${where}${idText}: it is vault-encrypted and no vault password was given`);
  const tried = ordered(envelope.vaultId);
  for (const secret of tried) {
    const plain = decryptEnvelope(envelope, secret.password);
    if (plain === undefined) continue;
    const value = plain.toString("utf8");
    registerSecret(value);
    return value;
  }
  throw new VaultDecryptError(`Cannot decrypt ${where}${idText}: no vault password matches; tried vault id ${describeTried(tried)}`);
}
