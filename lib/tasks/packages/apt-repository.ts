/** aptRepository: a deb822 source in /etc/apt/sources.list.d with its signing key in /etc/apt/keyrings. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged } from "../../core/task.js";
import {
  taskParams,
  required,
  optional,
  typed,
  matching,
  intIn,
  nonEmpty,
  absPath,
  bool,
  any,
  oneOf,
  list,
  type Static,
} from "../../core/params.js";
import { sh, raw, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { parseSections, section, sectionLines } from "../../facts/docker-sections.js";
import { fileSnapshotCommand, parseFileSnapshot, type FileSnapshot } from "../../facts/system.js";
import { inlineWrite } from "../system/inline-write.js";
import { dearmorKey } from "./openpgp-armor.js";
import { aptStep, DEFAULT_LOCK_TIMEOUT } from "./apt-run.js";

const WORD = /^[^\s#]+$/;

/** The deb822 text of a source (what goes into `<name>.sources`). */
export function renderDeb822(p: AptRepositoryParams, keyring: string | undefined): string {
  const suites = typeof p.suites === "string" ? [p.suites] : p.suites;
  const lines = [
    `Types: ${(p.types ?? ["deb"]).join(" ")}`,
    `URIs: ${p.uri}`,
    `Suites: ${suites.join(" ")}`,
    ...(p.components?.length ? [`Components: ${p.components.join(" ")}`] : []),
    ...(p.architectures?.length ? [`Architectures: ${p.architectures.join(" ")}`] : []),
    ...(keyring ? [`Signed-By: ${keyring}`] : []),
  ];
  return `${lines.join("\n")}\n`;
}

function problem(p: AptRepositoryParams): string | undefined {
  const suites = typeof p.suites === "string" ? [p.suites] : Array.isArray(p.suites) ? p.suites : undefined;
  if (!suites || !suites.length || suites.some((s) => typeof s !== "string" || !WORD.test(s)))
    return `parameter "suites" must be one suite or a list of them, without spaces`;
  const flat = suites.some((s) => s.endsWith("/"));
  if (flat && (suites.length > 1 || p.components?.length))
    return `parameter "suites": a flat repository ("${suites.find((s) => s.endsWith("/"))}") takes one suite and no components`;
  if (!flat && (p.state ?? "present") === "present" && !p.components?.length)
    return `parameter "components" is required unless the suite is a flat path ending in "/"`;
  for (const [name, values] of [
    ["components", p.components],
    ["architectures", p.architectures],
  ] as const) {
    if (values?.some((v) => !WORD.test(v))) return `parameter "${name}" must be words without spaces`;
  }
  if (p.key !== undefined && p.signedBy !== undefined) return `give at most one of parameters "key" and "signedBy"`;
  if (p.signedBy !== undefined && !WORD.test(p.signedBy)) return `parameter "signedBy" must be a path without spaces, line breaks or "#"`;
  if (p.key !== undefined) {
    if (typeof p.key !== "string" && !Buffer.isBuffer(p.key)) return `parameter "key" must be armoured text or a Buffer`;
    try {
      dearmorKey(p.key);
    } catch (error) {
      return `parameter "key" is not an OpenPGP public key: ${(error as Error).message}`;
    }
  }
  return undefined;
}

function shortSha(s: FileSnapshot): string {
  return s.kind === "file" ? s.sha256.slice(0, 12) : s.kind;
}

/** Parameters for {@link aptRepository}. */
export const aptRepositoryParams = taskParams({
  name: required(
    matching("^[A-Za-z0-9_][A-Za-z0-9_.-]*$"),
    "Name of the source: `/etc/apt/sources.list.d/<name>.sources` and `/etc/apt/keyrings/<name>.gpg`.",
  ),
  uri: required(matching("^[a-z][a-z0-9+.-]*:\\S+$"), "Repository URI, e.g. `https://download.docker.com/linux/debian`."),
  suites: required(typed<string | readonly string[]>(any), "Suites (`bookworm`), or one path ending in `/` for a flat repository (`./`)."),
  components: optional(list(nonEmpty), "Components (`main`, `stable`); none for a flat repository."),
  key: optional(
    typed<string | Buffer>(any),
    "The signing key: ASCII-armoured text or binary bytes. Stored dearmored in /etc/apt/keyrings/<name>.gpg.",
  ),
  signedBy: optional(absPath, "An existing keyring on the host to use as Signed-By instead of `key`."),
  architectures: optional(list(nonEmpty), "Architectures to fetch (default: apt's, i.e. the host's)."),
  types: optional(list(oneOf("deb", "deb-src")), { description: "`deb` and/or `deb-src`.", default: ["deb"] }),
  state: optional(oneOf("present", "absent"), { description: "present or absent (both files removed).", default: "present" }),
  updateCache: optional(bool, {
    description: "Fetch this repository's lists after a change (only this source is fetched).",
    default: true,
  }),
  lockTimeoutSeconds: optional(intIn({ minimum: 0, maximum: 86400 }), {
    description: "Seconds to wait for the apt lists lock (default 60).",
    default: 60,
  }),
});
/** Parameters for {@link aptRepository}. */
export type AptRepositoryParams = Static<typeof aptRepositoryParams>;

