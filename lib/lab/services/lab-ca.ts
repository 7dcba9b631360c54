/**
 * The lab CA: the certificate authority of the lab services' own TLS (the registry's
 * `registry.lab.test`), made once on this machine with openssl and kept in `.lab/services/lab-ca/`.
 * It stands in for the public CAs a provider's image trusts: the stock lab images carry it in the
 * system CA store (image-stock.ts), so a lab service is trusted there as a public service is on a
 * VPS, with no lab-only setting (no insecure-registries). Not pebble's issuing root (the ACME CA of
 * the TLS certificates bosun obtains), which changes at every pebble restart.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { runProcess } from "../process.js";
import { SERVICES_DIR } from "./paths.js";

/** Where the lab CA lives: `ca.pem` and `ca.key` (0600). */
export const LAB_CA_DIR = path.join(SERVICES_DIR, "lab-ca");

/** The lab CA's certificate (PEM). */
export const LAB_CA_FILE = path.join(LAB_CA_DIR, "ca.pem");

const LAB_CA_KEY = path.join(LAB_CA_DIR, "ca.key");

/**
 * The lab CA's certificate, made when missing (synchronous: image recipes are computed from it).
 * Two processes making it at once: the first directory renamed into place wins, the other's is dropped.
 */
export function labCaPem(): string {
  if (!existsSync(LAB_CA_FILE)) {
    mkdirSync(SERVICES_DIR, { recursive: true });
    const work = mkdtempSync(path.join(SERVICES_DIR, ".lab-ca-"));
    try {
      makeCa(work);
      try {
        renameSync(work, LAB_CA_DIR);
      } catch (error) {
        if (!existsSync(LAB_CA_FILE)) throw error;
      }
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
  return readFileSync(LAB_CA_FILE, "utf8");
}

/** Make a self-signed P-256 CA (10 years) as `ca.pem` and `ca.key` in `dir`. */
function makeCa(dir: string): void {
  const args = ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-days", "3650"];
  const ext = ["-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign"];
  const files = ["-keyout", path.join(dir, "ca.key"), "-out", path.join(dir, "ca.pem")];
  try {
    // controller-tools: openssl (req -x509: a self-signed CA)
    execFileSync("openssl", [...args, "-subj", "/CN=bosun lab CA", ...ext, ...files], { stdio: ["ignore", "ignore", "pipe"] });
  } catch (error) {
    const stderr = String((error as { stderr?: Buffer }).stderr ?? "").trim();
    throw new Error(`Cannot make the lab CA in ${LAB_CA_DIR}: openssl failed: ${stderr || (error as Error).message}`, { cause: error });
  }
}

/** A server certificate and key issued by the lab CA. */
export interface ServiceCertificate {
  /** Certificate file (PEM; the leaf, then the lab CA). */
  readonly certFile: string;
  /** Key file (PEM, 0600). */
  readonly keyFile: string;
  /** Hash of both, to restart a service whose certificate changed. */
  readonly sha256: string;
}

/**
 * A certificate for DNS name `name` issued by the lab CA into `dir` (kept while the lab CA that
 * issued it is the current one).
 */
export async function serviceCertificate(name: string, dir: string): Promise<ServiceCertificate> {
  const ca = labCaPem();
  const certFile = path.join(dir, `${name}.pem`);
  const keyFile = path.join(dir, `${name}.key`);
  const issuer = path.join(dir, `${name}.issuer`);
  const caHash = createHash("sha256").update(ca).digest("hex");
  if (!existsSync(certFile) || !existsSync(keyFile) || !existsSync(issuer) || readFileSync(issuer, "utf8") !== caHash) {
    mkdirSync(dir, { recursive: true });
    const ext = path.join(dir, `${name}.ext`);
    writeFileSync(
      ext,
      `subjectAltName=DNS:${name}\nbasicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=serverAuth\n`,
    );
    const csr = path.join(dir, `${name}.csr`);
    const subj = ["-subj", `/CN=${name}`];
    await runProcess([
      "openssl",
      "req",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:P-256",
      "-nodes",
      ...subj,
      "-keyout",
      keyFile,
      "-out",
      csr,
    ]);
    const leaf = `${certFile}.leaf`;
    await runProcess([
      "openssl",
      "x509",
      "-req",
      "-in",
      csr,
      "-CA",
      LAB_CA_FILE,
      "-CAkey",
      LAB_CA_KEY,
      "-CAcreateserial",
      "-days",
      "825",
      "-extfile",
      ext,
      "-out",
      leaf,
    ]);
    writeFileSync(certFile, readFileSync(leaf, "utf8") + ca);
    for (const f of [leaf, csr, ext]) rmSync(f, { force: true });
    writeFileSync(issuer, caHash);
  }
  const sha256 = createHash("sha256").update(readFileSync(certFile)).update(readFileSync(keyFile)).digest("hex");
  return { certFile, keyFile, sha256 };
}
