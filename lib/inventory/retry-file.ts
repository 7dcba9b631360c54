/**
 * Ansible's retry file: after a run in which hosts failed or were unreachable, their names, sorted,
 * one per line, in `<playbook name>.retry` beside the playbook (or in `retry_files_save_path`), to be
 * run again with `--limit @<file>`. Written only when `retry_files_enabled` is on (ansible.cfg
 * `[defaults]` or `ANSIBLE_RETRY_FILES_ENABLED`), which Ansible has left off by default since 2.8.
 */
import { mkdirSync, writeFileSync } from "node:fs";
import { homedir } from "node:os";
import { basename, dirname, extname, join, resolve } from "node:path";
import type { AnsibleSettings } from "./ansible-config.js";

/** Where the retry file of `playbookPath` goes (`playbooks/deploy.ts` → `playbooks/deploy.retry`). */
export function retryFilePath(playbookPath: string | undefined, settings: Pick<AnsibleSettings, "retryFilesSavePath">): string {
  const name = playbookPath ? basename(playbookPath, extname(playbookPath)) : "playbook";
  const dir = settings.retryFilesSavePath ?? (playbookPath ? dirname(resolve(playbookPath)) : homedir());
  return join(dir, `${name}.retry`);
}

/**
 * Write the retry file when retry files are enabled and `hosts` is not empty; returns its path, or
 * undefined when nothing was written.
 */
export function writeRetryFile(playbookPath: string | undefined, hosts: Iterable<string>, settings: AnsibleSettings): string | undefined {
  const names = [...new Set(hosts)].sort();
  if (!settings.retryFilesEnabled || names.length === 0) return undefined;
  const path = retryFilePath(playbookPath, settings);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, names.map((n) => `${n}\n`).join(""));
  return path;
}
