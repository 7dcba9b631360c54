/**
 * nginx upstreams a deploy switches: `/etc/nginx/conf.d/bosun-upstream-<name>.conf` holds one
 * `upstream <name> { server ip:port; }` block, and a site proxies to `http://<name>`. The deploy
 * points it at a new container (nginx -t, graceful reload); the nginx role creates a placeholder
 * when the file is missing, so that a site naming the upstream passes `nginx -t` before the first
 * deploy.
 */
import { defineTask, changed, unchanged } from "../../core/task.js";
import { sh } from "../../core/command.js";
import { taskParams, required, optional, typed, nonEmpty } from "../../core/params.js";
import { gracefulNginxReload } from "./nginx-reload.js";

const NAME = typed<string>({ type: "string", pattern: "^[A-Za-z0-9_]+$" });
const NAME_DOC = "Upstream name: the file /etc/nginx/conf.d/bosun-upstream-<name>.conf, and `proxy_pass http://<name>` in a site.";

/** Where the upstream of a fronted service lives: `/etc/nginx/conf.d/bosun-upstream-<name>.conf`. */
export function upstreamFile(name: string): string {
  return `/etc/nginx/conf.d/bosun-upstream-${name}.conf`;
}

/** The upstream block nginx proxies `http://<name>` to. */
export function upstreamConf(name: string, address: string, note: string, backup?: string): string {
  // max_fails=0: a refused connection never benches a server, so a switch back is as immediate as the switch.
  const spare = backup ? `    server ${backup} max_fails=0 backup;\n` : "";
  return `# written by bosun (playbooks/deploy.ts): ${note}. A site proxies to it with proxy_pass http://${name};\nupstream ${name} {\n    server ${address} max_fails=0;\n${spare}}\n`;
}

/** Parameters for {@link switchUpstream}. */
export interface SwitchUpstreamParams {
  /** Upstream name. */
  readonly name: string;
  /** `ip:port` to send the requests to. */
  readonly address: string;
  /** A backup server (`backup`): nginx sends there when it cannot connect to `address`. */
  readonly backup?: string;
  /** What runs there (the file's comment). */
  readonly note: string;
}

/**
 * Point an nginx upstream at one address (and a backup): write the upstream file, `nginx -t` (the
 * old file goes back when it fails), then a graceful reload, and wait until no worker of the old
 * configuration accepts connections any more (they finish their requests): when the task ends,
 * every new request follows the new file. Runs with sudo. ONE command; unchanged when the file
 * already names those servers.
 * @example switchUpstream({ name: "demo_app", address: "172.18.0.5:8080", note: "demo app v2" })
 */
export const switchUpstream = defineTask<SwitchUpstreamParams>({
  id: "deploy.switchUpstream",
  description: "Point an nginx upstream at a new container: write the file, nginx -t, graceful reload.",
  title: (p) => `nginx upstream ${p.name} -> ${p.address}${p.backup ? ` (backup ${p.backup})` : ""}`,
  schema: taskParams({
    name: required(NAME, NAME_DOC),
    address: required(nonEmpty, "`ip:port` nginx sends requests to (the upstream's primary server)."),
    note: required(nonEmpty, "What runs there, written as the file's comment."),
    backup: optional(nonEmpty, "`ip:port` of a backup server: nginx sends there when it cannot connect to `address`."),
  }),
  async check(host, p) {
    const file = upstreamFile(p.name);
    const current = await host.exec(sh`cat -- ${file} 2>/dev/null || true`);
    const content = upstreamConf(p.name, p.address, p.note, p.backup);
    const servers = (text: string) => text.split("\n").filter((l) => l.trim().startsWith("server "));
    if (JSON.stringify(servers(current.stdout)) === JSON.stringify(servers(content)))
      return unchanged(`${p.name} already sends to ${p.address}${p.backup ? ` (backup ${p.backup})` : ""}`);
    const write = sh`f=${file}; b="$f.bosun-prev"; rm -f -- "$b"; [ -f "$f" ] && cp -p -- "$f" "$b"
printf '%s' ${content} > "$f.tmp" && mv -f -- "$f.tmp" "$f" || exit 1
if ! nginx -t 2>&1; then if [ -f "$b" ]; then mv -f -- "$b" "$f"; else rm -f -- "$f"; fi; exit 1; fi
rm -f -- "$b"
${gracefulNginxReload}`;
    return changed([{ ...write, label: `write ${file}, nginx -t, reload` }], { message: `${p.name} sends to ${p.address}` });
  },
});

/** The upstream name a proxy target names, when it is `http://<name>` (no port, no dot): a deploy-switched upstream. */
export function switchedUpstreamName(target: string): string | undefined {
  return /^https?:\/\/([A-Za-z0-9_]+)\/?$/.exec(target)?.[1];
}

/**
 * Create the upstream file with a placeholder server (marked `down`: nginx answers 502 until a
 * deploy points it at a container) when it is missing; an existing file is the deploy's and is
 * left alone. Runs with the role's sudo.
 * @example nginxUpstreamPlaceholder({ name: "demo_app" })
 */
export const nginxUpstreamPlaceholder = defineTask<{ readonly name: string }>({
  id: "tls.nginxUpstreamPlaceholder",
  description: "Create a deploy-switched nginx upstream file with a placeholder when it is missing (the deploy owns it after).",
  title: (p) => `nginx upstream ${p.name} (exists)`,
  schema: taskParams({ name: required(NAME, NAME_DOC) }),
  async check(host, p) {
    const file = upstreamFile(p.name);
    const r = await host.exec(sh`[ -e ${file} ] && echo present || true`);
    if (r.stdout.trim() === "present") return unchanged(`${file} exists (the deploy points it)`);
    const content = upstreamConf(p.name, "127.0.0.1:9 down", "placeholder until the first deploy");
    return changed([sh`mkdir -p /etc/nginx/conf.d && printf '%s' ${content} > ${file}`], { message: `created ${file} (placeholder)` });
  },
});
