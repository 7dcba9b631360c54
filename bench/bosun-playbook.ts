/**
 * The benchmark's work as bosun does it: the same 20 tasks, in the same order, with the same results
 * on the host as ansible/site.yml (run.ts compares the two hosts' state after each first run).
 * Nothing is gathered up front and nothing is installed.
 */
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  authorizedKey,
  blockInFile,
  command,
  ensureDir,
  ensureFile,
  ensureGroup,
  ensureUser,
  lineInFile,
  playbook,
  sudoers,
  symlink,
  templateFile,
  type Host,
  type Playbook,
  type Vars,
} from "bosun";

const here = path.dirname(fileURLToPath(import.meta.url));

/** bench/ (this file's directory, or its parent when this is the compiled copy in bench/.build). */
export const BENCH_DIR = existsSync(path.join(here, "vars.json")) ? here : path.dirname(here);

/** The variables both playbooks use (bench/vars.json). */
export const BENCH_VARS = JSON.parse(readFileSync(path.join(BENCH_DIR, "vars.json"), "utf8")) as Vars & {
  readonly app_user: string;
  readonly app_group: string;
  readonly app_gid: number;
  readonly app_root: string;
  readonly app_release: string;
};

/** Tasks per host, the same in ansible/site.yml. */
export const BENCH_TASKS = 20;

const local = (file: string): string => path.join(BENCH_DIR, file);

/** The 20 tasks for one host. */
export async function benchHost(host: Host, vars: Vars): Promise<void> {
  const v = vars as typeof BENCH_VARS;
  const user = v.app_user;
  const dir = (p: string) => ensureDir({ path: p, owner: user, group: user, mode: "0750" });
  await host.run(ensureGroup({ name: v.app_group, gid: v.app_gid }));
  await host.run(ensureUser({ name: user, groups: [v.app_group], append: true, shell: "/bin/bash", comment: "Deploy user" }));
  await host.run(sudoers({ name: "deploy", user, nopasswd: true }));
  await host.run(authorizedKey({ user, key: readFileSync(local("files/deploy.pub"), "utf8") }));
  await host.run(dir(v.app_root));
  await host.run(dir(`${v.app_root}/releases`));
  await host.run(dir(`${v.app_root}/releases/${v.app_release}`));
  await host.run(dir(`${v.app_root}/shared`));
  await host.run(dir(`${v.app_root}/shared/log`));
  await host.run(ensureDir({ path: "/etc/app", owner: "root", group: "root", mode: "0755" }));
  await host.run(symlink({ src: `${v.app_root}/releases/${v.app_release}`, dest: `${v.app_root}/current` }));
  await host.run(
    templateFile({ src: local("templates/app.conf.hbs"), dest: "/etc/app/app.conf", owner: "root", group: "root", mode: "0644" }),
  );
  await host.run(templateFile({ src: local("templates/env.hbs"), dest: "/etc/app/env", owner: "root", group: user, mode: "0640" }));
  await host.run(ensureFile({ src: local("files/healthcheck.sh"), path: "/usr/local/bin/app-healthcheck", mode: "0755" }));
  await host.run(ensureFile({ src: local("files/logging.conf"), path: "/etc/app/logging.conf", mode: "0644" }));
  await host.run(ensureFile({ content: "export APP_HOME=/srv/app/current\n", path: "/etc/profile.d/app.sh", mode: "0644" }));
  await host.run(lineInFile({ path: "/etc/environment", regexp: "^APP_ENV=", line: "APP_ENV=production" }));
  await host.run(lineInFile({ path: "/etc/default/useradd", regexp: "^SHELL=", line: "SHELL=/bin/bash" }));
  await host.run(
    blockInFile({
      path: "/etc/security/limits.conf",
      marker: "# {mark} bench limits",
      block: "deploy soft nofile 65536\ndeploy hard nofile 65536\n",
    }),
  );
  await host.run(command({ cmd: ["id", user], readOnly: true }));
}

/** The benchmark playbook: all hosts, the vars of bench/vars.json. */
export const benchPlaybook: Playbook = playbook({ name: "bench", hosts: "all", vars: BENCH_VARS, run: benchHost });
