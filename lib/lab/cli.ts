/**
 * `npm run lab -- up [N] [--name NAME] [--variant fresh|docker|bookworm|trixie]`, `... down [--name NAME | --all]`,
 * `... status`, `... image [--variant ...]`: disposable Debian lab hosts on this machine;
 * `... prerequisites [--check | --versions]`: this machine's tools (lib/lab/controller-tools.ts).
 */
import { parseArgs } from "node:util";
import { ensureLabImage, LAB_VARIANTS, type LabVariant } from "./image.js";
import { labDown } from "./lab-down.js";
import { labStatus } from "./lab-status.js";
import { labUp } from "./hosts.js";
import { controllerToolVersions } from "./controller-tool-versions.js";
import { ensurePrerequisites, missingControllerTools } from "./prerequisites.js";

const USAGE = `usage: npm run lab -- <command>
  up [N] [--name NAME] [--variant V]               start N hosts (default 1) named NAME1..N (default lab)
  down [--name NAME | --all]                       remove a lab (default lab), or every lab and the services
  status                                           list lab hosts, ports and images
  image [--variant V]                              build the host image now (cached)
  prerequisites [--check | --versions]             install this machine's missing tools (lib/lab/controller-tools.ts);
                                                   --check only names the missing ones, --versions prints every version
variants V: fresh (default), docker, bookworm, trixie (stock Debian 12 and 13 images)`;

const log = (line: string) => console.log(`  ${line}`);
const seconds = (t0: number) => `${((Date.now() - t0) / 1000).toFixed(1)} s`;

function variantOf(value: string | undefined): LabVariant {
  if (value === undefined) return "fresh";
  const known = LAB_VARIANTS.find((v) => v === value);
  if (known) return known;
  throw new Error(`Cannot use variant "${value}": choose ${LAB_VARIANTS.join(", ")}`);
}

async function up(positionals: string[], name: string | undefined, variant: LabVariant): Promise<void> {
  const count = positionals[0] === undefined ? 1 : Number(positionals[0]);
  if (!Number.isInteger(count)) throw new Error(`Cannot bring up a lab: host count "${positionals[0]}" is not a number`);
  const t0 = Date.now();
  const info = await labUp({ count, name, variant, log });
  console.log(`lab "${info.name}" is up: ${info.hosts.length} host(s) in ${seconds(t0)}`);
  for (const h of info.hosts) {
    console.log(`  ${h.name.padEnd(12)} ssh -p ${h.sshPort} root@127.0.0.1   http :${h.httpPort}   https :${h.httpsPort}   ip ${h.ip}`);
  }
  console.log(`inventory:   ${info.inventoryPath}`);
  console.log(
    `ssh:         ssh -i ${info.keyPath} -o UserKnownHostsFile=${info.knownHostsPath} -p ${info.hosts[0]?.sshPort} root@127.0.0.1`,
  );
}

async function status(): Promise<void> {
  const s = await labStatus();
  for (const img of s.images) console.log(`image ${img.variant.padEnd(7)} ${img.tag} ${img.built ? "built" : "not built"}`);
  console.log(`network bosun-lab ${s.network ? "present" : "absent"}`);
  if (!s.hosts.length) return console.log("no lab hosts");
  console.log("LAB          HOST         STATE      SSH    HTTP   HTTPS  IP              VARIANT");
  for (const h of s.hosts) {
    console.log(
      `${h.lab.padEnd(12)} ${h.name.padEnd(12)} ${h.state.padEnd(10)} ${String(h.sshPort).padEnd(6)} ` +
        `${String(h.httpPort).padEnd(6)} ${String(h.httpsPort).padEnd(6)} ${h.ip.padEnd(15)} ${h.variant}`,
    );
  }
}

async function prerequisites(check: boolean | undefined, versions: boolean | undefined): Promise<void> {
  if (versions) return console.log((await controllerToolVersions()).join("\n"));
  if (check) {
    const missing = missingControllerTools();
    for (const t of missing) console.log(`missing: ${t.program} (${t.debianPackage ? `apt-get install ${t.debianPackage}` : t.from})`);
    if (missing.length) process.exitCode = 1;
    else console.log("every controller tool is present");
    return;
  }
  const r = await ensurePrerequisites();
  console.log(r.installed.length ? `installed ${r.installed.join(" ")}` : "every controller tool was present");
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      name: { type: "string" },
      variant: { type: "string" },
      all: { type: "boolean" },
      check: { type: "boolean" },
      versions: { type: "boolean" },
      help: { type: "boolean", short: "h" },
    },
  });
  const [command, ...rest] = positionals;
  if (values.help || !command) return console.log(USAGE);
  if (command === "up") return up(rest, values.name, variantOf(values.variant));
  if (command === "down") {
    if (values.all && values.name) throw new Error("Cannot take down a lab: give --name or --all, not both");
    const t0 = Date.now();
    const r = await labDown({ name: values.name, all: values.all });
    const what = values.all ? "all labs" : `lab "${values.name ?? "lab"}"`;
    console.log(
      `${what} down in ${seconds(t0)}: removed ${r.containers.length} container(s), ${r.volumes.length} volume(s)` +
        `${r.services ? ", the lab services" : ""}${r.network ? ", the bosun-lab network" : ""}`,
    );
    return;
  }
  if (command === "status") return status();
  if (command === "prerequisites") return prerequisites(values.check, values.versions);
  if (command === "image") {
    await ensurePrerequisites();
    const t0 = Date.now();
    const tag = await ensureLabImage({ variant: variantOf(values.variant), log });
    return console.log(`image ${tag} ready (${seconds(t0)})`);
  }
  throw new Error(`Cannot run lab command "${command}": unknown\n${USAGE}`);
}

main(process.argv.slice(2)).catch((e: unknown) => {
  console.error(`lab: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 1;
});
