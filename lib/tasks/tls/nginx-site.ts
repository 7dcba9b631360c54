/** nginxSite: an nginx vhost in sites-available, enabled, checked by `nginx -t`, live after a reload. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged, needing, type Prerequisite, type TaskHost } from "../../core/task.js";
import { sh, raw, type Command } from "../../core/command.js";
import { BosunError } from "../../core/errors.js";
import { taskParams, required, optional, typed, str, nonEmpty, bool, any, oneOf, record, type Static } from "../../core/params.js";
import type { Vars } from "../../core/vars.js";
import { renderTemplateFile } from "../../template/render.js";
import { resolveLocalPath } from "../files/local-source.js";
import { gracefulNginxReload } from "./nginx-reload.js";

/** What {@link nginxSite} manages. */
export interface NginxSiteOutput {
  /** /etc/nginx/sites-available/<name>. */
  readonly path: string;
  /** Whether the site is linked in sites-enabled. */
  readonly enabled: boolean;
}

const AVAILABLE = "/etc/nginx/sites-available";
const ENABLED = "/etc/nginx/sites-enabled";

/** The marker printed when nginx -t rejected the new configuration and the old one was put back. */
export const NGINX_REJECTED = "bosun: nginx -t rejected the change; the previous configuration is restored and still serving";

interface SiteState {
  readonly nginx: boolean;
  readonly sha256?: string;
  /** Link target; "" for a non-link file in sites-enabled; undefined when nothing is there. */
  readonly link?: string;
  readonly active: boolean;
  readonly content?: string;
}

/** The one check command: nginx present, the file's checksum (and content for --diff), the link, nginx running. */
export function siteStateCommand(name: string, withContent: boolean): Command {
  const d = `${AVAILABLE}/${name}`;
  const l = `${ENABLED}/${name}`;
  const content = withContent ? sh`echo @@content; if [ -f ${d} ]; then cat -- ${d}; fi` : raw(":");
  return sh`echo @@nginx; if command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ]; then echo yes; fi; echo @@sha; if [ -f ${d} ]; then sha256sum < ${d} | cut -d' ' -f1; fi; echo @@link; if [ -L ${l} ]; then printf 'L%s\\n' "$(readlink -- ${l})"; elif [ -e ${l} ]; then echo F; fi; echo @@active; systemctl is-active nginx 2>/dev/null; ${content}`;
}

/** Lines of each `@@name` section. */
function sections(stdout: string): Map<string, string[]> {
  const out = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of stdout.split("\n")) {
    const m = /^@@(\w+)$/.exec(line);
    if (m) out.set(m[1] as string, (current = []));
    else if (current && line !== "") current.push(line);
  }
  return out;
}

/** Parse {@link siteStateCommand}'s output. */
export function parseSiteState(stdout: string): SiteState {
  const i = stdout.indexOf("\n@@content\n");
  const s = sections(i < 0 ? stdout : stdout.slice(0, i + 1));
  const link = s.get("link")?.[0];
  return {
    nginx: s.get("nginx")?.[0] === "yes",
    ...(s.get("sha")?.[0] ? { sha256: s.get("sha")?.[0] } : {}),
    ...(link === undefined ? {} : { link: link.startsWith("L") ? link.slice(1) : "" }),
    active: s.get("active")?.[0] === "active",
    ...(i < 0 ? {} : { content: stdout.slice(i + "\n@@content\n".length) }),
  };
}

/**
 * The apply script: install the content (when given) and the link, run `nginx -t`, and when it
 * fails put the previous file and link back and exit 1; then reload nginx when it runs.
 */