/**
 * Ensure an apt source exists as a deb822 file `/etc/apt/sources.list.d/<name>.sources` whose
 * `Signed-By` names its own keyring `/etc/apt/keyrings/<name>.gpg` (the key dearmored, as
 * `gpg --dearmor` would). After a change, only this source's lists are fetched, and a fetch or
 * signature error fails the task. One command to check, one to apply.
 * @example aptRepository({ name: "docker", uri: "https://download.docker.com/linux/debian", suites: "bookworm", components: ["stable"], key: readFileSync("files/docker.asc", "utf8") })
 */
export const aptRepository = defineTask<AptRepositoryParams>({
  id: "packages.aptRepository",
  description:
    "An apt source as a deb822 .sources file with its signing key in /etc/apt/keyrings (Signed-By); its lists fetched after a change.",
  title: (p) => `apt repository ${p.name}`,
  schema: aptRepositoryParams,
  validate: problem,
  async check(host, p) {
    const sources = `/etc/apt/sources.list.d/${p.name}.sources`;
    const keyring = `/etc/apt/keyrings/${p.name}.gpg`;
    const probe = await host.exec(
      sh`${section("sources")}; ${fileSnapshotCommand(sources, true)}; ${section("keyring")}; ${fileSnapshotCommand(keyring, false)}`,
    );
    const s = parseSections(probe.stdout);
    const haveSources = parseFileSnapshot(sectionLines(s, "sources"));
    const haveKeyring = parseFileSnapshot(sectionLines(s, "keyring"));
    for (const [path, snap] of [
      [sources, haveSources],
      [keyring, haveKeyring],
    ] as const) {
      if (snap.kind === "other")
        throw host.fail(`Cannot manage apt repository ${p.name}: ${path} is not a regular file`, "remove it first with ensureAbsent");
    }

    if ((p.state ?? "present") === "absent") {
      const gone = [sources, keyring].filter((_, i) => [haveSources, haveKeyring][i]?.kind === "file");
      if (!gone.length) return unchanged(`apt repository ${p.name} is absent`);
      return changed([sh`rm -f -- ${gone}`], {
        message: `remove ${gone.join(", ")}`,
        diff: gone.map((f) => ({ label: f, before: "present", after: undefined })),
      });
    }

    const keyBytes = p.key === undefined ? undefined : dearmorKey(p.key);
    const signedBy = keyBytes ? keyring : p.signedBy;
    const text = renderDeb822(p, signedBy);
    const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
    const steps: Command[] = [];
    const diff: Diff[] = [];
    const words: string[] = [];
    if (keyBytes && (haveKeyring.kind !== "file" || haveKeyring.sha256 !== sha(keyBytes))) {
      steps.push(sh`mkdir -p -m 0755 /etc/apt/keyrings`, inlineWrite(keyring, keyBytes, { mode: "0644", owner: "root", group: "root" }));
      diff.push({
        label: keyring,
        before: haveKeyring.kind === "file" ? `sha256 ${haveKeyring.sha256}\n` : undefined,
        after: `sha256 ${sha(keyBytes)}\n`,
      });
      words.push(`${haveKeyring.kind === "file" ? "replace" : "add"} key ${keyring} (was ${shortSha(haveKeyring)})`);
    }
    if (haveSources.kind !== "file" || haveSources.sha256 !== sha(text)) {
      steps.push(inlineWrite(sources, text, { mode: "0644", owner: "root", group: "root" }));
      diff.push({ label: sources, before: haveSources.kind === "file" ? haveSources.content?.toString("utf8") : undefined, after: text });
      words.push(`${haveSources.kind === "file" ? "update" : "write"} ${sources}`);
    }
    if (!steps.length) return unchanged(`apt repository ${p.name} is configured`);
    const message = words.join("; ");
    if (p.updateCache === false) return changed(steps, { message, diff });
    const lock = p.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT;
    // Only this source is fetched: the other lists stay (List-Cleanup=0 keeps apt from deleting them).
    const update = sh`bosun_update -o Dir::Etc::sourcelist=${sources} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0`;
    const body = restoringOnFailure([sources, ...(keyBytes ? [keyring] : [])], {
      text: [...steps, update].map((c) => c.text).join(" && "),
    });
    const what = `${message}; fetch its lists`;
    const hint =
      "its files were put back as they were; check the URI, the suites and that the key is the one the repository is signed with";
    return changed([aptStep(what, { what: `add apt repository ${p.name}`, body, lockTimeoutSeconds: lock, failureHint: hint })], {
      message: what,
      diff,
    });
  },
});

/** Run `body`; when it fails, put `files` back as they were before it (restored, or removed when new). */
function restoringOnFailure(files: readonly string[], body: Command): Command {
  const save = files.map((f, i) => sh`{ ! [ -f ${f} ] || cp -p -- ${f} "$B/${raw(String(i))}"; }`.text).join(" && ");
  const restore = files
    .map((f, i) => sh`if [ -f "$B/${raw(String(i))}" ]; then mv -f -- "$B/${raw(String(i))}" ${f}; else rm -f -- ${f}; fi`.text)
    .join("; ");
  return {
    text: `B=$(mktemp -d) && ${save} && if { ${body.text}
}; then rm -rf -- "$B"; else rc=$?; ${restore}; rm -rf -- "$B"; (exit "$rc"); fi`,
  };
}
/** Unused marker so the raw import stays for future flags. */
export const NO_FLAGS = raw("");
