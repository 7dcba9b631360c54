import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import path from "node:path";
import { runProcess } from "../process.js";
import { aptRoot, aptDownload } from "./apt.js";
import { docker } from "./docker.js";
import { FILES_DIR } from "./paths.js";

/** Name under which `files.lab.test` serves trixie's compose plugin .deb. */
export const COMPOSE_DEB_NAME = "docker-compose-plugin.deb";

/** Debian trixie's package holding the compose v2 CLI plugin (it needs only glibc; no docker-cli). */
const COMPOSE_PACKAGE = "docker-compose";

/** The compose plugin this machine has and the .deb lab hosts install. */
export interface ComposePlugin {
  /** `docker compose version --short`, e.g. `2.26.1`. */
  readonly version: string;
  /** Absolute path of the .deb served to lab hosts. */
  readonly deb: string;
  /** True when this call installed the plugin on this machine. */
  readonly installed: boolean;
}

async function composeVersion(): Promise<string | undefined> {
  const r = await docker(["compose", "version", "--short"], { allowFailure: true });
  return r.code === 0 ? r.stdout.trim() : undefined;
}

/** The cached trixie .deb, downloaded with the private trixie apt configuration when missing. */
async function composeDeb(): Promise<string> {
  const served = path.join(FILES_DIR, COMPOSE_DEB_NAME);
  if (existsSync(served)) return served;
  const archives = path.join(aptRoot("trixie"), "archives");
  const cached = () => (existsSync(archives) ? readdirSync(archives) : []).find((f) => f.startsWith(`${COMPOSE_PACKAGE}_`));
  let deb = cached();
  if (!deb) {
    await aptDownload("trixie", COMPOSE_PACKAGE);
    deb = cached();
  }
  if (!deb) throw new Error(`Cannot find trixie's ${COMPOSE_PACKAGE} .deb: apt downloaded nothing into ${archives}`);
  mkdirSync(FILES_DIR, { recursive: true });
  copyFileSync(path.join(archives, deb), served);
  return served;
}

/** `dpkg -i` the plugin, waiting while another dpkg holds the lock. */
async function dpkgInstall(deb: string): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    const r = await runProcess(["dpkg", "-i", deb], { allowFailure: true, env: { DEBIAN_FRONTEND: "noninteractive" } });
    if (r.code === 0) return;
    if (!/lock/i.test(r.stderr) || Date.now() > deadline) {
      throw new Error(`Cannot install the compose plugin from ${deb}: ${r.stderr.trim()}`);
    }
    await new Promise((res) => setTimeout(res, 1000));
  }
}

/**
 * Make `docker compose` work on this machine (Debian trixie's compose v2 .deb, fetched with a
 * private apt configuration; trixie's docker-cli is never installed) and keep the .deb in
 * `.lab/cache/files/` for `files.lab.test`.
 */
export async function ensureComposePlugin(): Promise<ComposePlugin> {
  const deb = await composeDeb();
  let version = await composeVersion();
  const installed = !version;
  if (!version) {
    await dpkgInstall(deb);
    version = await composeVersion();
    if (!version) throw new Error("Cannot run `docker compose version` after installing the compose plugin");
  }
  return { version, deb, installed };
}
