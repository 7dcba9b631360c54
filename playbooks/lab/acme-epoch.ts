/**
 * The lab CA forgets everything when it restarts (pebble: new issuing root, no accounts), e.g.
 * after this machine or dockerd restarted. The demo notices by the root's fingerprint and, for
 * hosts that got certificates from an earlier CA, forgets certbot's accounts and reissues — a
 * lab-only step (a real CA keeps its accounts and roots).
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import type { Host } from "../../lib/run/host.js";
import { playbook } from "../../lib/run/playbook.js";
import { LAB_DIR } from "../../lib/lab/index.js";
import { ensureAbsent } from "../../lib/tasks/files/index.js";

/** Where the demo keeps the fingerprint of the CA root lab `name`'s certificates chain to. */
export function acmeRootStampFile(name: string): string {
  return path.join(LAB_DIR, "demo", `${name}.acme-root.sha256`);
}

/** sha256 of a PEM file's text. */
function fingerprint(file: string): string {
  return createHash("sha256").update(readFileSync(file)).digest("hex");
}

/** True when lab `name` got its certificates from a CA root other than `rootFile` (pebble restarted since). */
export function acmeRootChanged(name: string, rootFile: string): boolean {
  const stamp = acmeRootStampFile(name);
  return existsSync(stamp) && readFileSync(stamp, "utf8").trim() !== fingerprint(rootFile);
}

/** Remember that lab `name`'s certificates chain to `rootFile`. */
export function recordAcmeRoot(name: string, rootFile: string): void {
  mkdirSync(path.dirname(acmeRootStampFile(name)), { recursive: true });
  writeFileSync(acmeRootStampFile(name), `${fingerprint(rootFile)}\n`);
}

/** Lab only: forget certbot's ACME accounts, which a restarted pebble no longer knows. */
export const forgetAcmeAccounts = playbook({
  name: "lab: forget ACME accounts",
  hosts: "all",
  async run(host: Host) {
    await host.run(ensureAbsent({ path: "/etc/letsencrypt/accounts", recursive: true, title: "certbot accounts of the previous lab CA" }));
  },
});
