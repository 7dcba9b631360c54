/**
 * The `bookworm` and `trixie` lab variants: a stock image of each Debian release, as a provider
 * hands a minimal VPS over (systemd, sshd, root's key from the "cloud-init" step of the lab's
 * init), with nothing bosun could lean on: no curl, no ca-certificates, no gnupg, no sudo, no
 * iptables, no python3, no apt lists. One lab file: the lab CA in the local CA directory (see
 * {@link labCaEdit}).
 */
import path from "node:path";
import type { DebianMirrors } from "./apt-sources.js";
import { IMPORT_CHANGES, labRootfsEdits, recipeHash } from "./image-recipe.js";
import { CACHE_DIR } from "./paths.js";
import { write, type RootfsEdit } from "./rootfs-edits.js";
import { labCaPem } from "./services/lab-ca.js";

/** Debian releases with a stock lab variant. */
export type StockSuite = "bookworm" | "trixie";

/** The stock variants, one per {@link StockSuite}. */
export const STOCK_SUITES: readonly StockSuite[] = ["bookworm", "trixie"];

// prettier-ignore
/** Packages debootstrap adds to `minbase`: systemd as PID 1 and sshd, which every VPS image has. */
export const STOCK_PACKAGES: readonly string[] = [
  "systemd", "systemd-sysv", "dbus", "libpam-systemd", "openssh-server", "iproute2", "procps",
];

/**
 * What systemd needs as PID 1 to boot on this machine's cgroup v1 (docker 20.10 here); systemd
 * 256 and later (trixie) refuse v1 without it. A real VPS runs cgroup v2 and needs nothing.
 */
const INIT_ARGS: Readonly<Record<StockSuite, readonly string[]>> = {
  bookworm: [],
  trixie: ["SYSTEMD_CGROUP_ENABLE_LEGACY_FORCE=1", "systemd.unified_cgroup_hierarchy=0"],
};

/**
 * What docker 26 and later (trixie) need to start containers here: /proc/sys is read-only in a
 * lab host, so dockerd cannot switch IPv6 off on a container's interface and would refuse to start
 * it; a real VPS can, and needs nothing. A drop-in for a unit that is not installed yet: it does
 * nothing until some docker package brings docker.service, whichever the source.
 */
const DOCKER_DROP_IN: Readonly<Record<StockSuite, readonly RootfsEdit[]>> = {
  bookworm: [],
  trixie: [
    write(
      "/etc/systemd/system/docker.service.d/bosun-lab.conf",
      "# bosun lab: /proc/sys is read-only in this container (a VPS needs nothing of the kind)\n[Service]\nEnvironment=DOCKER_ALLOW_IPV6_ON_IPV4_INTERFACE=1\n",
    ),
  ],
};

/** Whether hosts of `variant` trust the lab CA (the stock images do; `fresh` and `docker` do not). */
export function trustsLabCa(variant: string | undefined): boolean {
  return (STOCK_SUITES as readonly (string | undefined)[]).includes(variant);
}

/** Where the stock images carry the lab CA: the local CA directory that update-ca-certificates reads. */
export const LAB_CA_HOST_FILE = "/usr/local/share/ca-certificates/bosun-lab-ca.crt";

/**
 * The lab CA (lib/lab/services/lab-ca.ts, the CA of the lab registry's HTTPS) as the stand-in for
 * the public CAs of a provider's image: the certificate sits in /usr/local/share/ca-certificates,
 * so it joins the system store (/etc/ssl/certs/ca-certificates.crt, which docker, curl and apt read)
 * when ca-certificates is installed and runs update-ca-certificates, exactly as the public CAs arrive
 * on a host with that package. Nothing is trusted before then: the lab is not kinder than a VPS
 * without ca-certificates, which trusts no registry either.
 */
export function labCaEdit(): RootfsEdit {
  return write(LAB_CA_HOST_FILE, labCaPem());
}

/** A base image recipe: debootstrap arguments, the cached tarball, rootfs edits, import changes. */
export interface BaseImageRecipe {
  /** What debootstrap is run with. */
  readonly debootstrap: {
    readonly suite: string;
    readonly variant: string;
    readonly mirror: string;
    readonly packages: readonly string[];
  };
  /** Where the debootstrapped rootfs is cached. */
  readonly tarball: string;
  /** Edits applied to the unpacked rootfs before `docker import`. */
  readonly edits: readonly RootfsEdit[];
  /** `docker import --change` lines. */
  readonly changes: readonly string[];
}

/** The recipe of the stock image of `suite`, from which its tag and cache keys derive. */
export function stockRecipe(suite: StockSuite, mirrors: DebianMirrors): BaseImageRecipe {
  const debootstrap = { suite, variant: "minbase", mirror: mirrors.archive, packages: STOCK_PACKAGES };
  return {
    debootstrap,
    tarball: path.join(CACHE_DIR, `rootfs-stock-${suite}-${recipeHash(debootstrap)}.tar`),
    edits: [...labRootfsEdits(mirrors, { suite, initArgs: INIT_ARGS[suite] }), ...DOCKER_DROP_IN[suite], labCaEdit()],
    changes: IMPORT_CHANGES,
  };
}
