/**
 * Runs the real Ansible tools for the comparison tests, in a clean environment (an empty HOME and
 * working directory, no ANSIBLE_* variables) so that no ansible.cfg or inventory of this machine
 * takes part. A missing tool fails the test with the package to install; it never skips.
 */
import { execFile } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** An empty directory used as HOME and as the working directory of the Ansible tools. */
export const NEUTRAL_DIR = mkdtempSync(join(tmpdir(), "bosun-ansible-"));

function cleanEnv(): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: NEUTRAL_DIR, LANG: "C.UTF-8", ANSIBLE_NOCOLOR: "1" };
  return env;
}

function missing(tool: string, error: unknown): Error {
  if ((error as NodeJS.ErrnoException).code === "ENOENT") {
    return new Error(
      `${tool} is not installed: this test compares bosun with the real Ansible (apt-get install -y ansible; it is in lib/lab/controller-tools.ts)`,
    );
  }
  return error as Error;
}

/** Output of `ansible-inventory -i <source>... --list`, parsed; stderr (warnings) beside it. */
export async function ansibleInventoryList(sources: readonly string[], cwd = NEUTRAL_DIR): Promise<{ list: AnsibleList; stderr: string }> {
  try {
    const { stdout, stderr } = await run("ansible-inventory", [...sources.flatMap((s) => ["-i", s]), "--list"], {
      cwd,
      env: cleanEnv(),
      maxBuffer: 64 << 20,
    });
    return { list: JSON.parse(stdout) as AnsibleList, stderr };
  } catch (error) {
    throw missing("ansible-inventory", error);
  }
}

/** The hosts `ansible <pattern> --list-hosts [--limit L]` prints, in its order; warnings beside them. */
export async function ansibleListHosts(
  sources: readonly string[],
  pattern: string,
  limit?: string,
  cwd = NEUTRAL_DIR,
): Promise<{ hosts: string[]; stderr: string }> {
  try {
    const args = [pattern, ...sources.flatMap((s) => ["-i", s]), "--list-hosts", ...(limit === undefined ? [] : ["--limit", limit])];
    const { stdout, stderr } = await run("ansible", args, { cwd, env: cleanEnv() });
    const lines = stdout.split("\n");
    const at = lines.findIndex((l) => /^\s*hosts \(\d+\):/.test(l));
    return {
      hosts:
        at < 0
          ? []
          : lines
              .slice(at + 1)
              .map((l) => l.trim())
              .filter(Boolean),
      stderr,
    };
  } catch (error) {
    const e = error as { code?: string; stdout?: string; stderr?: string };
    if (e.code === "ENOENT") throw missing("ansible", error);
    // `ansible` exits non-zero when nothing matches; that is an answer (no hosts), not a failure.
    if (typeof e.stdout === "string" && /No hosts matched, nothing to do|leaves us with no hosts/i.test(`${e.stdout}${e.stderr ?? ""}`)) {
      return { hosts: [], stderr: e.stderr ?? "" };
    }
    throw error;
  }
}

/** `ansible-inventory --list` output: groups by name, and `_meta.hostvars`. */
export type AnsibleList = Record<string, { hosts?: string[]; children?: string[] }> & {
  _meta?: { hostvars?: Record<string, Record<string, unknown>> };
};

/** Every host of each group of an `--list` output, through children. */
export function ansibleGroupMembers(list: AnsibleList): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  const members = (name: string, seen = new Set<string>()): Set<string> => {
    const result = new Set<string>(list[name]?.hosts ?? []);
    if (seen.has(name)) return result;
    seen.add(name);
    for (const child of list[name]?.children ?? []) for (const h of members(child, seen)) result.add(h);
    return result;
  };
  for (const name of Object.keys(list)) if (name !== "_meta") out.set(name, members(name));
  return out;
}
