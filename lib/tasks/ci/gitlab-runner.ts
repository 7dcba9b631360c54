/** gitlabRunner: the gitlab-runner package is installed from GitLab's apt repository. */
import { createHash } from "node:crypto";
import { defineTask, changed, unchanged, type TaskHost } from "../../core/task.js";
import { sh, type Command } from "../../core/command.js";
import type { Diff } from "../../core/diff.js";
import { taskParams, optional, typed, intIn, nonEmpty, any, type Static } from "../../core/params.js";
import { gitlabRunnerInstall, RUNNER_KEYRING, RUNNER_SOURCES, type RunnerInstallState } from "../../facts/gitlab-runner.js";
import { aptGetOptions, aptStep, DEFAULT_LOCK_TIMEOUT, isExecResult } from "../packages/apt-run.js";
import { renderDeb822 } from "../packages/apt-repository.js";
import { dearmorKey } from "../packages/openpgp-armor.js";
import { inlineWrite } from "../system/inline-write.js";
import { excerpt, httpRequest, networkError } from "../http/request.js";

/** What is installed. */
export interface GitlabRunnerOutput {
  /** The installed version (after the task). */
  readonly version?: string;
}

const GITLAB_PACKAGES = "https://packages.gitlab.com/runner/gitlab-runner";

function paramsProblem(p: GitlabRunnerParams): string | undefined {
  if (p.version !== undefined && !/^[A-Za-z0-9.+~:-]+$/.test(p.version))
    return `parameter "version" must be a Debian version such as 17.5.0-1`;
  if (p.key !== undefined) {
    if (typeof p.key !== "string" && !Buffer.isBuffer(p.key)) return `parameter "key" must be armoured text or a Buffer`;
    try {
      dearmorKey(p.key);
    } catch (error) {
      return `parameter "key" is not an OpenPGP public key: ${(error as Error).message}`;
    }
  }
  for (const name of ["keyUrl", "repoUrl"] as const) {
    const v = p[name];
    if (v !== undefined && !/^https?:\/\/\S+$/.test(v)) return `parameter "${name}" must be an http:// or https:// URL`;
  }
  if (p.key !== undefined && p.keyUrl !== undefined) return `give at most one of parameters "key" and "keyUrl"`;
  if (p.suite !== undefined && !/^[A-Za-z0-9._-]+$/.test(p.suite)) return `parameter "suite" must be a word such as bookworm`;
  return undefined;
}

/** The keyring bytes to install, or undefined when the host's keyring stays as it is. */
async function wantedKeyring(host: TaskHost, p: GitlabRunnerParams, st: RunnerInstallState): Promise<Buffer | undefined> {
  if (p.key !== undefined) return dearmorKey(p.key);
  if (st.keyring.kind === "file") return undefined;
  const url = p.keyUrl ?? `${GITLAB_PACKAGES}/gpgkey`;
  let res;
  try {
    res = await httpRequest(url, { timeoutMs: 30_000, maxBodyBytes: 256 * 1024 });
  } catch (error) {
    throw host.fail(`Cannot fetch the GitLab Runner signing key from ${url}: ${networkError(error)}`, "give the key itself with key: ...");
  }
  if (res.status !== 200)
    throw host.fail(`Cannot fetch the GitLab Runner signing key from ${url}: status ${res.status}: ${excerpt(res.body)}`);
  try {
    return dearmorKey(res.body);
  } catch (error) {
    throw host.fail(`Cannot use the key fetched from ${url}: ${(error as Error).message}`);
  }
}

/** Parameters for {@link gitlabRunner}. */
export const gitlabRunnerParams = taskParams({
  version: optional(nonEmpty, "Install exactly this version (`17.5.0-1`); default: keep any installed version, else install the newest."),
  key: optional(
    typed<string | Buffer>(any),
    "The repository's signing key (armoured or binary); default: fetched from `keyUrl` when the host has no keyring yet.",
  ),
  keyUrl: optional(nonEmpty, "Where the controller fetches the signing key (`https://packages.gitlab.com/runner/gitlab-runner/gpgkey`)."),
  repoUrl: optional(nonEmpty, "Repository URI (`https://packages.gitlab.com/runner/gitlab-runner/<os-release ID>`)."),
  suite: optional(nonEmpty, "Suite (the host's VERSION_CODENAME, e.g. `bookworm`)."),
  lockTimeoutSeconds: optional(intIn({ minimum: 0, maximum: 86400 }), {
    description: "Seconds to wait for a dpkg/apt lock another process holds.",
    default: 60,
  }),
});
/** Parameters for {@link gitlabRunner}. */
export type GitlabRunnerParams = Static<typeof gitlabRunnerParams>;

