/** apt: packages are installed (at a version, or the newest), or removed, with apt-get. */
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import { taskParams, optional, typed, intIn, nonEmpty, bool, any, oneOf, type Static } from "../../core/params.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { aptState, fetchDebCommand, parseAptSummary, parseSetUp, type AptState } from "../../facts/packages.js";
import { aptGetOptions, aptStep, isExecResult, DEFAULT_LOCK_TIMEOUT } from "./apt-run.js";

/** What {@link apt} did. */
export interface AptOutput {
  /** Packages installed or upgraded (as planned from the check). */
  readonly installed: readonly string[];
  /** Packages removed or purged. */
  readonly removed: readonly string[];
  /** Whether the lists were refreshed. */
  readonly cacheUpdated: boolean;
}

const PACKAGE = /^[a-z0-9][a-z0-9+.-]+(:[a-z0-9-]+)?(=[A-Za-z0-9.+~:_-]+)?$/;

function nameList(names: AptParams["names"]): string[] {
  return names === undefined ? [] : typeof names === "string" ? [names] : [...names];
}

function splitPin(spec: string): { name: string; version?: string } {
  const i = spec.indexOf("=");
  return i < 0 ? { name: spec } : { name: spec.slice(0, i), version: spec.slice(i + 1) };
}

function problem(p: AptParams): string | undefined {
  const names = p.names;
  if (names !== undefined && typeof names !== "string" && !(Array.isArray(names) && names.every((n) => typeof n === "string"))) {
    return `parameter "names" must be a package name or a list of them`;
  }
  const list = nameList(names);
  const bad = list.find((n) => !PACKAGE.test(n));
  if (bad !== undefined)
    return `parameter "names" has an invalid package name ${JSON.stringify(bad)} (lowercase letters, digits, + . -, optionally =version)`;
  if (list.length === 0 && p.deb === undefined && !p.updateCache) return `give parameter "names", "deb" or "updateCache"`;
  if (p.deb !== undefined) {
    if (!/^(https?:\/\/\S+|\/\S*\.deb)$/.test(p.deb)) return `parameter "deb" must be an http(s) URL or an absolute path ending in .deb`;
    if ((p.state ?? "present") !== "present") return `parameter "deb" works only with state "present"`;
  }
  if (p.state === "absent" && list.some((n) => n.includes("="))) return `parameter "names" cannot pin versions with state "absent"`;
  if (p.cacheValidSeconds !== undefined && !p.updateCache) return `parameter "cacheValidSeconds" needs updateCache: true`;
  if (p.purge && p.state !== "absent") return `parameter "purge" works only with state "absent"`;
  return undefined;
}

function age(seconds: number): string {
  if (seconds < 120) return `${seconds} s`;
  if (seconds < 7200) return `${Math.round(seconds / 60)} min`;
  return `${Math.round(seconds / 3600)} h`;
}

/** Why the lists need refreshing, or undefined when they do not. */
function refreshReason(p: AptParams, st: AptState, installing: boolean): string | undefined {
  const { ageSeconds, hasLists } = st.cache;
  if (!hasLists) return p.updateCache || installing ? "package lists were never fetched" : undefined;
  if (!p.updateCache) return undefined;
  if (p.cacheValidSeconds === undefined) return "updateCache without cacheValidSeconds";
  if (ageSeconds === undefined || ageSeconds > p.cacheValidSeconds)
    return `lists are ${ageSeconds === undefined ? "of unknown age" : age(ageSeconds)} old (valid ${age(p.cacheValidSeconds)})`;
  return undefined;
}

/** Whether an installed version meets the wanted one: a pin exactly, `latest` the candidate, `present` any. */
function satisfied(
  state: "present" | "latest" | "absent",
  versions: { pin: string | undefined; installed: string | undefined; candidate: string | undefined },
): boolean {
  const { pin, installed, candidate } = versions;
  if (installed === undefined) return false;
  if (pin !== undefined) return installed === pin;
  return state !== "latest" || candidate === undefined || candidate === installed;
}

/** The package specs to install for state present/latest, and those apt does not know (lists fresh). */
function toInstall(p: AptParams, st: AptState): { specs: string[]; unknown: string[] } {
  const specs: string[] = [];
  const unknown: string[] = [];
  for (const spec of nameList(p.names)) {
    const { name, version } = splitPin(spec);
    const pkg = st.packages.get(name);
    const policy = st.policy.get(name);
    const installed = pkg?.installed ? pkg.version : undefined;
    if (satisfied(p.state ?? "present", { pin: version, installed, candidate: policy?.candidate })) continue;
    specs.push(spec);
    if (installed === undefined && !policy?.candidate) unknown.push(name);
  }
  return { specs, unknown };
}

