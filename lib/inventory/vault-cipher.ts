/**
 * Ansible Vault's format and cipher (`$ANSIBLE_VAULT;1.1;AES256` and `1.2` with a vault id), with
 * node:crypto only: PBKDF2-SHA256 (10,000 iterations) derives an AES-256 key, an HMAC-SHA256 key and
 * a counter IV from the password and a 32-byte salt; the HMAC of the ciphertext is checked in
 * constant time before AES-256-CTR decrypts it; the plaintext carries PKCS#7 padding.
 */
import { createCipheriv, createDecipheriv, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** What the first line of vault text says. */
export interface VaultEnvelope {
  /** Format version, `1.1` or `1.2`. */
  readonly version: "1.1" | "1.2";
  /** The vault id of a 1.2 envelope (`prod` in `$ANSIBLE_VAULT;1.2;AES256;prod`); undefined for 1.1. */
  readonly vaultId?: string;
  /** The salt, HMAC and ciphertext that follow the header. */
  readonly salt: Buffer;
  readonly hmac: Buffer;
  readonly ciphertext: Buffer;
}

/** The prefix every piece of vault text starts with. */
export const VAULT_HEADER = "$ANSIBLE_VAULT;";

const ITERATIONS = 10_000;

/** A vault envelope that cannot be read; the message says what is wrong with it. */
export class VaultFormatError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VaultFormatError";
  }
}

/** Whether `text` is vault text (leading whitespace allowed, as in a YAML block scalar). */
export function isVaultText(text: string): boolean {
  return text.trimStart().startsWith(VAULT_HEADER);
}

function hexField(text: string, what: string): Buffer {
  if (!/^(?:[0-9a-fA-F]{2})+$/.test(text)) throw new VaultFormatError(`the vault ${what} is not hexadecimal`);
  return Buffer.from(text, "hex");
}

/** Read the header and payload of vault text. */
export function parseVaultText(text: string): VaultEnvelope {
  const lines = text
    .trim()
    .split(/\r?\n/)
    .map((l) => l.trim());
  const header = (lines.shift() ?? "").split(";");
  if (header[0] !== "$ANSIBLE_VAULT") throw new VaultFormatError(`not vault text (it does not start with ${VAULT_HEADER})`);
  const version = header[1];
  if (version !== "1.1" && version !== "1.2")
    throw new VaultFormatError(`vault format version ${version ?? "(none)"} is not supported (1.1 and 1.2 are)`);
  if (header[2]?.trim() !== "AES256") throw new VaultFormatError(`vault cipher ${header[2] ?? "(none)"} is not supported (AES256 is)`);
  const vaultId = version === "1.2" ? header[3]?.trim() || undefined : undefined;
  const inner = hexField(lines.join(""), "payload").toString("latin1").split("\n");
  if (inner.length !== 3) throw new VaultFormatError("the vault payload does not hold salt, HMAC and ciphertext");
  const [salt, hmac, ciphertext] = inner.map((part, i) => hexField(part, ["salt", "HMAC", "ciphertext"][i] ?? "")) as [
    Buffer,
    Buffer,
    Buffer,
  ];
  return { version, ...(vaultId ? { vaultId } : {}), salt, hmac, ciphertext };
}

function deriveKeys(password: Buffer, salt: Buffer): { cipherKey: Buffer; hmacKey: Buffer; iv: Buffer } {
  const derived = pbkdf2Sync(password, salt, ITERATIONS, 80, "sha256");
  return { cipherKey: derived.subarray(0, 32), hmacKey: derived.subarray(32, 64), iv: derived.subarray(64, 80) };
}

/**
 * The plaintext of an envelope, or undefined when the password does not match (the HMAC differs).
 * The HMAC is compared in constant time before anything is decrypted.
 */
export function decryptEnvelope(envelope: VaultEnvelope, password: Buffer): Buffer | undefined {
  const { cipherKey, hmacKey, iv } = deriveKeys(password, envelope.salt);
  const expected = createHmac("sha256", hmacKey).update(envelope.ciphertext).digest();
  if (expected.length !== envelope.hmac.length || !timingSafeEqual(expected, envelope.hmac)) return undefined;
  const decipher = createDecipheriv("aes-256-ctr", cipherKey, iv);
  const padded = Buffer.concat([decipher.update(envelope.ciphertext), decipher.final()]);
  const pad = padded[padded.length - 1] ?? 0;
  if (pad < 1 || pad > 16 || pad > padded.length) throw new VaultFormatError("the decrypted vault data has invalid padding");
  return padded.subarray(0, padded.length - pad);
}

function wrap(hex: string, width: number): string {
  return hex.match(new RegExp(`.{1,${width}}`, "g"))?.join("\n") ?? "";
}

/** Options of {@link encryptVaultText}. */
export interface EncryptVaultOptions {
  /** Vault id: writes a 1.2 envelope with it; without one a 1.1 envelope. */
  readonly vaultId?: string;
  /** Salt (32 random bytes when omitted); for reproducible fixtures only. */
  readonly salt?: Buffer;
}

/** Encrypt `plaintext` as `ansible-vault encrypt` does: header line, then the hex payload in 80-column lines. */
export function encryptVaultText(plaintext: string | Buffer, password: Buffer, options: EncryptVaultOptions = {}): string {
  const salt = options.salt ?? randomBytes(32);
  const { cipherKey, hmacKey, iv } = deriveKeys(password, salt);
  const data = Buffer.from(plaintext);
  const pad = 16 - (data.length % 16);
  const cipher = createCipheriv("aes-256-ctr", cipherKey, iv);
  const ciphertext = Buffer.concat([cipher.update(Buffer.concat([data, Buffer.alloc(pad, pad)])), cipher.final()]);
  const hmac = createHmac("sha256", hmacKey).update(ciphertext).digest();
  const payload = Buffer.from([salt, hmac, ciphertext].map((b) => b.toString("hex")).join("\n")).toString("hex");
  const header = options.vaultId ? `$ANSIBLE_VAULT;1.2;AES256;${options.vaultId}` : "$ANSIBLE_VAULT;1.1;AES256";
  return `${header}\n${wrap(payload, 80)}\n`;
}