export function applySiteCommand(name: string, site: { content: Buffer | undefined; enable: boolean; reload: boolean }): Command {
  const { content, enable, reload } = site;
  const d = `${AVAILABLE}/${name}`;
  const l = `${ENABLED}/${name}`;
  const sha = content ? createHash("sha256").update(content).digest("hex") : "";
  const write = content
    ? sh`t=$(mktemp -- ${`${d}.bosun.XXXXXX`}) || exit 1; trap 'rm -f -- "$t"' EXIT; trap 'rm -f -- "$t"; exit 1' HUP INT TERM PIPE; cat > "$t" && [ "$(sha256sum < "$t" | cut -d' ' -f1)" = ${sha} ] || { echo 'bosun: the vhost arrived incomplete; nothing changed' >&2; exit 1; }; chmod 0644 -- "$t" || exit 1; if [ -e "$d" ]; then b=$(mktemp -- ${`${d}.bosun-old.XXXXXX`}) && cp -p -- "$d" "$b" || exit 1; fi; mv -fT -- "$t" "$d" || exit 1; w=1; `
    : raw("");
  const link = enable
    ? sh`if [ "$(readlink -- "$l" 2>/dev/null)" != "$d" ]; then o=$(readlink -- "$l" 2>/dev/null); ln -sfn -- "$d" "$l" || exit 1; linked=1; fi; `
    : sh`if [ -L "$l" ]; then o=$(readlink -- "$l"); rm -f -- "$l"; linked=1; fi; `;
  const restore = sh`if [ -n "$b" ]; then mv -fT -- "$b" "$d"; elif [ -n "$w" ]; then rm -f -- "$d"; fi; if [ -n "$linked" ]; then if [ -n "$o" ]; then ln -sfn -- "$o" "$l"; else rm -f -- "$l"; fi; fi`;
  const reloadCmd = reload
    ? sh`if systemctl is-active --quiet nginx; then
${gracefulNginxReload}
echo bosun: nginx reloaded; else echo bosun: nginx is not running, not reloaded; fi`
    : raw("echo bosun: reload skipped");
  return {
    text: sh`d=${d}; l=${l}; b=; o=; w=; linked=; ${write}${link}if ! out=$(nginx -t 2>&1); then ${restore}; printf '%s\\n' "$out" >&2; echo ${NGINX_REJECTED} >&2; exit 1; fi; if [ -n "$b" ]; then rm -f -- "$b"; fi; ${reloadCmd}`
      .text,
    ...(content ? { stdin: content } : {}),
    label: `install nginx site ${name}, nginx -t, reload`,
  };
}

async function wantedContent(host: TaskHost, p: NginxSiteParams): Promise<string | undefined> {
  if (p.content !== undefined) return p.content;
  if (p.template === undefined) return undefined;
  try {
    return await renderTemplateFile(resolveLocalPath(p.template), { ...host.vars, ...p.vars });
  } catch (error) {
    throw host.fail(
      error instanceof BosunError ? error.message : String(error),
      "relative template paths start at the directory the playbook runs in",
    );
  }
}

function problem(p: NginxSiteParams): string | undefined {
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(p.name) || p.name.includes(".bosun"))
    return `parameter "name" must be a file name (letters, digits, . _ -), got ${JSON.stringify(p.name)}`;
  const absent = p.state === "absent";
  if (absent && (p.template !== undefined || p.content !== undefined || p.enabled !== undefined))
    return `parameters "template", "content" and "enabled" do not go with state "absent"`;
  if (!absent && (p.template === undefined) === (p.content === undefined))
    return `give exactly one of the parameters "template" and "content"`;
  if (p.vars !== undefined && p.template === undefined) return `parameter "vars" works only with "template"`;
  return undefined;
}

/** Parameters for {@link nginxSite}. Give `template` or `content` (not with state absent). */
export const nginxSiteParams = taskParams({
  name: required(nonEmpty, "Site name: the file /etc/nginx/sites-available/<name> and its link in sites-enabled."),
  template: optional(nonEmpty, "Handlebars template on the controller (strict), rendered with the host's variables and `vars`."),
  content: optional(str, "The vhost text itself, used as is."),
  vars: optional(typed<Vars>(record(any)), "Variables for the template, over the host's variables."),
  enabled: optional(bool, {
    description: "Link it into sites-enabled (default true); false removes the link and keeps the file.",
    default: true,
  }),
  state: optional(oneOf("present", "absent"), { description: "present or absent (file and link removed).", default: "present" }),
  reload: optional(bool, { description: "Reload nginx after a change when it runs (default true).", default: true }),
});
/** Parameters for {@link nginxSite}. Give `template` or `content` (not with state absent). */
export type NginxSiteParams = Static<typeof nginxSiteParams>;

