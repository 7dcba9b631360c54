import { existsSync, mkdirSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { KEY_PATH, LAB_DIR } from "./paths.js";
import { withLabLock } from "./lock.js";
import { runProcess } from "./process.js";

/** Create the lab's ed25519 key pair once (no passphrase); returns the public key line. */
export async function ensureLabKey(): Promise<string> {
  if (!existsSync(KEY_PATH) || !existsSync(`${KEY_PATH}.pub`)) {
    mkdirSync(LAB_DIR, { recursive: true, mode: 0o700 });
    await withLabLock("key", async () => {
      if (existsSync(KEY_PATH) && existsSync(`${KEY_PATH}.pub`)) return;
      await runProcess(["rm", "-f", "--", KEY_PATH, `${KEY_PATH}.pub`]);
      await runProcess(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "bosun-lab", "-f", KEY_PATH]);
    });
  }
  return (await readFile(`${KEY_PATH}.pub`, "utf8")).trim();
}
