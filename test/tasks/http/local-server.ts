/**
 * A local HTTP(S) service for waitForHttp's tests: `/ready` answers with whatever status and
 * body the test sets, `/headers` echoes the request headers as JSON. HTTPS uses a self-signed
 * certificate for 127.0.0.1 made with openssl.
 */
import { spawnSync } from "node:child_process";
import http from "node:http";
import https from "node:https";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

/** A running local service. */
export interface LocalService {
  /** `http://127.0.0.1:PORT` or `https://...`. */
  readonly url: string;
  /** What `/ready` answers now. */
  ready: { status: number; body: string };
  /** Requests seen, by path. */
  readonly hits: string[];
  close(): Promise<void>;
}

/** A self-signed certificate for 127.0.0.1 (files in a temp dir; remove `dir` when done). */
export function selfSignedCert(): { dir: string; certFile: string; keyFile: string } {
  const dir = mkdtempSync(path.join(tmpdir(), "bosun-tls-"));
  const certFile = path.join(dir, "cert.pem");
  const keyFile = path.join(dir, "key.pem");
  const r = spawnSync(
    "openssl",
    [
      "req",
      "-x509",
      "-newkey",
      "ec",
      "-pkeyopt",
      "ec_paramgen_curve:prime256v1",
      "-nodes",
      "-days",
      "1",
      "-subj",
      "/CN=127.0.0.1",
      "-addext",
      "subjectAltName=IP:127.0.0.1",
      "-keyout",
      keyFile,
      "-out",
      certFile,
    ],
    { encoding: "utf8" },
  );
  if (r.status !== 0) throw new Error(`openssl failed: ${r.stderr}`);
  return { dir, certFile, keyFile };
}

/** Start the service (HTTPS when given a certificate). */
export async function startLocalService(tls?: { certFile: string; keyFile: string }): Promise<LocalService> {
  const hits: string[] = [];
  const service = { ready: { status: 503, body: "starting" } };
  const handler: http.RequestListener = (req, res) => {
    hits.push(req.url ?? "");
    if (req.url === "/headers") {
      res.writeHead(200, { "content-type": "application/json" });
      res.end(JSON.stringify(req.headers));
      return;
    }
    if (req.url === "/redirect") {
      res.writeHead(302, { location: "/ready" });
      res.end();
      return;
    }
    res.writeHead(service.ready.status, { "content-type": "text/plain" });
    res.end(service.ready.body);
  };
  const server = tls
    ? https.createServer({ cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) }, handler)
    : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(service, {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}`,
    hits,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  });
}

/** Remove a temp dir. */
export function removeDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}
