/** The key under which a JSON Schema's validator is precompiled (lib/generated/): a hash of its JSON. */
import { createHash } from "node:crypto";

/** `v` + the first 16 hex digits of the SHA-256 of the schema's JSON (a valid export name). */
export function schemaKey(schema: object): string {
  return `v${createHash("sha256").update(JSON.stringify(schema)).digest("hex").slice(0, 16)}`;
}
