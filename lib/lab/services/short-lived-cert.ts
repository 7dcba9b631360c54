import { randomBytes } from "node:crypto";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { runProcess } from "../process.js";
import { ACME_SERVER_CA_FILE } from "./acme.js";
import { httpRequest } from "./http.js";
import { SERVICES } from "./names.js";

/** What {@link issueShortLivedCertificate} issues. */
export interface ShortLivedCertificateRequest {
  /** DNS names; the first is the subject's CN. */
  readonly names: readonly string[];
  /** Days from now until it expires (whole days, as `openssl x509 -days` counts them). */
  readonly days: number;
}

/** A certificate, its key and chain in certbot's layout (`/etc/letsencrypt/live/<name>/`). */
export interface ShortLivedCertificate {
  /** cert.pem: the leaf. */
  readonly cert: string;
  /** chain.pem: pebble's intermediate that signed it. */
  readonly chain: string;
  /** fullchain.pem: leaf then intermediate. */
  readonly fullchain: string;
  /** privkey.pem: the leaf's P-256 key. */
  readonly privkey: string;
  /** PEM of pebble's current root, to verify the chain against. */
  readonly root: string;
}

async function managementPem(p: string, ca: string, what: string): Promise<string> {
  const r = await httpRequest(`https://127.0.0.1:${SERVICES.acmeManagement.localPort}${p}`, { ca });
  if (r.status !== 200 || !r.body.includes("-----BEGIN ")) throw new Error(`Cannot fetch pebble's ${what}: HTTP ${r.status} from ${p}`);
  return r.body;
}

/**
 * Issue a certificate for `names` valid `days` days from the lab CA's own issuing intermediate
 * (fetched with its key from pebble's management API), with openssl on this machine: the lab's
 * stand-in for a short-lived ACME certificate, since pebble issues every certificate for a fixed
 * 90 days. The result chains to pebble's root exactly as pebble's own certificates do. The ACME
 * services must be up (`servicesUp`).
 */
export async function issueShortLivedCertificate(request: ShortLivedCertificateRequest): Promise<ShortLivedCertificate> {
  const [cn, ...rest] = request.names;
  if (!cn || !Number.isInteger(request.days) || request.days < 1) {
    throw new Error(
      `Cannot issue a short-lived certificate for [${request.names.join(", ")}] for ${request.days} days: need a name and whole days >= 1`,
    );
  }
  const ca = readFileSync(ACME_SERVER_CA_FILE, "utf8");
  const [intermediate, intermediateKey, root] = await Promise.all([
    managementPem("/intermediates/0", ca, "issuing intermediate"),
    managementPem("/intermediate-keys/0", ca, "issuing intermediate's key"),
    managementPem("/roots/0", ca, "root"),
  ]);
  const dir = mkdtempSync(path.join(os.tmpdir(), "bosun-lab-cert-"));
  const file = (name: string) => path.join(dir, name);
  try {
    writeFileSync(file("ca.pem"), intermediate);
    writeFileSync(file("ca.key"), intermediateKey, { mode: 0o600 });
    const ext = [
      `subjectAltName=${[cn, ...rest].map((n) => `DNS:${n}`).join(",")}`,
      "basicConstraints=critical,CA:FALSE",
      "keyUsage=critical,digitalSignature",
      "extendedKeyUsage=serverAuth",
      "subjectKeyIdentifier=hash",
      "authorityKeyIdentifier=keyid",
    ];
    writeFileSync(file("ext.cnf"), `${ext.join("\n")}\n`);
    // prettier-ignore
    await runProcess([
      "openssl", "req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes",
      "-subj", `/CN=${cn}`, "-keyout", file("privkey.pem"), "-out", file("req.csr"),
    ]);
    const serial = `0x${randomBytes(16).toString("hex")}`;
    // prettier-ignore
    await runProcess([
      "openssl", "x509", "-req", "-in", file("req.csr"), "-CA", file("ca.pem"), "-CAkey", file("ca.key"),
      "-set_serial", serial, "-days", String(request.days), "-extfile", file("ext.cnf"), "-out", file("cert.pem"),
    ]);
    const cert = readFileSync(file("cert.pem"), "utf8");
    return { cert, chain: intermediate, fullchain: cert + intermediate, privkey: readFileSync(file("privkey.pem"), "utf8"), root };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
