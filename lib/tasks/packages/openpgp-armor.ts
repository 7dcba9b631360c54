/**
 * OpenPGP keys as apt's `Signed-By` wants them: binary keyrings. ASCII armour (RFC 4880 §6) is
 * decoded here, on the controller, byte for byte what `gpg --dearmor` writes, so that the check
 * can compare checksums and the host needs no gnupg.
 */

const BEGIN = /^-----BEGIN PGP PUBLIC KEY BLOCK-----\s*$/;
const END = /^-----END PGP PUBLIC KEY BLOCK-----\s*$/;

/** CRC-24 of RFC 4880 §6.1. */
export function crc24(bytes: Uint8Array): number {
  let crc = 0xb704ce;
  for (const byte of bytes) {
    crc ^= byte << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

/** Whether these bytes start like a binary OpenPGP public key packet (old or new packet format, tag 6). */
export function looksLikeBinaryKey(bytes: Buffer): boolean {
  const first = bytes[0];
  if (first === undefined || (first & 0x80) === 0) return false;
  const tag = first & 0x40 ? first & 0x3f : (first >> 2) & 0x0f;
  return tag === 6;
}

/**
 * The binary keyring of a key given as ASCII armour (one block or several, concatenated) or as
 * binary. Throws an Error that says what is wrong with it.
 */
export function dearmorKey(key: string | Buffer): Buffer {
  const bytes = typeof key === "string" ? Buffer.from(key, "utf8") : key;
  if (looksLikeBinaryKey(bytes)) return bytes;
  const text = bytes.toString("utf8");
  const lines = text.split(/\r?\n/);
  const parts: Buffer[] = [];
  for (let i = 0; i < lines.length; i++) {
    if (!BEGIN.test(lines[i] ?? "")) continue;
    i++;
    // Armour headers ("Comment: ...") end at the first empty line.
    while (i < lines.length && (lines[i] ?? "").trim() !== "") {
      if (!/^[A-Za-z-]+: /.test(lines[i] ?? "")) break;
      i++;
    }
    let body = "";
    let checksum: string | undefined;
    for (; i < lines.length && !END.test(lines[i] ?? ""); i++) {
      const line = (lines[i] ?? "").trim();
      if (line.startsWith("=") && line.length === 5) checksum = line.slice(1);
      else body += line;
    }
    if (i >= lines.length) throw new Error("the armoured key has no END line");
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(body)) throw new Error("the armoured key's body is not base64");
    const decoded = Buffer.from(body, "base64");
    if (checksum !== undefined) {
      const want = Buffer.from(checksum, "base64").readUIntBE(0, 3);
      if (crc24(decoded) !== want) throw new Error("the armoured key's checksum does not match (corrupted or truncated)");
    }
    if (!looksLikeBinaryKey(decoded)) throw new Error("the armoured block does not hold a public key");
    parts.push(decoded);
  }
  if (!parts.length)
    throw new Error(`it is neither ASCII-armoured ("-----BEGIN PGP PUBLIC KEY BLOCK-----") nor a binary OpenPGP public key`);
  return Buffer.concat(parts);
}
