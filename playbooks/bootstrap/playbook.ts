/**
 * Bootstrap a fresh VPS: from "reachable as root (key or password)" to "reachable only by key as
 * the deploy user, with sudo, docker, ufw and the app bundle".
 *
 * First run, as root, the VPS as the provider hands it over (with a root password instead of a
 * key, add `-e ansible_password=...`; it is masked in every output):
 *
 *   tsx playbooks/bootstrap.ts --inventory cfa2 -e ansible_user=root
 *
 * Every later run, as the inventory's deploy user with sudo (`ansible_become: true`); a converged
 * host changes nothing:
 *
 *   tsx playbooks/bootstrap.ts --inventory cfa2
 *
 * The playbook sees which user it is connected as: as root it runs everything directly; as any
 * other user it needs `ansible_become` (and says so). The order keeps the operator from being
 * locked out at every step:
 *   1. base: apt lists, basic packages (with sudo and ufw), time zone, unattended upgrades
 *   2. the deploy user with its authorized keys and a NOPASSWD sudo drop-in (checked by visudo)
 *   3. ssh hardening: root by key only, password login off (refused unless a user with a key and
 *      sudo exists, which step 2 made; an sshd -t check runs before the drop-in goes live)
 *   4. ufw: SSH allowed first, then deny incoming, 80/443 and `firewall_allow_ports`, then enable
 *      (refused if the running session's port would be cut); ufw's rules also cover the ports
 *      docker publishes (DOCKER-USER; `firewall_docker_filter: false` turns that off)
 *   5. docker engine with compose v2 and log rotation (from `docker_source`: Docker's apt repository
 *      or a mirror at `docker_repo_url`, or the distribution's packages; an engine with compose v2
 *      that already works is left alone); the deploy user in the docker group
 *   6. the app bundle in `app_dir`, owned by the deploy user (`app_bundle_exclude` skips paths; env
 *      files synced 0600); `.env` created once, never overwritten, refused while it holds CHANGE_ME
 * --check on a fresh host plans it all, except on a VPS that takes root by password only: there
 * ssh hardening refuses, as it cannot see the deploy user (with a key and sudo) the run would make.
 * Variables: see playbooks/bootstrap/settings.ts and inventory/vds1.yml.
 */
import { BosunError } from "../../lib/core/errors.js";
import type { Host } from "../../lib/run/host.js";
import { playbook } from "../../lib/run/playbook.js";
import { main } from "../../lib/cli/entry.js";
import type { Vars } from "../../lib/inventory/types.js";
import { ensureDir } from "../../lib/tasks/files/index.js";
import { APP_BUNDLE_ROLE_DEFAULTS, appBundleRole } from "../../roles/app-bundle/index.js";
import { baseRole, BASE_PACKAGES } from "../../roles/base/index.js";
import { deployUserRole } from "../../roles/deploy-user/index.js";
import { dockerRole } from "../../roles/docker/index.js";
import { firewallRole } from "../../roles/firewall/index.js";
import { sshHardeningRole } from "../../roles/ssh-hardening/index.js";
import { bootstrapSettings } from "./settings.js";

/** Whether this run is the first one (connected as root) or a later one (a user with sudo); throws when neither works. */
export function bootstrapMode(host: Pick<Host, "name" | "connection" | "become">): "root" | "sudo" {
  if (host.connection.user === "root") return "root";
  if (host.become.enabled) return "sudo";
  throw new BosunError(`Cannot bootstrap as ${host.connection.user}: every step needs root, and ansible_become is not set`, {
    host: host.name,
    hint: "set ansible_become: true in the inventory (the deploy user has passwordless sudo after the first run), or run the first time as root: -e ansible_user=root",
  });
}

/** One host, in the order that never locks the operator out (see the file comment). */
export async function bootstrapHost(host: Host, vars: Vars): Promise<void> {
  const s = bootstrapSettings(vars, host.name);
  const mode = bootstrapMode(host);
  host.log(mode === "root" ? "connected as root: first run" : `connected as ${host.connection.user} with sudo`);
  // sudo for the drop-in (visudo), ufw for the firewall: one apt run instead of two.
  await baseRole(host, { timezone: s.timezone, packages: [...BASE_PACKAGES, "sudo", "ufw"], extraPackages: s.extraPackages });
  await deployUserRole(host, { name: s.deployUser, authorizedKeys: s.authorizedKeys, groups: s.deployGroups });
  // As root by password, turning passwords off locks root out: allowed because the deploy user now
  // has a key and sudo (the task checks that on the host before it writes anything).
  await sshHardeningRole(host, { allowRootLockout: true });
  await firewallRole(host, { sshPort: s.sshPort, ports: s.firewallPorts, dockerFilter: s.firewallDockerFilter });
  await dockerRole(host, {
    users: [s.deployUser], // in --check on a fresh host planned although the user does not exist yet
    ...(s.dockerSource ? { source: s.dockerSource } : {}),
    ...(s.dockerRepoUrl ? { repoUrl: s.dockerRepoUrl } : {}),
    ...(s.dockerRepoKey ? { repoKey: s.dockerRepoKey } : {}),
    ...(s.composePluginDeb ? { composePluginDeb: s.composePluginDeb } : {}),
    ...(s.daemonJson ? { daemonJson: s.daemonJson } : {}),
  });
  if (s.appBundle && s.appDir) {
    await appBundleRole(host, {
      appDir: s.appDir,
      source: s.appBundle,
      owner: s.deployUser,
      ...(s.appEnv ? { envVars: s.appEnv } : {}),
      ...(s.appBundleExclude ? { exclude: [...APP_BUNDLE_ROLE_DEFAULTS.exclude, ...s.appBundleExclude] } : {}),
    });
  } else if (s.appDir) {
    await host.run(ensureDir({ path: s.appDir, owner: s.deployUser, group: s.deployUser, mode: "0750" }));
  }
}

/** The bootstrap playbook: runnable (`tsx playbooks/bootstrap.ts --inventory cfa2 -e ansible_user=root`) and importable. */
export const bootstrap = playbook({
  name: "bootstrap",
  hosts: "all",
  run: bootstrapHost,
});

main(import.meta, bootstrap);
