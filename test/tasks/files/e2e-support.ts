/** Shared pieces of the file and command e2e tests: the lab target, hostile names, plain state probes. */
import { spawnSync } from "node:child_process";
import type { LabInfo } from "../../../lib/lab/index.js";
import { systemSshArgs, type LabTarget, type ShellResult, type TaskRunner } from "../../e2e/task-harness.js";

/** The first (or `index`th) host of a lab as the task harness wants it. */
export function labTarget(lab: LabInfo, index = 0): LabTarget {
  const host = lab.hosts[index];
  if (!host) throw new Error(`lab ${lab.name} has no host ${index + 1}`);
  return { name: host.name, sshPort: host.sshPort, keyPath: lab.keyPath, knownHostsPath: lab.knownHostsPath };
}

/** Run a command as root with the system ssh client (independent of bosun), over a shared connection. */
export function plainSsh(runner: TaskRunner, command: string, input?: string): ShellResult {
  const r = spawnSync("ssh", [...systemSshArgs(runner.target), "root@127.0.0.1", command], { input: input ?? "", encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Close the shared system-ssh connection of {@link plainSsh}. */
export function closePlainSsh(runner: TaskRunner): void {
  spawnSync("ssh", [...systemSshArgs(runner.target), "-O", "exit", "root@127.0.0.1"], { stdio: "ignore" });
}

/** Single-quote a string for the tests' own sh commands (written here, independent of bosun's quoting). */
export function q(value: string): string {
  return `'${value.split("'").join(`'"'"'`)}'`;
}

/** The files a hostile string would create if any part of it were executed by a shell. */
export const CANARIES = "/tmp/canary-sub /tmp/canary-bt /tmp/canary-semi /tmp/canary-amp";

/** A relative path (it holds slashes) with quotes, command substitutions, separators, a newline, a leading dash, unicode and globs. */
export const HOSTILE = `-it's "q" $(touch /tmp/canary-sub) \`touch /tmp/canary-bt\` ;touch /tmp/canary-semi &&touch /tmp/canary-amp\n ü 日本 *?[a] \\`;

/** Content with the same hostile parts over several lines. */
export const HOSTILE_TEXT = `line with 'single' and "double" quotes\n$(touch /tmp/canary-sub)\n\`touch /tmp/canary-bt\`\n;touch /tmp/canary-semi &&touch /tmp/canary-amp\n-rf * ü 日本 \\n %s %%\n`;

/** Expect none of the canary files to exist on the host: nothing hostile was executed. */
export function expectNoCanary(runner: TaskRunner): void {
  expect(plainSsh(runner, `ls -d ${CANARIES} 2>/dev/null; true`).stdout).toBe("");
}

/** What is at a path, described with plain stat/sha256sum/readlink/ls (never bosun's facts). */
export function describePath(runner: TaskRunner, path: string): string {
  const r = plainSsh(
    runner,
    `p=${q(path)}; if [ -L "$p" ]; then printf 'link -> %s|' "$(readlink -- "$p")"; stat -c '%U:%G' -- "$p"; ` +
      `elif [ -d "$p" ]; then stat -c 'dir %a %U:%G' -- "$p"; ls -A1b -- "$p"; ` +
      `elif [ -e "$p" ]; then stat -c '%F %a %U:%G %s' -- "$p"; sha256sum < "$p"; else echo absent; fi`,
  );
  if (r.code !== 0) throw new Error(`cannot describe ${path}: ${r.stderr}`);
  return r.stdout;
}

/** The exact content of a remote file, by plain `cat` (base64 so that no byte is lost). */
export function readRemote(runner: TaskRunner, path: string): Buffer {
  const r = plainSsh(runner, `base64 -w0 -- ${q(path)}`);
  if (r.code !== 0) throw new Error(`cannot read ${path}: ${r.stderr}`);
  return Buffer.from(r.stdout, "base64");
}

/** Write a remote file with plain ssh (fixture set-up). */
export function writeRemote(runner: TaskRunner, path: string, content: string, mode = "0644"): void {
  const r = plainSsh(runner, `mkdir -p -- "$(dirname -- ${q(path)})" && cat > ${q(path)} && chmod ${mode} -- ${q(path)}`, content);
  if (r.code !== 0) throw new Error(`cannot write ${path}: ${r.stderr}`);
}

/** Run a plain command on the host and expect it to succeed. */
export function shOk(runner: TaskRunner, command: string, input?: string): string {
  const r = plainSsh(runner, command, input);
  if (r.code !== 0) throw new Error(`command failed (${r.code}): ${command}\n${r.stderr}`);
  return r.stdout;
}

/** Record the unmasked text of every command the runner's connection sends (to prove a secret never was in one). */
export function recordWire(runner: TaskRunner): string[] {
  const sent: string[] = [];
  const exec = runner.connection.exec.bind(runner.connection);
  runner.connection.exec = async (command) => {
    sent.push(command.text);
    return exec(command);
  };
  return sent;
}