/**
 * Install gitlab-runner from GitLab's apt repository: its signing key dearmored into
 * /etc/apt/keyrings/gitlab-runner.gpg, a deb822 source /etc/apt/sources.list.d/gitlab-runner.sources
 * naming it in `Signed-By`, then the package (the package's own scripts create the
 * `gitlab-runner` user and service). A missing keyring is fetched from `keyUrl` by the controller;
 * an existing one is kept unless `key` is given. After a repository change only this source's
 * lists are fetched. One command to check (plus the key fetch on a fresh host), one to apply.
 * @example gitlabRunner({})
 * @example gitlabRunner({ version: "17.5.0-1" })
 */
export const gitlabRunner = defineTask<GitlabRunnerParams, GitlabRunnerOutput>({
  id: "ci.gitlabRunner",
  description: "gitlab-runner is installed from GitLab's apt repository (deb822 source, key in /etc/apt/keyrings).",
  title: (p) => `gitlab-runner ${p.version ?? "installed"}`,
  schema: gitlabRunnerParams,
  validate: paramsProblem,
  async check(host, p) {
    const st = await host.fact(gitlabRunnerInstall, undefined);
    const suite = p.suite ?? st.codename;
    if (!suite) throw host.fail("Cannot add GitLab's apt repository: /etc/os-release has no VERSION_CODENAME", "give suite: ...");
    const uri = p.repoUrl ?? `${GITLAB_PACKAGES}/${st.osId || "debian"}`;
    const sources = renderDeb822({ name: "gitlab-runner", uri, suites: suite, components: ["main"] }, RUNNER_KEYRING);
    for (const [path, file] of [
      [RUNNER_KEYRING, st.keyring],
      [RUNNER_SOURCES, st.sources],
    ] as const) {
      if (file.kind === "other")
        throw host.fail(`Cannot install gitlab-runner: ${path} is not a regular file`, "remove it first with ensureAbsent");
    }
    const keyring = await wantedKeyring(host, p, st);
    const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
    const writes: Command[] = [];
    const diff: Diff[] = [];
    const words: string[] = [];
    if (keyring && (st.keyring.kind !== "file" || st.keyring.sha256 !== sha(keyring))) {
      writes.push(
        sh`mkdir -p -m 0755 /etc/apt/keyrings`,
        inlineWrite(RUNNER_KEYRING, keyring, { mode: "0644", owner: "root", group: "root" }),
      );
      diff.push({
        label: RUNNER_KEYRING,
        before: st.keyring.kind === "file" ? `sha256 ${st.keyring.sha256}\n` : undefined,
        after: `sha256 ${sha(keyring)}\n`,
      });
      words.push(`${st.keyring.kind === "file" ? "replace" : "add"} key ${RUNNER_KEYRING}`);
    }
    if (st.sources.kind !== "file" || st.sources.text !== sources) {
      writes.push(inlineWrite(RUNNER_SOURCES, sources, { mode: "0644", owner: "root", group: "root" }));
      diff.push({ label: RUNNER_SOURCES, before: st.sources.kind === "file" ? st.sources.text : undefined, after: sources });
      words.push(`${st.sources.kind === "file" ? "update" : "write"} ${RUNNER_SOURCES}`);
    }
    const install = st.version === undefined || (p.version !== undefined && st.version !== p.version);
    if (!writes.length && !install) return unchanged(`gitlab-runner ${st.version} is installed`, { version: st.version });
    const lock = p.lockTimeoutSeconds ?? DEFAULT_LOCK_TIMEOUT;
    // Only this source's lists are fetched: the other lists stay (List-Cleanup=0).
    const body: Command[] = [...writes];
    body.push(sh`bosun_update -o Dir::Etc::sourcelist=${RUNNER_SOURCES} -o Dir::Etc::sourceparts=- -o APT::Get::List-Cleanup=0`);
    if (install) {
      body.push(
        sh`apt-get install ${aptGetOptions(lock)} --allow-downgrades ${p.version ? `gitlab-runner=${p.version}` : "gitlab-runner"}`,
      );
      words.push(
        st.version === undefined ? `install gitlab-runner ${p.version ?? ""}`.trim() : `gitlab-runner ${st.version} → ${p.version}`,
      );
      diff.push({
        label: "gitlab-runner",
        before: st.version === undefined ? undefined : `${st.version}\n`,
        after: `${p.version ?? "newest"}\n`,
      });
    }
    const versionProbe = sh`dpkg-query -W -f='@@version \${Version}\\n' gitlab-runner`;
    const message = words.join("; ");
    return changed<GitlabRunnerOutput>(
      [
        aptStep(message, {
          what: message,
          body: { text: [...body, versionProbe].map((c) => c.text).join(" && ") },
          lockTimeoutSeconds: lock,
        }),
      ],
      {
        message,
        diff,
        output: { version: p.version ?? st.version },
        finish: (results) => {
          const r = results.find(isExecResult);
          const version = r ? /^@@version (\S+)$/m.exec(r.stdout)?.[1] : undefined;
          return { output: { version: version ?? p.version ?? st.version } };
        },
      },
    );
  },
});