function debPlan(host: TaskHost, p: AptParams, st: AptState): { command: Command; label: string; name: string } | undefined {
  if (p.deb === undefined) return undefined;
  const deb = st.deb;
  if (!deb || "error" in deb)
    throw host.fail(
      `Cannot install ${p.deb}: ${deb?.error ?? "no answer"}`,
      /^https?:/.test(p.deb) ? "the host downloads the URL itself: check it from the host (curl)" : undefined,
    );
  const pkg = st.packages.get(deb.name);
  if (pkg?.installed && pkg.version === deb.version) return undefined;
  const get = /^https?:/.test(p.deb) ? fetchDebCommand(p.deb) : sh`f=${p.deb}`;
  return {
    command: sh`( ${get} && apt-get install ${aptGetOptions(p.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT, p.installRecommends)} "$f" )`,
    label: `${deb.name} ${deb.version} from ${p.deb}`,
    name: deb.name,
  };
}

/** Parameters for {@link apt}. Give `names`, `deb`, or `updateCache` alone. */
export const aptParams = taskParams({
  names: optional(typed<string | readonly string[]>(any), "One package name or several; `name=version` asks for that exact version."),
  deb: optional(
    nonEmpty,
    "A .deb to install: an `http(s)://` URL the host downloads, or an absolute path on the host. Only with state present.",
  ),
  state: optional(oneOf("present", "absent", "latest"), {
    description: "`present`: installed, any version; `latest`: the newest candidate; `absent`: removed.",
    default: "present",
  }),
  updateCache: optional(bool, "Refresh the package lists (`apt-get update`) first, when they are older than `cacheValidSeconds`."),
  cacheValidSeconds: optional(
    intIn({ minimum: 0 }),
    "How long refreshed lists stay valid; without it `updateCache` refreshes on every run.",
  ),
  installRecommends: optional(bool, {
    description: "Install recommended packages too (off by default, like `--no-install-recommends`).",
    default: false,
  }),
  purge: optional(bool, "With state absent: also delete configuration files (`purge`), and purge packages already removed."),
  lockTimeoutSeconds: optional(intIn({ minimum: 0, maximum: 86400 }), {
    description: "Seconds to wait for a dpkg/apt lock another process holds (default 60).",
    default: 60,
  }),
});
/** Parameters for {@link apt}. Give `names`, `deb`, or `updateCache` alone. */
export type AptParams = Static<typeof aptParams>;

/**
 * Ensure packages are installed (any version, a pinned `name=version`, or the newest), or removed,
 * like Ansible's apt: noninteractive, existing config files kept, no recommends unless asked. A held
 * dpkg lock is waited for (`lockTimeoutSeconds`), then the task fails naming the process that holds it.
 * The check is one command (dpkg-query, the lists' age, apt-cache policy); a change is one more:
 * refreshing the lists and installing run together. Refreshing stale lists counts as a change.
 * When the lists were never fetched (a fresh host or container) they are fetched before installing.
 * @example apt({ names: ["curl", "gnupg"], updateCache: true, cacheValidSeconds: 3600 })
 * @example apt({ names: "nginx", state: "latest" })
 * @example apt({ names: ["telnet"], state: "absent", purge: true })
 * @example apt({ deb: "http://files.lab.test/docker-compose-plugin.deb" })
 */
