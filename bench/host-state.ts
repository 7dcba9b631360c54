/**
 * The lab hosts' state around the timed runs, with plain `ssh` (never bosun): a reset that removes
 * everything the benchmark playbooks create and restores the files they edit (so every first run
 * starts from a fresh host, without recreating containers), and a fingerprint of what they leave,
 * to check that both tools did the same work.
 */
import { labSshOptions, type LabHost } from "../lib/lab/index.js";
import { runProcess, type ProcessResult } from "../lib/lab/process.js";

/** Files the playbooks edit in place (lineinfile, blockinfile); the reset restores them. */
export const EDITED_FILES = ["/etc/environment", "/etc/default/useradd", "/etc/security/limits.conf"] as const;

/** The reset: undo every task, print the edited files' checksums, fail unless the host is clean. */
const RESET = `
userdel -r deploy >/dev/null 2>&1; groupdel deploy >/dev/null 2>&1; groupdel bench-ops >/dev/null 2>&1
rm -rf /srv/app /etc/app /etc/sudoers.d/deploy /usr/local/bin/app-healthcheck /etc/profile.d/app.sh /root/.ansible /home/deploy
sed -i '/^APP_ENV=/d' /etc/environment
sed -i 's#^SHELL=/bin/bash$#SHELL=/bin/sh#' /etc/default/useradd
sed -i '/^# BEGIN bench limits$/,/^# END bench limits$/d' /etc/security/limits.conf
sha256sum ${EDITED_FILES.join(" ")}
! id deploy >/dev/null 2>&1 && ! getent group bench-ops >/dev/null && ! [ -e /srv/app ] && ! [ -e /etc/app ]
`;

const PATHS = [
  "/srv/app",
  "/srv/app/releases",
  "/srv/app/releases/v1",
  "/srv/app/shared",
  "/srv/app/shared/log",
  "/srv/app/current",
  "/etc/app",
  "/etc/app/app.conf",
  "/etc/app/env",
  "/etc/app/logging.conf",
  "/usr/local/bin/app-healthcheck",
  "/etc/profile.d/app.sh",
  "/etc/sudoers.d/deploy",
  "/home/deploy",
  "/home/deploy/.ssh",
  "/home/deploy/.ssh/authorized_keys",
  ...EDITED_FILES,
];

const FILES = [
  "/etc/app/app.conf",
  "/etc/app/env",
  "/etc/app/logging.conf",
  "/usr/local/bin/app-healthcheck",
  "/etc/profile.d/app.sh",
  "/etc/sudoers.d/deploy",
  "/home/deploy/.ssh/authorized_keys",
  ...EDITED_FILES,
];

/** The fingerprint: type, mode, owner of each path, link target, file checksums, the account. */
const FINGERPRINT = `
for p in ${PATHS.join(" ")}; do stat -c '%n %F %a %U:%G' "$p" 2>&1; done
readlink /srv/app/current
sha256sum ${FILES.join(" ")} 2>&1
getent passwd deploy; getent group bench-ops; getent group deploy; id deploy
`;

function ssh(host: Pick<LabHost, "sshPort">, script: string): Promise<ProcessResult> {
  return runProcess(["ssh", ...labSshOptions(host.sshPort), "root@127.0.0.1", script], { allowFailure: true });
}

/** Run `worker` over `items`, at most `limit` at once. */
export async function eachLimited<T, R>(items: readonly T[], limit: number, worker: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await worker(items[i] as T);
      }
    }),
  );
  return out;
}

/**
 * Reset hosts to fresh: remove what the playbooks create and restore the edited files, then check
 * the edited files against `pristine` (their checksums in the lab image). Throws naming the host.
 */
export async function resetHosts(hosts: readonly LabHost[], pristine: string): Promise<void> {
  await eachLimited(hosts, 10, async (h) => {
    const r = await ssh(h, RESET);
    if (r.code !== 0 || r.stdout !== pristine) {
      throw new Error(
        `Cannot reset ${h.name} to a fresh host (exit ${r.code}):\n${r.stdout}${r.stderr}` +
          (r.stdout !== pristine ? `\nexpected:\n${pristine}` : ""),
      );
    }
  });
}

/** The edited files' checksums in the lab image itself (`sha256sum` output), what a reset must restore. */
export async function pristineChecksums(container: string): Promise<string> {
  const image = (await runProcess(["docker", "inspect", "--format", "{{.Config.Image}}", container])).stdout.trim();
  return (await runProcess(["docker", "run", "--rm", "--network", "none", "--entrypoint", "sha256sum", image, ...EDITED_FILES])).stdout;
}

/** What the playbook left on a host, as text to compare between the tools. */
export async function fingerprint(host: LabHost): Promise<string> {
  const r = await ssh(host, FINGERPRINT);
  return r.stdout + r.stderr;
}
