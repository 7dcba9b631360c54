/**
 * The lab's stand-in for Docker's apt repository, served by `files.lab.test` at
 * `http://files.lab.test/docker-ce/linux/debian`: a URL a user could equally set as a mirror
 * (`docker_repo_url`). The real layout: `gpg` (the signing key), `dists/<suite>/InRelease` (and
 * Release, Release.gpg) signed with a lab key, `dists/<suite>/stable/binary-amd64/Packages[.gz]`,
 * `dists/<suite>/pool/stable/amd64/*.deb`. Its packages carry Docker's names and are built from
 * Debian's (docker-repo-packages.ts says how). Built once and kept under `.lab/cache/files/`.
 */
import { createHash } from "node:crypto";
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { gzipSync } from "node:zlib";
import { withLabLock } from "../lock.js";
import { runProcess } from "../process.js";
import { aptDownload, aptRoot } from "./apt.js";
import {
  controlText,
  poolPath,
  repackControl,
  standInPackages,
  type DockerRepoSuite,
  type StandInPackage,
} from "./docker-repo-packages.js";
import { labFileUrl, localFileUrl } from "./files.js";
import { FILES_DIR, SERVICES_DIR } from "./paths.js";

/** Where the stand-in lives under the file server, as Docker's path does under download.docker.com. */
export const DOCKER_REPO_PATH = "docker-ce/linux/debian";

/** The suites the stand-in serves. */
export const DOCKER_REPO_SUITES: readonly DockerRepoSuite[] = ["bookworm", "trixie"];

/** Bump when the build changes in a way the package list does not show. */
const RECIPE_VERSION = 3;

const REPO_DIR = path.join(FILES_DIR, DOCKER_REPO_PATH);
const GNUPG_HOME = path.join(SERVICES_DIR, "docker-repo-gnupg");
const KEY_UID = "bosun lab stand-in for Docker's apt repository <docker-repo@lab.test>";

/** Where lab hosts and this machine reach the stand-in. */
export interface DockerRepoInfo {
  /** Base URL for lab hosts (what `docker_repo_url` is set to): `http://files.lab.test/docker-ce/linux/debian`. */
  readonly url: string;
  /** The same from this machine. */
  readonly localUrl: string;
  /** The signing key's URL for lab hosts (`<url>/gpg`, as Docker's). */
  readonly keyUrl: string;
  /** The suites it serves. */
  readonly suites: readonly DockerRepoSuite[];
}

function gpg(args: readonly string[]): ReturnType<typeof runProcess> {
  return runProcess(["gpg", "--batch", "--homedir", GNUPG_HOME, "--pinentry-mode", "loopback", "--passphrase", "", ...args]);
}

/** The lab's signing key (made once), ASCII-armoured. */
async function signingKey(): Promise<string> {
  mkdirSync(GNUPG_HOME, { recursive: true, mode: 0o700 });
  const listed = await runProcess(["gpg", "--batch", "--homedir", GNUPG_HOME, "--list-secret-keys", KEY_UID], { allowFailure: true });
  if (listed.code !== 0) await gpg(["--quick-gen-key", KEY_UID, "ed25519", "sign", "never"]);
  return (await gpg(["--armor", "--export", KEY_UID])).stdout;
}

/** The .deb of `name` in `suite`, from the private apt cache (downloaded when missing), with its version. */
async function suiteDeb(suite: DockerRepoSuite, name: string): Promise<{ file: string; version: string }> {
  const archives = path.join(aptRoot(suite), "archives");
  const find = () => (existsSync(archives) ? readdirSync(archives) : []).find((f) => f.startsWith(`${name}_`) && f.endsWith(".deb"));
  if (!find()) await aptDownload(suite, name);
  const file = find();
  if (!file) throw new Error(`Cannot build the Docker repository stand-in: apt downloaded no ${suite} ${name} into ${archives}`);
  return { file: path.join(archives, file), version: decodeURIComponent(file.split("_")[1] ?? "") };
}

