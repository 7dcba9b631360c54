/**
 * A local stand-in for the GitHub REST API's Actions secrets endpoints (the calls githubSecret
 * makes): the repository public key, a secret's metadata, and PUT of a sealed secret. It holds a
 * real X25519 key pair: a PUT whose box does not open with it is refused (422), and a test can open
 * the stored box and compare it with the value sent. Timestamps have GitHub's shape (whole seconds,
 * `2026-12-07T08:00:00Z`), from `options.now` when given.
 */
import sodium from "libsodium-wrappers";
import { startStandIn, type RecordedRequest, type StandIn, type StandInReply } from "./server.js";

/** A stored secret: what GitHub keeps (the sealed value) and when. */
export interface StoredSecret {
  readonly encryptedValue: string;
  readonly keyId: string;
  readonly updatedAt: string;
}

/** The stand-in and its state. */
export interface GithubStandIn extends StandIn {
  /** `apiBase` to give the task. */
  readonly apiBase: string;
  /** The key id it advertises. */
  readonly keyId: string;
  /** Secrets by `owner/repo/NAME`. */
  readonly secrets: Map<string, StoredSecret>;
  /** Open a stored sealed value with the stand-in's private key. */
  open(encryptedValue: string): string;
}

/** Options of {@link startGithubStandIn}. */
export interface GithubStandInOptions {
  /** The clock for `created_at`/`updated_at` (the real one). */
  readonly now?: () => Date;
}

/** Start a GitHub stand-in that accepts `token` for the repositories listed. */
export async function startGithubStandIn(
  token: string,
  repos: readonly string[],
  options: GithubStandInOptions = {},
): Promise<GithubStandIn> {
  const stamp = () => (options.now?.() ?? new Date()).toISOString().replace(/\.\d{3}Z$/, "Z");
  await sodium.ready;
  const pair = sodium.crypto_box_keypair();
  const keyId = "568250167242549743";
  const secrets = new Map<string, StoredSecret>();
  const b64 = (bytes: Uint8Array) => sodium.to_base64(bytes, sodium.base64_variants.ORIGINAL);
  const handle = (req: RecordedRequest): StandInReply => {
    if (req.headers.authorization !== `Bearer ${token}`)
      return { status: 401, json: { message: "Bad credentials", documentation_url: "https://docs.github.com/rest" } };
    const m = /^\/repos\/([^/]+\/[^/]+)\/actions\/secrets\/([^/?]+)$/.exec(req.path);
    const notFound: StandInReply = { status: 404, json: { message: "Not Found", documentation_url: "https://docs.github.com/rest" } };
    if (!m || !repos.includes(m[1] ?? "")) return notFound;
    const [, repo, name] = m as unknown as [string, string, string];
    if (name === "public-key" && req.method === "GET") return { json: { key_id: keyId, key: b64(pair.publicKey) } };
    const id = `${repo}/${name.toUpperCase()}`;
    if (req.method === "GET") {
      const s = secrets.get(id);
      return s ? { json: { name: name.toUpperCase(), created_at: s.updatedAt, updated_at: s.updatedAt } } : notFound;
    }
    if (req.method === "PUT") {
      const body = req.json as { encrypted_value?: string; key_id?: string } | undefined;
      if (!body?.encrypted_value || body.key_id !== keyId)
        return { status: 422, json: { message: "Invalid request: key_id does not match" } };
      try {
        const box = sodium.from_base64(body.encrypted_value, sodium.base64_variants.ORIGINAL);
        sodium.crypto_box_seal_open(box, pair.publicKey, pair.privateKey);
      } catch {
        return { status: 422, json: { message: "Invalid request: encrypted_value does not decrypt with the repository key" } };
      }
      const existed = secrets.has(id);
      secrets.set(id, { encryptedValue: body.encrypted_value, keyId: body.key_id, updatedAt: stamp() });
      return { status: existed ? 204 : 201, body: "" };
    }
    return notFound;
  };
  const server = await startStandIn(handle);
  return {
    ...server,
    apiBase: server.url,
    keyId,
    secrets,
    open(encryptedValue) {
      const box = sodium.from_base64(encryptedValue, sodium.base64_variants.ORIGINAL);
      return sodium.to_string(sodium.crypto_box_seal_open(box, pair.publicKey, pair.privateKey));
    },
  };
}