/**
 * Ensure an nginx vhost: the rendered template (or content) at /etc/nginx/sites-available/<name>,
 * linked from sites-enabled. A change is checked with `nginx -t` before it goes live; when nginx
 * rejects it the previous file and link are put back and the task fails, so the old site keeps
 * serving. nginx is reloaded after a change. One command to check, one to apply.
 * @example nginxSite({ name: "app", template: "roles/nginx/templates/site.conf.hbs", vars: { serverName: "app.example.org", upstream: "127.0.0.1:8080" } })
 * @example nginxSite({ name: "default", state: "absent" })
 */
export const nginxSite = defineTask<NginxSiteParams, NginxSiteOutput>({
  id: "tls.nginxSite",
  description: "An nginx vhost from a template, enabled, checked with nginx -t before it goes live, nginx reloaded.",
  title: (p) => `nginx site ${p.name}${p.state === "absent" ? " absent" : p.enabled === false ? " (disabled)" : ""}`,
  schema: nginxSiteParams,
  validate: problem,
  async check(host, p) {
    const content = await wantedContent(host, p);
    const r = await host.exec(siteStateCommand(p.name, host.diffMode));
    if (r.code !== 0) throw host.fail(`Cannot read nginx site "${p.name}": ${r.stderr.trim() || `exit ${r.code}`}`);
    const st = parseSiteState(r.stdout);
    // An earlier task of the run may install nginx: plan against an empty site, the runner settles it.
    const needs: Prerequisite[] = st.nginx
      ? []
      : [
          {
            doing: `Cannot manage nginx site "${p.name}"`,
            missing: "nginx is not installed",
            hint: 'install it first, e.g. apt({ names: "nginx" }) or the nginx role',
          },
        ];
    const d = `${AVAILABLE}/${p.name}`;
    if (st.link === "")
      throw host.fail(
        `Cannot manage nginx site "${p.name}": ${ENABLED}/${p.name} is a file, not a link`,
        `move it to ${d} (or remove it) first`,
      );
    const reload = p.reload ?? true;
    if (p.state === "absent") {
      if (st.sha256 === undefined && st.link === undefined)
        return needing(unchanged(`no site ${p.name}`, { path: d, enabled: false }), needs);
      const reloadCmd = reload
        ? sh`if systemctl is-active --quiet nginx; then
${gracefulNginxReload}
fi`
        : raw(":");
      return changed([sh`rm -f -- ${`${ENABLED}/${p.name}`} ${d} && ${reloadCmd}`], {
        diff: { label: d, before: st.content ?? "(site)\n", after: undefined },
        message: `remove site ${p.name}`,
        output: { path: d, enabled: false },
        needs,
      });
    }
    const bytes = Buffer.from(content ?? "", "utf8");
    const sha = createHash("sha256").update(bytes).digest("hex");
    const enable = p.enabled ?? true;
    const contentDiffers = st.sha256 !== sha;
    const linkDiffers = enable ? st.link !== d && st.link !== `../sites-available/${p.name}` : st.link !== undefined;
    const output = { path: d, enabled: enable };
    if (!contentDiffers && !linkDiffers)
      return needing(
        unchanged(`site ${p.name} is ${enable ? "enabled" : "disabled"}${st.active ? "" : " (nginx is not running)"}`, output),
        needs,
      );
    const what = [
      contentDiffers ? (st.sha256 ? "update" : "write") + ` ${d}` : "",
      linkDiffers ? (enable ? "enable" : "disable") + ` site ${p.name}` : "",
    ].filter(Boolean);
    return changed([applySiteCommand(p.name, { content: contentDiffers ? bytes : undefined, enable, reload })], {
      diff: contentDiffers
        ? { label: d, before: st.content ?? (st.sha256 ? "(content not shown: run with --diff)\n" : undefined), after: content }
        : { label: `${ENABLED}/${p.name}`, before: st.link, after: enable ? d : undefined },
      message: `${what.join(", ")}; nginx -t${reload ? ", reload" : ""}`,
      output,
      needs,
    });
  },
});