/** The Debian packages the stand-in is built from: per suite docker.io (and trixie's docker-cli), and trixie's plugins. */
async function debianDebs() {
  const plugins = { compose: await suiteDeb("trixie", "docker-compose"), buildx: await suiteDeb("trixie", "docker-buildx") };
  const suites = new Map<DockerRepoSuite, Map<string, { file: string; version: string }>>();
  for (const suite of DOCKER_REPO_SUITES) {
    const names = suite === "bookworm" ? ["docker.io"] : ["docker.io", "docker-cli"];
    const debs = new Map<string, { file: string; version: string }>();
    for (const name of names) debs.set(name, await suiteDeb(suite, name));
    suites.set(suite, debs);
  }
  return { plugins, suites };
}

const hex = (algo: string, bytes: Buffer) => createHash(algo).update(bytes).digest("hex");

/** Build one stand-in .deb with dpkg-deb (a repack of `repackFrom`, or plugin files from the unpacked trixie packages); returns its control text. */
async function buildDeb(pkg: StandInPackage, unpacked: ReadonlyMap<string, string>, out: string, repackFrom?: string): Promise<string> {
  const root = mkdtempSync(path.join(tmpdir(), "bosun-docker-repo-"));
  try {
    mkdirSync(path.dirname(out), { recursive: true });
    if (repackFrom) {
      await runProcess(["dpkg-deb", "-R", repackFrom, root]);
      const control = repackControl(readFileSync(path.join(root, "DEBIAN", "control"), "utf8"), pkg);
      writeFileSync(path.join(root, "DEBIAN", "control"), control);
      await runProcess(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", root, out]);
      return control;
    }
    let bytes = 0;
    for (const f of pkg.files) {
      const source = path.join(unpacked.get(f.fromPackage) ?? "", f.path);
      mkdirSync(path.dirname(path.join(root, f.path)), { recursive: true });
      copyFileSync(source, path.join(root, f.path));
      chmodSync(path.join(root, f.path), statSync(source).mode & 0o7777);
      bytes += statSync(source).size;
    }
    mkdirSync(path.join(root, "DEBIAN"));
    const control = controlText(pkg, Math.ceil(bytes / 1024));
    writeFileSync(path.join(root, "DEBIAN", "control"), control);
    await runProcess(["dpkg-deb", "--root-owner-group", "-Zgzip", "-z1", "--build", root, out]);
    return control;
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

/** One Packages stanza: the control fields, then where the .deb is and its checksums. */
function stanza(control: string, deb: Buffer, filename: string): string {
  return `${control.trimEnd()}\nFilename: ${filename}\nSize: ${deb.length}\nMD5sum: ${hex("md5", deb)}\nSHA256: ${hex("sha256", deb)}\n`;
}

/** The Release file of `suite` over its index files (paths relative to dists/<suite>/). */
export function releaseText(suite: DockerRepoSuite, files: ReadonlyArray<{ path: string; bytes: Buffer }>, date: Date): string {
  const sums = (algo: string) => files.map((f) => ` ${hex(algo, f.bytes)} ${String(f.bytes.length).padStart(8)} ${f.path}`).join("\n");
  return [
    "Origin: Docker",
    "Label: Docker CE (bosun lab stand-in)",
    `Suite: ${suite}`,
    `Codename: ${suite}`,
    "Architectures: amd64",
    "Components: stable",
    `Date: ${date.toUTCString().replace("GMT", "UTC")}`,
    `Description: bosun lab stand-in for Docker's repository for Debian ${suite}: Debian's packages under Docker's names`,
    "MD5Sum:",
    sums("md5"),
    "SHA256:",
    sums("sha256"),
    "",
  ].join("\n");
}

/** Build the suite: pool .debs, Packages index, Release, InRelease and Release.gpg signed with the lab key. */
async function buildSuite(
  suite: DockerRepoSuite,
  packages: readonly StandInPackage[],
  unpacked: ReadonlyMap<string, string>,
  debs: ReadonlyMap<string, { file: string }>,
) {
  const stanzas: string[] = [];
  for (const pkg of packages) {
    const filename = poolPath(suite, pkg);
    const out = path.join(REPO_DIR, filename);
    const control = await buildDeb(pkg, unpacked, out, pkg.repack ? debs.get(pkg.repack)?.file : undefined);
    stanzas.push(stanza(control, readFileSync(out), filename));
  }
  const dists = path.join(REPO_DIR, "dists", suite);
  const index = Buffer.from(stanzas.join("\n"));
  const files = [
    { path: "stable/binary-amd64/Packages", bytes: index },
    { path: "stable/binary-amd64/Packages.gz", bytes: gzipSync(index) },
  ];
  for (const f of files) {
    mkdirSync(path.dirname(path.join(dists, f.path)), { recursive: true });
    writeFileSync(path.join(dists, f.path), f.bytes);
  }
  writeFileSync(path.join(dists, "Release"), releaseText(suite, files, new Date()));
  // InRelease (apt reads it) and Release + Release.gpg (older clients), both signed by the lab key.
  const sign = (how: readonly string[], out: string) =>
    gpg(["--yes", "--digest-algo", "SHA256", ...how, "-u", KEY_UID, "-o", path.join(dists, out), path.join(dists, "Release")]);
  await sign(["--clearsign"], "InRelease");
  await sign(["--armor", "--detach-sign"], "Release.gpg");
}

/** The stand-in's URLs. */
export function dockerRepoInfo(): DockerRepoInfo {
  const url = labFileUrl(DOCKER_REPO_PATH);
  return { url, localUrl: localFileUrl(DOCKER_REPO_PATH), keyUrl: `${url}/gpg`, suites: DOCKER_REPO_SUITES };
}

/**
 * Make sure the stand-in repository is built in the file server's directory (kept while its
 * recipe, the trixie packages it repackages and the lab key are unchanged). Returns its URLs.
 */
export function ensureDockerRepo(): Promise<DockerRepoInfo> {
  return withLabLock("docker-repo", async () => {
    try {
      return await buildIfStale();
    } finally {
      // gpg starts an agent for the key; it is not left running.
      await runProcess(["gpgconf", "--homedir", GNUPG_HOME, "--kill", "gpg-agent"], { allowFailure: true });
    }
  });
}

/** Build the stand-in unless the stamp says it is built from the same recipe. */
async function buildIfStale(): Promise<DockerRepoInfo> {
  const { plugins, suites } = await debianDebs();
  const { compose, buildx } = plugins;
  const key = await signingKey();
  const bySuite = DOCKER_REPO_SUITES.map((s) => {
    const dockerIo = suites.get(s)?.get("docker.io")?.version ?? "";
    return [s, standInPackages(s, { compose: compose.version, buildx: buildx.version, dockerIo })] as const;
  });
  const recipe = hex("sha256", Buffer.from(JSON.stringify({ RECIPE_VERSION, bySuite, key })));
  const stamp = path.join(REPO_DIR, ".recipe");
  if (existsSync(stamp) && readFileSync(stamp, "utf8") === recipe) return dockerRepoInfo();
  rmSync(REPO_DIR, { recursive: true, force: true });
  mkdirSync(REPO_DIR, { recursive: true });
  const work = mkdtempSync(path.join(tmpdir(), "bosun-docker-repo-src-"));
  try {
    const unpacked = new Map<string, string>();
    for (const [name, deb] of [
      ["docker-compose", compose],
      ["docker-buildx", buildx],
    ] as const) {
      const dir = path.join(work, name);
      await runProcess(["dpkg-deb", "-x", deb.file, dir]);
      unpacked.set(name, dir);
    }
    writeFileSync(path.join(REPO_DIR, "gpg"), key);
    for (const [suite, packages] of bySuite) await buildSuite(suite, packages, unpacked, suites.get(suite) ?? new Map());
    writeFileSync(stamp, recipe);
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
  return dockerRepoInfo();
}
