import { createHash } from "node:crypto";
import type { DebianMirrors } from "./apt-sources.js";
import { clear, enable, mask, remove, write, type RootfsEdit } from "./rootfs-edits.js";

/** Debian release the lab hosts run. */
export const LAB_SUITE = "bookworm";

/** Bump when the recipe changes in a way its data does not show (e.g. the build steps). */
const RECIPE_VERSION = 1;

// prettier-ignore
/** Packages debootstrap adds to `minbase`: what a small cloud VPS image has, plus systemd as PID 1. */
export const LAB_PACKAGES: readonly string[] = [
  "openssh-server", "sudo", "iproute2", "ca-certificates", "curl", "python3",
  "systemd", "systemd-sysv", "dbus", "libpam-systemd",
  "gnupg", "procps", "less", "nano", "iptables",
];

/**
 * PID 1 of a lab host: make docker's read-only cgroups and bind-mounted files VPS-like, then exec
 * systemd with `initArgs` (in a container systemd reads its "kernel command line" from PID 1's).
 */
function entrypoint(initArgs: readonly string[]): string {
  return `#!/bin/sh
# bosun lab host init: runs as PID 1, then becomes systemd.
set -eu

# cgroup v1 with --cgroupns=private: docker mounts this container's own cgroups read-only and
# systemd must write them. (Never the machine's /sys/fs/cgroup: that is not mounted here.)
for m in $(awk '$2 ~ "^/sys/fs/cgroup" { print $2 }' /proc/self/mounts); do
  mount -o remount,bind,rw "$m"
done

# docker bind-mounts these; a VPS has plain files (rename over them, hostnamectl set-hostname).
# resolv.conf always follows docker (its DNS knows the lab names); hostname and hosts are taken
# over at first boot only, so a host keeps its own across reboots like a VPS does.
state=/var/lib/bosun-lab
for f in /etc/resolv.conf /etc/hostname /etc/hosts; do
  if grep -q " $f " /proc/self/mountinfo; then
    cp "$f" /run/bosun-lab-copy
    umount "$f"
    if [ "$f" = /etc/resolv.conf ] || [ ! -e "$state/first-boot-done" ]; then
      cat /run/bosun-lab-copy > "$f"
    fi
    rm -f /run/bosun-lab-copy
  fi
done

# Like cloud-init: install the lab key for root once.
if [ -n "\${BOSUN_LAB_AUTHORIZED_KEY:-}" ] && [ ! -e /root/.ssh/authorized_keys ]; then
  mkdir -p -m 700 /root/.ssh
  printf '%s\\n' "$BOSUN_LAB_AUTHORIZED_KEY" > /root/.ssh/authorized_keys
  chmod 600 /root/.ssh/authorized_keys
fi

mkdir -p "$state" && touch "$state/first-boot-done"
exec env -u BOSUN_LAB_AUTHORIZED_KEY /sbin/init${initArgs.map((a) => ` ${a}`).join("")}
`;
}

const HOSTKEYS_UNIT = `[Unit]
Description=Generate this host's SSH host keys (bosun lab first boot)
Before=ssh.service
ConditionPathExists=!/etc/ssh/ssh_host_ed25519_key

[Service]
Type=oneshot
ExecStart=/usr/bin/ssh-keygen -A

[Install]
WantedBy=ssh.service
`;

const SSH_HOST_KEYS = ["rsa", "ecdsa", "ed25519"].flatMap((t) => [`/etc/ssh/ssh_host_${t}_key`, `/etc/ssh/ssh_host_${t}_key.pub`]);

/** Units that cannot work in a container (or would touch the machine) and are masked. */
export const MASKED_UNITS: readonly string[] = [
  "systemd-sysctl.service", // would write the machine's /proc/sys (read-only here anyway)
  "systemd-binfmt.service",
  "proc-sys-fs-binfmt_misc.automount",
  "proc-sys-fs-binfmt_misc.mount",
  "getty@tty1.service", // no consoles in a container
  "console-getty.service",
  "getty-static.service",
  "e2scrub_reap.service", // no block devices to scrub or trim
  "e2scrub_all.timer",
  "fstrim.timer",
];

/** Where the lab's init script lives inside the image. */
export const ENTRYPOINT_PATH = "/usr/local/sbin/bosun-lab-init";

/** Options of {@link labRootfsEdits}. */
export interface LabRootfsOptions {
  /** Debian suite of the rootfs, for its apt sources (default {@link LAB_SUITE}). */
  readonly suite?: string;
  /** Arguments systemd gets as PID 1 (default none). */
  readonly initArgs?: readonly string[];
}

/** How the debootstrapped rootfs is turned into a lab host. */
export function labRootfsEdits(mirrors: DebianMirrors, options: LabRootfsOptions = {}): RootfsEdit[] {
  const suite = options.suite ?? LAB_SUITE;
  return [
    write(ENTRYPOINT_PATH, entrypoint(options.initArgs ?? []), 0o755),
    // An empty machine-id: systemd makes one at boot without running "first boot" presets.
    write("/etc/machine-id", ""),
    remove("/var/lib/dbus/machine-id"),
    { kind: "symlink", path: "/var/lib/dbus/machine-id", target: "/etc/machine-id" },
    ...SSH_HOST_KEYS.map(remove),
    write("/etc/systemd/system/bosun-lab-hostkeys.service", HOSTKEYS_UNIT),
    enable("bosun-lab-hostkeys.service", "ssh.service"),
    remove("/etc/systemd/system/getty.target.wants/getty@tty1.service"),
    remove("/etc/systemd/system/multi-user.target.wants/e2scrub_reap.service"),
    remove("/etc/systemd/system/timers.target.wants/e2scrub_all.timer"),
    remove("/etc/systemd/system/timers.target.wants/fstrim.timer"),
    ...MASKED_UNITS.map(mask),
    write("/etc/default/locale", "LANG=C.UTF-8\n"),
    write("/etc/hostname", "localhost\n"),
    remove("/etc/apt/sources.list"),
    write(
      "/etc/apt/sources.list.d/debian.sources",
      `Types: deb\nURIs: ${mirrors.archive}\nSuites: ${suite} ${suite}-updates\nComponents: main\n` +
        `Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n\n` +
        `Types: deb\nURIs: ${mirrors.security}\nSuites: ${suite}-security\nComponents: main\n` +
        `Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg\n`,
    ),
    // Like Debian's cloud and container images: no package lists or .debs; run `apt-get update` first.
    clear("/var/cache/apt/archives"),
    clear("/var/lib/apt/lists"),
    remove("/var/log/bootstrap.log"),
  ];
}

/**
 * Signal that stops systemd cleanly. Given to `docker run --stop-signal`: docker 20.10's
 * `import --change` and `commit --change` reject STOPSIGNAL.
 */
export const LAB_STOP_SIGNAL = "SIGRTMIN+3";

/** `docker import --change` lines of a lab host image. */
export const IMPORT_CHANGES: readonly string[] = [
  "ENV container=docker",
  "ENV LANG=C.UTF-8",
  `ENTRYPOINT ["${ENTRYPOINT_PATH}"]`,
  "CMD []",
];

/** Short stable hash of JSON-able data, for cache keys and image tags. */
export function recipeHash(data: unknown): string {
  return createHash("sha256").update(JSON.stringify({ RECIPE_VERSION, data })).digest("hex").slice(0, 12);
}
