/**
 * The packages of the lab's stand-in for Docker's apt repository: Docker's package names, built
 * from Debian's own packages (download.docker.com is unreachable here). docker-ce is the suite's
 * docker.io repacked under Docker's name (its files and maintainer scripts; it conflicts with
 * docker.io as Docker's does), docker-ce-cli trixie's docker-cli likewise (on bookworm the CLI is
 * part of docker.io, so it is a metapackage there), containerd.io a metapackage on Debian's
 * containerd; docker-compose-plugin and docker-buildx-plugin carry the compose v2 and buildx CLI
 * plugins of Debian trixie's docker-compose and docker-buildx (Go programs that need only glibc).
 */

/** Debian releases the stand-in has a suite for. */
export type DockerRepoSuite = "bookworm" | "trixie";

/** Debian's major version of each suite (Docker's versions say `~debian.12~bookworm`). */
export const SUITE_MAJOR: Readonly<Record<DockerRepoSuite, number>> = { bookworm: 12, trixie: 13 };

/** A file a stand-in package installs, taken from a Debian trixie package. */
export interface PluginFile {
  /** The trixie package it comes from. */
  readonly fromPackage: string;
  /** Its path, inside that package and once installed. */
  readonly path: string;
}

/** One stand-in package. */
export interface StandInPackage {
  /** Docker's package name. */
  readonly name: string;
  /** Debian version string. */
  readonly version: string;
  /** The Depends field. */
  readonly depends?: string;
  /** Files it installs (none for a metapackage or a repack). */
  readonly files: readonly PluginFile[];
  /** The Debian package of the same suite whose files and maintainer scripts it carries, renamed (it then conflicts with and replaces it). */
  readonly repack?: string;
  /** Description (first line). */
  readonly description: string;
}

const CLI_PLUGINS = "/usr/libexec/docker/cli-plugins";

/** The upstream part of a Debian version: `2.26.1-4` and `0.13.1+ds1-3` give `2.26.1` and `0.13.1`. */
export function upstreamVersion(debianVersion: string): string {
  return debianVersion.replace(/^\d+:/, "").replace(/[+~-].*$/, "");
}

/**
 * The stand-in packages of `suite`, given the versions of trixie's docker-compose and docker-buildx
 * whose plugins they carry. Versions follow Docker's form (`<upstream>-1~debian.<major>~<codename>`);
 * the engine metapackages say `0.0.0~lab1`, so nobody takes them for a Docker release.
 */
export function standInPackages(suite: DockerRepoSuite, debian: { compose: string; buildx: string; dockerIo: string }): StandInPackage[] {
  const tail = `-1~debian.${SUITE_MAJOR[suite]}~${suite}`;
  const note = "bosun lab stand-in for Docker's package of this name, built from Debian's packages";
  const engine = `5:${upstreamVersion(debian.dockerIo)}${tail}`;
  const trixie = { compose: debian.compose, buildx: debian.buildx };
  return [
    {
      name: "docker-ce",
      version: engine,
      files: [],
      repack: "docker.io",
      description: `${note}: Debian ${suite}'s docker.io ${debian.dockerIo}, renamed`,
    },
    suite === "bookworm"
      ? {
          name: "docker-ce-cli",
          version: engine,
          depends: "docker-ce",
          files: [],
          description: `${note}: Debian 12's docker.io holds the CLI, so it comes with docker-ce`,
        }
      : {
          name: "docker-ce-cli",
          version: engine,
          files: [],
          repack: "docker-cli",
          description: `${note}: Debian ${suite}'s docker-cli ${debian.dockerIo}, renamed`,
        },
    {
      name: "containerd.io",
      version: `0.0.0~lab1${tail}`,
      depends: "containerd",
      files: [],
      description: `${note}: containerd is Debian's`,
    },
    {
      name: "docker-buildx-plugin",
      version: `${upstreamVersion(trixie.buildx)}${tail}`,
      files: [{ fromPackage: "docker-buildx", path: `${CLI_PLUGINS}/docker-buildx` }],
      description: `${note}: buildx from Debian trixie's docker-buildx ${trixie.buildx}`,
    },
    {
      name: "docker-compose-plugin",
      version: `${upstreamVersion(trixie.compose)}${tail}`,
      files: [{ fromPackage: "docker-compose", path: `${CLI_PLUGINS}/docker-compose` }],
      description: `${note}: compose v2 from Debian trixie's docker-compose ${trixie.compose}`,
    },
  ];
}

/** The DEBIAN/control text of a stand-in package. */
export function controlText(pkg: StandInPackage, installedSizeKb: number): string {
  return [
    `Package: ${pkg.name}`,
    `Version: ${pkg.version}`,
    "Architecture: amd64",
    "Maintainer: bosun lab <lab@bosun.invalid>",
    `Installed-Size: ${installedSizeKb}`,
    ...(pkg.depends ? [`Depends: ${pkg.depends}`] : []),
    "Section: admin",
    "Priority: optional",
    "Homepage: https://www.docker.com",
    `Description: ${pkg.description}`,
    " Served by the bosun lab at a URL a user could equally set as a mirror of",
    " https://download.docker.com, with the real layout, so the apt source, key and",
    " package names of docker_source: docker are exercised for real.",
    "",
  ].join("\n");
}

/**
 * The control file of a repacked Debian package under Docker's name: Package, Version and
 * Description replaced, Conflicts and Replaces naming the Debian package, no Provides, and no
 * recommendation of Debian's docker-cli or docker-buildx (which clash with docker-ce-cli and docker-buildx-plugin).
 */
export function repackControl(original: string, pkg: StandInPackage): string {
  const fields: [string, string][] = [];
  for (const line of original.replace(/\n+$/, "").split("\n")) {
    const m = /^([A-Za-z0-9-]+):\s?(.*)$/.exec(line);
    if (m?.[1] !== undefined && !line.startsWith(" ")) fields.push([m[1], m[2] ?? ""]);
    else if (fields.length) fields[fields.length - 1]![1] += `\n${line}`;
  }
  const drop = new Set(["Package", "Version", "Description", "Conflicts", "Replaces", "Provides", "Maintainer", "Homepage"]);
  const kept = fields
    .filter(([k]) => !drop.has(k))
    .map(([k, v]): [string, string] =>
      k === "Recommends"
        ? [
            k,
            v
              .split(",")
              .map((s) => s.trim())
              .filter((s) => !/^docker-(cli|buildx)\b/.test(s))
              .join(", "),
          ]
        : [k, v],
    )
    .filter(([, v]) => v !== "");
  const head: [string, string][] = [
    ["Package", pkg.name],
    ["Version", pkg.version],
    ["Maintainer", "bosun lab <lab@bosun.invalid>"],
  ];
  const tail: [string, string][] = [
    ["Conflicts", pkg.repack ?? ""],
    ["Replaces", pkg.repack ?? ""],
    ["Homepage", "https://www.docker.com"],
    ["Description", `${pkg.description}\n Served by the bosun lab as a stand-in for Docker's repository.`],
  ];
  return `${[...head, ...kept, ...tail].map(([k, v]) => `${k}: ${v}`).join("\n")}\n`;
}

/** The pool path of a package, as Docker's repository lays it out: `dists/<suite>/pool/stable/amd64/<file>`. */
export function poolPath(suite: DockerRepoSuite, pkg: Pick<StandInPackage, "name" | "version">): string {
  return `dists/${suite}/pool/stable/amd64/${pkg.name}_${pkg.version.replace(/^\d+:/, "")}_amd64.deb`;
}
