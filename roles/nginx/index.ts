/**
 * Role `nginx`: nginx installed and running, one vhost per portal or service from the template
 * beside the role, each with the ACME http-01 webroot on port 80 and, once its certificate exists,
 * HTTPS with a redirect from HTTP. Run it before the certbot role (HTTP only, for webroot
 * challenges) and again after it (TLS): `tls: "auto"` switches a site to HTTPS when its
 * certificate is there.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { TaskResult } from "../../lib/core/task.js";
import { sh } from "../../lib/core/command.js";
import { command, type CommandOutput } from "../../lib/tasks/command.js";
import { apt } from "../../lib/tasks/packages/index.js";
import { ensureDir, ensureFile } from "../../lib/tasks/files/index.js";
import { service } from "../../lib/tasks/services/index.js";
import { nginxSite, nginxUpstreamPlaceholder, switchedUpstreamName } from "../../lib/tasks/tls/index.js";
import { defineRole } from "../../lib/run/role.js";

/** The template the role renders for each site. */
export const NGINX_SITE_TEMPLATE = path.join(path.dirname(fileURLToPath(import.meta.url)), "templates", "site.conf.hbs");

/** A location proxied to an upstream. */
export interface NginxRoleLocation {
  /** Location prefix, e.g. "/" or "/api/". */
  readonly path: string;
  /** Where to proxy it, e.g. "http://127.0.0.1:8080". */
  readonly upstream: string;
}

/** One vhost: a portal or a service. */
export interface NginxRoleSite {
  /** Site name: /etc/nginx/sites-available/<name>. */
  readonly name: string;
  /** Host names it answers (server_name). */
  readonly serverNames: readonly string[];
  /** Proxy "/" to this upstream (shorthand for one location). */
  readonly upstream?: string;
  /** Proxied locations. */
  readonly locations?: readonly NginxRoleLocation[];
  /** Serve static files from this directory instead. */
  readonly root?: string;
  /** certbot lineage with its certificate (default: the first server name). */
  readonly certName?: string;
  /** HTTPS: "auto" (default) when the certificate exists, true always (nginx -t fails without it), false never. */
  readonly tls?: boolean | "auto";
  /** Largest request body ("10m"). */
  readonly clientMaxBodySize?: string;
}

/** Inputs of {@link nginxRole}. */
export interface NginxRoleInput {
  /** The vhosts. */
  readonly sites: readonly NginxRoleSite[];
  /** Directory served at /.well-known/acme-challenge/ on port 80 for certbot's webroot ("/var/www/letsencrypt"). */
  readonly acmeWebroot?: string;
  /** Remove Debian's default site (true). */
  readonly removeDefaultSite?: boolean;
  /** Another handlebars template for the sites (variables: site, tls, acmeWebroot). */
  readonly template?: string;
  /** Tags given to the role's tasks (["nginx"]). */
  readonly tags?: readonly string[];
}

/** The defaults of {@link NginxRoleInput}. */
export const NGINX_ROLE_DEFAULTS = {
  acmeWebroot: "/var/www/letsencrypt",
  removeDefaultSite: true,
  template: NGINX_SITE_TEMPLATE,
  tags: ["nginx"] as readonly string[],
} as const;

/** What {@link nginxRole} did. */
export interface NginxRoleResult {
  /** Task results in order. */
  readonly results: readonly TaskResult[];
  /** Sites served over HTTPS. */
  readonly tlsSites: readonly string[];
}

/** Makes `Connection: upgrade` pass through proxies (websockets): the map the template uses. */
const UPGRADE_MAP =
  "# written by bosun (roles/nginx)\nmap $http_upgrade $connection_upgrade {\n    default upgrade;\n    ''      close;\n}\n";

/** A site with defaults filled in, as the template sees it. */
export function siteVars(site: NginxRoleSite): Required<Pick<NginxRoleSite, "name" | "serverNames" | "certName" | "clientMaxBodySize">> & {
  locations: NginxRoleLocation[];
  root?: string;
} {
  const locations = [...(site.locations ?? []), ...(site.upstream ? [{ path: "/", upstream: site.upstream }] : [])];
  if (!locations.length && !site.root) throw new Error(`Cannot configure nginx site "${site.name}": give upstream, locations or root`);
  return {
    name: site.name,
    serverNames: site.serverNames,
    certName: site.certName ?? (site.serverNames[0] ?? site.name).replace(/^\*\./, ""),
    clientMaxBodySize: site.clientMaxBodySize ?? "10m",
    locations,
    ...(site.root ? { root: site.root } : {}),
  };
}

/**
 * Install nginx and configure the vhosts; every vhost passes `nginx -t` before it goes live.
 * @example await nginxRole(host, { sites: [{ name: "portal", serverNames: ["portal.example.org"], upstream: "http://127.0.0.1:3000" }] })
 */
export const nginxRole = defineRole<NginxRoleInput, NginxRoleResult, typeof NGINX_ROLE_DEFAULTS>({
  name: "nginx",
  description: "nginx with one TLS site per entry, tested with nginx -t before it is reloaded.",
  defaults: NGINX_ROLE_DEFAULTS,
  async apply(host, input) {
    const o = { ...NGINX_ROLE_DEFAULTS, ...input };
    const tags = o.tags;
    const sites = o.sites.map((s) => ({ spec: s, vars: siteVars(s) }));
    const results: TaskResult[] = [];
    results.push(await host.run(apt({ names: "nginx", updateCache: true, cacheValidSeconds: 86_400, tags })));
    results.push(await host.run(ensureDir({ path: o.acmeWebroot, mode: "0755", tags })));
    results.push(
      await host.run(
        ensureFile({ path: "/etc/nginx/conf.d/bosun-upgrade.conf", content: UPGRADE_MAP, mode: "0644", createParents: true, tags }),
      ),
    );
    const names = sites.filter((s) => s.spec.tls !== false).map((s) => s.vars.certName);
    const probe = await host.run(
      command({
        cmd: sh`for n in ${names}; do if [ -f "/etc/letsencrypt/live/$n/fullchain.pem" ]; then echo "$n"; fi; done`,
        readOnly: true,
        title: "certificates present",
        tags,
      }),
    );
    results.push(probe);
    const present = new Set(((probe.output as CommandOutput | undefined)?.stdout ?? "").split("\n").filter(Boolean));
    // Sites proxying to `http://<name>` use an upstream a deploy switches: it must exist for nginx -t.
    const upstreams = [
      ...new Set(sites.flatMap((s) => s.vars.locations.map((l) => switchedUpstreamName(l.upstream)).filter((n) => n !== undefined))),
    ];
    for (const name of upstreams) results.push(await host.run(nginxUpstreamPlaceholder({ name, tags })));
    const tlsSites: string[] = [];
    for (const { spec, vars } of sites) {
      const tls = spec.tls === true || ((spec.tls ?? "auto") === "auto" && present.has(vars.certName));
      if (tls) tlsSites.push(spec.name);
      results.push(
        await host.run(nginxSite({ name: spec.name, template: o.template, vars: { site: vars, tls, acmeWebroot: o.acmeWebroot }, tags })),
      );
    }
    if (o.removeDefaultSite) results.push(await host.run(nginxSite({ name: "default", state: "absent", tags })));
    results.push(await host.run(service({ name: "nginx", enabled: true, state: "started", tags })));
    return { results, tlsSites };
  },
});
