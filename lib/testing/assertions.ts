/**
 * Assertions for a user's tests of playbooks and tasks on real hosts: a second run changes
 * nothing, `--check` touches nothing, a task converges.
 */
import { BosunError } from "../core/errors.js";
import type { Vars } from "../core/vars.js";
import type { RunReport } from "../core/report.js";
import type { Inventory } from "../inventory/types.js";
import type { TaskCall } from "../core/task.js";
import type { Playbook } from "../run/playbook.js";
import { runPlaybook } from "../run/runner.js";
import { openHost } from "../run/standalone.js";
import { createConnection } from "../connection/connect.js";
import { compareFileLists, listHostFiles } from "./host-files.js";

/** One host of an inventory to test on. */
export interface KitTarget {
  /** The inventory (e.g. a lab's). */
  readonly inventory: Inventory;
  /** The host's inventory name. */
  readonly host: string;
}

/** Options of the playbook assertions. */
export interface KitRunOptions {
  /** `-e` vars for every run. */
  readonly extraVars?: Vars;
}

/** A test kit assertion that did not hold; the message says what differed. */
export class KitAssertionError extends BosunError {
  constructor(message: string, host: string) {
    super(message, { host });
    this.name = "KitAssertionError";
  }
}

function run(book: Playbook, target: KitTarget, options: KitRunOptions & { check?: boolean }): Promise<RunReport> {
  return runPlaybook(book, { inventory: target.inventory, limit: target.host, extraVars: options.extraVars, check: options.check });
}

/** `task (place): title` for each changed result of the report. */
export function changedTasks(report: RunReport): string[] {
  return report.plays.flatMap((p) =>
    p.results.filter((r) => r.changed).map((r) => `${r.task}${r.location ? ` (${r.location})` : ""}: ${r.title}`),
  );
}

function failure(report: RunReport, target: KitTarget): string | undefined {
  if (report.exitCode === 0) return undefined;
  return report.hostErrors[target.host] ?? `exit code ${report.exitCode}`;
}

/**
 * Apply `book` to the host, then apply it again: the second run, the one that directly followed
 * the first, must succeed with zero changes. Returns both reports.
 */
export async function assertIdempotent(
  book: Playbook,
  target: KitTarget,
  options: KitRunOptions = {},
): Promise<{ first: RunReport; second: RunReport }> {
  const first = await run(book, target, options);
  const firstFailure = failure(first, target);
  if (firstFailure)
    throw new KitAssertionError(`Cannot check idempotence of "${book.name}": the first run failed: ${firstFailure}`, target.host);
  const second = await run(book, target, options);
  const secondFailure = failure(second, target);
  if (secondFailure) throw new KitAssertionError(`"${book.name}" is not idempotent: the second run failed: ${secondFailure}`, target.host);
  const changed = changedTasks(second);
  if (changed.length)
    throw new KitAssertionError(
      `"${book.name}" is not idempotent: the second run changed ${changed.length} task(s):\n  ${changed.join("\n  ")}`,
      target.host,
    );
  return { first, second };
}

/**
 * Run `book` with `--check` and prove it touched nothing: the host's files (under /etc, /srv,
 * /opt, /usr/local, /home, /root ...) are listed with a command of the kit's own before and after
 * and must be identical. Returns the check run's report (its planned changes included).
 */
export async function assertCheckClean(book: Playbook, target: KitTarget, options: KitRunOptions = {}): Promise<RunReport> {
  const spec = target.inventory.hosts.get(target.host);
  if (!spec) throw new KitAssertionError(`Cannot check "${book.name}": ${target.host} is not in the inventory`, target.host);
  const probe = createConnection(spec.connection);
  try {
    await probe.open();
    const before = await listHostFiles(probe);
    const report = await run(book, target, { ...options, check: true });
    const after = await listHostFiles(probe);
    const touched = compareFileLists(before, after);
    if (touched.length)
      throw new KitAssertionError(`"${book.name}" --check touched the host:\n  ${touched.slice(0, 40).join("\n  ")}`, target.host);
    const checkFailure = failure(report, target);
    if (checkFailure) throw new KitAssertionError(`"${book.name}" --check failed: ${checkFailure}`, target.host);
    return report;
  } finally {
    await probe.close();
  }
}

/** Apply `task` on the host, then check it again: the check must find nothing to change. */
export async function assertConverges(task: TaskCall, target: KitTarget): Promise<void> {
  const spec = target.inventory.hosts.get(target.host);
  if (!spec) throw new KitAssertionError(`Cannot converge ${task.definition.id}: ${target.host} is not in the inventory`, target.host);
  const host = await openHost(spec);
  try {
    await host.run(task);
  } finally {
    await host.close();
  }
  const again = await openHost(spec, { check: true });
  try {
    const result = await again.run(task);
    if (result.changed)
      throw new KitAssertionError(
        `${task.definition.id} does not converge: after applying it, a check still plans a change (${result.message ?? result.title})`,
        target.host,
      );
  } finally {
    await again.close();
  }
}