export const apt = defineTask<AptParams, AptOutput>({
  id: "packages.apt",
  description:
    "Packages are installed (any version, pinned, or latest) or removed with apt-get, noninteractively; lists refreshed within a validity window.",
  title: (p) => {
    const what = p.deb ?? (nameList(p.names).join(" ") || "package lists");
    return `apt ${p.state ?? "present"} ${what}`;
  },
  schema: aptParams,
  validate: problem,
  async check(host, p) {
    const state = p.state ?? "present";
    const lock = p.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT;
    const names = nameList(p.names).map((n) => splitPin(n).name);
    const st = await host.fact(aptState, { names, policy: state !== "absent", deb: p.deb });

    const removing =
      state === "absent" ? names.filter((n) => st.packages.get(n)?.installed || (p.purge && st.packages.get(n)?.configOnly)) : [];
    const wanted = state === "absent" ? { specs: [], unknown: [] } : toInstall(p, st);
    const deb = debPlan(host, p, st);
    const reason = refreshReason(p, st, wanted.specs.length > 0 || deb !== undefined);
    if (wanted.unknown.length && !reason) {
      throw host.fail(
        `Cannot install ${wanted.unknown.join(", ")}: no such package in the apt lists`,
        "check the name; refresh the lists with updateCache: true, or add its repository first with aptRepository",
      );
    }
    // After a refresh `latest` may find newer versions than the stale lists showed: ask for all of them.
    const installing = state === "latest" && reason ? nameList(p.names) : wanted.specs;

    const body: Command[] = [];
    const words: string[] = [];
    const verbs: string[] = [];
    if (reason) {
      body.push(sh`bosun_full_update`);
      words.push(`refresh package lists (${reason})`);
      verbs.push("refresh package lists");
    }
    if (installing.length) {
      body.push(sh`apt-get install ${aptGetOptions(lock, p.installRecommends)} ${installing}`);
      words.push(`${state === "latest" ? "install or upgrade" : "install"} ${installing.join(" ")}`);
      verbs.push(words[words.length - 1] ?? "");
    }
    if (removing.length) {
      body.push(sh`apt-get ${p.purge ? "purge" : "remove"} ${aptGetOptions(lock)} ${removing}`);
      words.push(`${p.purge ? "purge" : "remove"} ${removing.join(" ")}`);
      verbs.push(words[words.length - 1] ?? "");
    }
    if (deb) {
      body.push(deb.command);
      words.push(`install ${deb.label}`);
      verbs.push(`install ${p.deb}`);
    }
    if (!body.length) {
      const what = names.length
        ? `${names.join(", ")} ${state === "absent" ? "absent" : state === "latest" ? "at the newest version" : "installed"}`
        : "package lists are fresh";
      return unchanged(p.deb ? `${p.deb} is installed${names.length ? `; ${what}` : ""}` : what, {
        installed: [],
        removed: [],
        cacheUpdated: false,
      });
    }
    const message = words.join("; ");
    const wantedNames = [...installing.map((n) => splitPin(n).name), ...(deb ? [deb.name] : [])];
    return changed(
      [aptStep(message, { what: verbs.join(" and "), body: { text: body.map((c) => c.text).join(" && ") }, lockTimeoutSeconds: lock })],
      {
        message,
        diff: packageDiff(st, { names, installing, removing, debName: deb?.name }),
        output: { installed: wantedNames, removed: removing, cacheUpdated: !!reason },
        finish: (results) => {
          const result = results.find(isExecResult);
          if (!result) return {};
          const summary = parseAptSummary(result.stdout);
          const set = parseSetUp(result.stdout);
          const installed = wantedNames.filter((n) => set.has(n));
          const acted = summary
            ? summary.upgraded + summary.installed + summary.removed > 0
            : !!(installing.length || removing.length || deb);
          const output = { installed, removed: acted ? removing : [], cacheUpdated: !!reason };
          if (!acted && !reason) return { changed: false, output, message: "nothing to do after all" };
          return {
            output,
            message: acted ? message : `refreshed package lists (${reason}); ${names.join(", ")} already at the newest version`,
          };
        },
      },
    );
  },
});

function packageDiff(
  st: AptState,
  change: { names: readonly string[]; installing: readonly string[]; removing: readonly string[]; debName: string | undefined },
): Diff {
  const { names, installing, removing, debName } = change;
  const now = (n: string) => (st.packages.get(n)?.installed ? st.packages.get(n)?.version : "not installed");
  const all = [...new Set([...names, ...(debName ? [debName] : [])])];
  const before = Object.fromEntries(all.map((n) => [n, now(n)]));
  const after = Object.fromEntries(
    all.map((n) => {
      const spec = installing.find((s) => splitPin(s).name === n);
      if (spec !== undefined) return [n, splitPin(spec).version ?? st.policy.get(n)?.candidate ?? "installed"];
      if (removing.includes(n)) return [n, "not installed"];
      if (n === debName && st.deb && !("error" in st.deb)) return [n, st.deb.version];
      return [n, now(n)];
    }),
  );
  return { label: "packages", before, after };
}
