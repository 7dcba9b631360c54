/**
 * The README's main command, `npm install && npm run demo`: on a machine with nothing set up, bring up
 * the lab (prerequisites, host image, services, `lab1..N`), then run the real playbooks against it
 * — bootstrap as root on fresh hosts, then site as the deploy user: bootstrap (nothing left to
 * change) → deploy (tag v1 of the demo app from the lab registry) → tls-renew (a certificate from
 * the lab CA, nginx serving HTTPS) — and end with a URL on 127.0.0.1 that answers over HTTPS with
 * the lab CA. Running it again reuses the lab and changes nothing.
 *
 *   npm run demo                 # lab "lab", 2 hosts, tag v1
 *   npm run demo -- --tag v2     # deploy another release of the demo app
 */
import https from "node:https";
import path from "node:path";
import { readFileSync, realpathSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { RunEvents } from "./lib/core/events.js";
import type { Playbook } from "./lib/run/playbook.js";
import type { RunReport } from "./lib/core/report.js";
import { runPlaybook } from "./lib/run/runner.js";
import { formatRecap } from "./lib/cli/recap.js";
import { wantsColor } from "./lib/cli/color.js";
import { PlainRenderer } from "./lib/cli/render-plain.js";
import { ListrRenderer } from "./lib/cli/render-listr.js";
import type { TextSink } from "./lib/cli/output.js";
import { loadInventory } from "./lib/inventory/index.js";
import type { Inventory, Vars } from "./lib/inventory/types.js";
import { labUp, type LabInfo, type LabVariant } from "./lib/lab/index.js";
import { servicesUp, type LabServices } from "./lib/lab/services/index.js";
import { bootstrap } from "./playbooks/bootstrap/playbook.js";
import { site } from "./playbooks/site/playbook.js";
import { labFqdn, writeLabDemoInventory } from "./playbooks/lab/inventory.js";
import { hostsNeedingRoot } from "./playbooks/lab/login-user.js";
import { acmeRootChanged, forgetAcmeAccounts, recordAcmeRoot } from "./playbooks/lab/acme-epoch.js";

/** Options of {@link runDemo}. */
export interface DemoOptions {
  /** Lab name ("lab": inventory/lab.yml); tests use their own. */
  readonly name?: string;
  /** Lab hosts (2). */
  readonly count?: number;
  /** Demo app tag to deploy ("v1"). */
  readonly tag?: string;
  /** Where progress and the summary go (process.stdout). */
  readonly out?: TextSink & { readonly isTTY?: boolean };
  /** Progress of each playbook: "auto" (a live tree on a terminal, plain lines otherwise), "plain", or "none" (recaps only). */
  readonly progress?: "auto" | "plain" | "none";
  /** Lab owner label (a test run id), so a test run can clean up after itself. */
  readonly owner?: string;
  /** Host image: "fresh" (a new VPS; default) or "docker" (docker.io preinstalled: tests save its install). */
  readonly variant?: LabVariant;
}

/** What one demo run did. */
export interface DemoResult {
  /** The lab. */
  readonly info: LabInfo;
  /** The lab services. */
  readonly services: LabServices;
  /** The inventory the playbooks ran with. */
  readonly inventoryPath: string;
  /** Each playbook run, in order: bootstrap as root (fresh hosts only), the lab CA reset (after pebble restarted), then site. */
  readonly runs: readonly { readonly label: string; readonly report: RunReport }[];
  /** Tasks that changed something, over all runs (0 on a converged lab). */
  readonly changed: number;
  /** The HTTPS URL of the first host's /version, as answered through 127.0.0.1. */
  readonly url: string;
  /** A curl command that checks it with the lab CA. */
  readonly curl: string;
  /** What the URL answered. */
  readonly answer: string;
}

/** A failed demo step, with the exit code `npm run demo` ends with. */
export class DemoError extends Error {
  constructor(
    message: string,
    readonly exitCode: number,
  ) {
    super(message);
    this.name = "DemoError";
  }
}

const rel = (p: string): string => path.relative(process.cwd(), p) || p;

/** GET `https://<name>:<port><path>` from 127.0.0.1, trusting only `ca`; resolves with status and body. */
export function httpsGet(name: string, port: number, urlPath: string, ca: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = https.get(
      { host: "127.0.0.1", port, path: urlPath, servername: name, headers: { host: `${name}:${port}` }, ca, timeout: 10_000 },
      (res) => {
        let body = "";
        res.setEncoding("utf8");
        res.on("data", (c: string) => (body += c));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on("timeout", () => req.destroy(new Error(`no answer from 127.0.0.1:${port} within 10 s`)));
    req.on("error", reject);
  });
}

/** Run one playbook with progress on `out`; returns the report (the recap is printed). */
async function run(
  book: Playbook,
  inventory: Inventory,
  label: string,
  o: Required<Pick<DemoOptions, "out" | "progress">>,
  extraVars: Vars = {},
  limit?: string,
): Promise<RunReport> {
  const events = new RunEvents();
  const tty = !!o.out.isTTY;
  const live = o.progress === "auto" && tty && o.out === process.stdout && (process.stdout.columns ?? 0) > 0;
  const renderer =
    o.progress === "none"
      ? undefined
      : live
        ? new ListrRenderer({ out: o.out, color: wantsColor(tty) })
        : new PlainRenderer(o.out, { color: wantsColor(tty) });
  renderer?.attach(events);
  o.out.write(`\n== ${label}\n`);
  const report = await runPlaybook(book, { inventory, events, extraVars, ...(limit ? { limit } : {}) });
  await renderer?.close();
  o.out.write(formatRecap(report, { color: wantsColor(tty) }));
  return report;
}

type Settings = Required<Omit<DemoOptions, "owner" | "variant">> & Pick<DemoOptions, "owner" | "variant">;

/** The lab services, the lab hosts and their inventory with the demo's variables. */
async function prepareLab(o: Settings, say: (line: string) => void) {
  say("bosun demo: preparing this machine and the lab services (the first time: a few minutes) ...");
  const services = await servicesUp();
  say(`lab services: registry ${services.registry.address}, ACME CA ${services.acme.directoryUrl}, files ${services.files.url}`);
  const info = await labUp({
    name: o.name,
    count: o.count,
    log: (l) => say(`  ${l}`),
    ...(o.owner ? { owner: o.owner } : {}),
    ...(o.variant ? { variant: o.variant } : {}),
  });
  const inventoryPath = writeLabDemoInventory(info, services);
  say(`lab "${info.name}": ${info.hosts.map((h) => h.name).join(", ")}; inventory ${rel(inventoryPath)}`);
  return { services, info, inventoryPath, inventory: await loadInventory(inventoryPath) };
}

/**
 * Fresh hosts accept only root (like a new VPS): their first bootstrap runs as root, as
 * `-e ansible_user=root` does. Then site as the deploy user: bootstrap again (nothing left to
 * change), deploy, tls-renew. Throws a {@link DemoError} when a run fails.
 */
async function runPlaybooks(o: Settings, lab: Awaited<ReturnType<typeof prepareLab>>): Promise<DemoResult["runs"]> {
  const { inventory, info, services } = lab;
  const runs: { label: string; report: RunReport }[] = [];
  const step = async (book: Playbook, label: string, extraVars: Vars = {}, limit?: string) => {
    const report = await run(book, inventory, label, o, extraVars, limit);
    runs.push({ label, report });
    if (report.exitCode !== 0) {
      const errors = Object.values(report.hostErrors).join("\n");
      throw new DemoError(`The demo stopped: ${label} failed (exit ${report.exitCode})${errors ? `\n${errors}` : ""}`, report.exitCode);
    }
  };
  const inv = inventoryArg(o.name, lab.inventoryPath);
  const fresh = await hostsNeedingRoot(inventory);
  if (fresh.length) {
    const limit = fresh.length === inventory.hosts.size ? "" : ` --limit ${fresh.join(",")}`;
    const command = `tsx playbooks/bootstrap.ts --inventory ${inv} -e ansible_user=root${limit}`;
    await step(bootstrap, `bootstrap, first run as root: ${command}`, { ansible_user: "root" }, fresh.join(","));
  }
  // Lab only: a restarted pebble has a new root and no accounts; hosts with certificates from before reissue from scratch.
  const caRestarted = fresh.length < inventory.hosts.size && acmeRootChanged(info.name, services.acme.rootFile);
  if (caRestarted) {
    await step(
      forgetAcmeAccounts,
      "the lab CA restarted since the last demo (new root, no accounts): forget certbot's accounts, then reissue",
    );
  }
  const reissue = caRestarted ? { tls_renew_before_days: 1000 } : {};
  await step(site, `site (bootstrap → deploy ${o.tag} → tls-renew): tsx playbooks/site.ts --inventory ${inv} --tag ${o.tag}`, {
    tag: o.tag,
    ...reissue,
  });
  return runs;
}

/** How the commands the demo prints name the inventory: `lab`, or the path of a test lab's. */
function inventoryArg(name: string, inventoryPath: string): string {
  return name === "lab" ? "lab" : rel(inventoryPath);
}

/** Ask the first host's /version over HTTPS through 127.0.0.1, trusting only the lab CA's root. */
async function answerOverHttps(info: LabInfo, services: LabServices): Promise<{ url: string; curl: string; answer: string }> {
  const first = info.hosts[0]!;
  const name = labFqdn(first);
  const url = `https://${name}:${first.httpsPort}/version`;
  const answer = await httpsGet(name, first.httpsPort, "/version", readFileSync(services.acme.rootFile, "utf8")).catch((error: Error) => {
    throw new DemoError(
      `The demo ran, but ${url} (127.0.0.1:${first.httpsPort}) does not answer over HTTPS with the lab CA: ${error.message}`,
      2,
    );
  });
  if (answer.status !== 200) throw new DemoError(`The demo ran, but ${url} answered HTTP ${answer.status}: ${answer.body.trim()}`, 2);
  const curl = `curl --cacert ${rel(services.acme.rootFile)} --resolve ${name}:${first.httpsPort}:127.0.0.1 ${url}`;
  return { url, curl, answer: answer.body.trim() };
}

/** Bring the lab up and run bootstrap → deploy → tls-renew on it; see the file comment. */
export async function runDemo(options: DemoOptions = {}): Promise<DemoResult> {
  const o: Settings = { name: "lab", count: 2, tag: "v1", out: process.stdout, progress: "auto", ...options };
  const say = (line: string) => o.out.write(`${line}\n`);
  const t0 = Date.now();
  const lab = await prepareLab(o, say);
  const runs = await runPlaybooks(o, lab);
  const { url, curl, answer } = await answerOverHttps(lab.info, lab.services);
  recordAcmeRoot(lab.info.name, lab.services.acme.rootFile);
  const changed = runs.reduce((n, r) => n + Object.values(r.report.stats).reduce((m, s) => m + s.changed, 0), 0);
  const first = lab.info.hosts[0]!;
  const inv = inventoryArg(o.name, lab.inventoryPath);
  const down = o.name === "lab" ? "npm run lab -- down" : `npm run lab -- down --name ${o.name}`;
  const seconds = Math.round((Date.now() - t0) / 1000);
  say("");
  say(`Done in ${seconds} s: ${changed === 0 ? "nothing changed (the lab was converged already)" : `${changed} change(s)`}.`);
  say(`The demo app ${answer} answers over HTTPS with a certificate from the lab CA:`);
  say(`  ${url}    (127.0.0.1:${first.httpsPort} is ${first.name}'s port 443)`);
  say(`  ${curl}`);
  say("Where to look:");
  say(`  ${rel(lab.inventoryPath).padEnd(28)} the lab inventory: hosts and the variables of the lab services`);
  say(`  ${"npm run lab -- status".padEnd(28)} lab hosts, their ports, and the images`);
  say(`  ${`tsx playbooks/deploy.ts --inventory ${inv} --tag v2`}   deploy another release (v1, v2, v3, broken)`);
  say(`  ${down.padEnd(28)} remove the lab hosts (add --all to stop the services too)`);
  return { info: lab.info, services: lab.services, inventoryPath: lab.inventoryPath, runs, changed, url, curl, answer };
}

function isEntry(): boolean {
  try {
    return !!process.argv[1] && realpathSync(process.argv[1]) === realpathSync(fileURLToPath(import.meta.url));
  } catch {
    return false;
  }
}

if (isEntry()) {
  const { values } = parseArgs({ options: { tag: { type: "string" }, count: { type: "string" }, name: { type: "string" } } });
  runDemo({
    ...(values.tag ? { tag: values.tag } : {}),
    ...(values.count ? { count: Number(values.count) } : {}),
    ...(values.name ? { name: values.name } : {}),
  }).then(
    () => (process.exitCode = 0),
    (error: unknown) => {
      process.stderr.write(`\n${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = error instanceof DemoError ? error.exitCode : 1;
    },
  );
}
