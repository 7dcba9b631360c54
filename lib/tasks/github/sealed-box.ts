/**
 * libsodium's sealed box (`crypto_box_seal`), the encryption GitHub requires for Actions secrets:
 * an anonymous sender encrypts to the repository's X25519 public key; only GitHub can open it.
 */

/** Seal `value` for the base64 X25519 `publicKey`; returns the box in base64. */
export async function sealForPublicKey(value: string, publicKey: string): Promise<string> {
  // Loaded on first use: only githubSecret needs it, and it costs every other run start-up time.
  const { default: sodium } = await import("libsodium-wrappers");
  await sodium.ready;
  const key = sodium.from_base64(publicKey, sodium.base64_variants.ORIGINAL);
  if (key.length !== sodium.crypto_box_PUBLICKEYBYTES)
    throw new Error(`the public key is ${key.length} bytes, expected ${sodium.crypto_box_PUBLICKEYBYTES}`);
  const box = sodium.crypto_box_seal(sodium.from_string(value), key);
  return sodium.to_base64(box, sodium.base64_variants.ORIGINAL);
}
