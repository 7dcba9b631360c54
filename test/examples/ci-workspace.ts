/**
 * The pieces of a CI job around the templates' scripts, for test/examples/ci-templates.e2e.test.ts:
 * the ops repository's checkout as a runner has it, the known_hosts lines a user pins, and the
 * template's job script with the variables the CI would set.
 */
import { createHmac, randomBytes } from "node:crypto";
import { cpSync, lchownSync, mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";
import type { LabHost } from "../../lib/lab/index.js";
import { dockerExec } from "../e2e/lab-fixture.js";

const REPO = process.cwd(); // jest runs from the repository root

/** A job's script and the variables its definition sets (GitLab `variables:`, a GitHub step's `env:`). */
export interface TemplateJob {
  readonly script: string;
  readonly env: Record<string, string>;
  readonly parallel?: number;
}

/** A GitLab job of the template: global and job variables, and its script lines as one script. */
export function gitlabJob(name: string): TemplateJob {
  const ci = parse(readFileSync(path.join(REPO, "examples/ci/gitlab-ci.yml"), "utf8")) as Record<string, Record<string, unknown>>;
  const job = ci[name] as { variables?: Record<string, string>; script: string[]; parallel?: number } | undefined;
  if (!job) throw new Error(`no job ${name} in gitlab-ci.yml`);
  return { script: job.script.join("\n"), env: { ...(ci.variables as Record<string, string>), ...job.variables }, parallel: job.parallel };
}

/** A GitHub workflow step by name, with `${{ }}` replaced as GitHub would (an unset secret is empty). */
export function githubStep(file: string, jobName: string, stepName: string, context: Record<string, Record<string, string>>): TemplateJob {
  const wf = parse(readFileSync(path.join(REPO, "examples/ci/github-actions", file), "utf8")) as {
    jobs: Record<string, { steps: { name?: string; run?: string; env?: Record<string, string> }[] }>;
  };
  const step = wf.jobs[jobName]?.steps.find((s) => s.name === stepName);
  if (!step?.run) throw new Error(`no step "${stepName}" in ${file} ${jobName}`);
  const expand = (text: string): string =>
    text.replace(/\$\{\{\s*(\w+)\.([\w-]+)\s*\}\}/g, (_, scope: string, key: string) => {
      const value = context[scope]?.[key];
      if (scope === "secrets") return value ?? "";
      if (value === undefined) throw new Error(`${file}: no value for ${scope}.${key}`);
      return value;
    });
  return { script: expand(step.run), env: Object.fromEntries(Object.entries(step.env ?? {}).map(([k, v]) => [k, expand(String(v))])) };
}

/** `ssh-keyscan -H` lines for `name`, from the host's own public keys (read with docker exec: the "provider's console"). */
export async function pinnedKnownHosts(host: LabHost, name: string): Promise<string> {
  const keys = (await dockerExec(host.container, ["sh", "-c", "cat /etc/ssh/ssh_host_*_key.pub"])).stdout;
  return keys
    .split("\n")
    .filter(Boolean)
    .map((line) => {
      const [type, key] = line.split(" ");
      const salt = randomBytes(20);
      const hash = createHmac("sha1", salt).update(name).digest();
      return `|1|${salt.toString("base64")}|${hash.toString("base64")} ${type} ${key}\n`;
    })
    .join("");
}

/** What the ops checkout holds besides the scripts. */
export interface CheckoutFiles {
  /** Inventory files by name (inventory/<name>.yml). */
  readonly inventories: Record<string, string>;
}

/**
 * The ops repository's checkout at `dir` on this machine, as a runner has it after checkout and a
 * cache restore: inventory/, the app bundle in app/, the job scripts copied to ci/scripts/ as the
 * templates say, playbooks/ (this repository's, linked), package.json with bosun and tsx, and
 * node_modules/ as GitLab's `cache: node_modules/` restores it: bosun (this repository, linked; its
 * bin runs lib/cli/bin.ts with tsx, standing in for the compiled bin) and tsx. The links point into
 * this repository, which the runner container mounts read-only at the same path.
 */
export function writeCheckout(dir: string, files: CheckoutFiles): void {
  mkdirSync(path.join(dir, "inventory"), { recursive: true });
  mkdirSync(path.join(dir, "ci"), { recursive: true });
  mkdirSync(path.join(dir, "node_modules", ".bin"), { recursive: true });
  cpSync(path.join(REPO, "examples/ci/scripts"), path.join(dir, "ci", "scripts"), { recursive: true });
  cpSync(path.join(REPO, "playbooks/lab/bundle"), path.join(dir, "app"), { recursive: true });
  symlinkSync(path.join(REPO, "playbooks"), path.join(dir, "playbooks"));
  symlinkSync(REPO, path.join(dir, "node_modules", "bosun"));
  symlinkSync(path.join(REPO, "node_modules", "tsx"), path.join(dir, "node_modules", "tsx"));
  symlinkSync(path.join(REPO, "node_modules", ".bin", "tsx"), path.join(dir, "node_modules", ".bin", "tsx"));
  const bin = `#!/bin/sh\nexec ${path.join(REPO, "node_modules/.bin/tsx")} ${path.join(REPO, "lib/cli/bin.ts")} "$@"\n`;
  writeFileSync(path.join(dir, "node_modules", ".bin", "bosun"), bin, { mode: 0o755 });
  writeFileSync(path.join(dir, "package.json"), JSON.stringify({ name: "ops", private: true, dependencies: { bosun: "*", tsx: "*" } }));
  for (const [name, text] of Object.entries(files.inventories)) writeFileSync(path.join(dir, "inventory", `${name}.yml`), text);
}

/** Give `dir` and what it holds (not what its links point to) to `uid`, as a runner's checkout belongs to its user. */
export function chownTree(dir: string, uid: number): void {
  lchownSync(dir, uid, uid);
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    if (entry.isDirectory()) chownTree(p, uid);
    else lchownSync(p, uid, uid);
  }
}
