/**
 * Gates a run can put before every task: ansible-playbook's `--start-at-task` and `--step`, and
 * the recording behind `--list-tasks`/`--list-tags`. A gate answers with a reason to skip the
 * task, or undefined to run it.
 */

/** A task about to run on a host, as a gate sees it. */
export interface GatedTask {
  /** The play it belongs to. */
  readonly play: string;
  /** Inventory name of the host. */
  readonly host: string;
  /** Task id, `files.ensureDir`. */
  readonly task: string;
  /** Its title (masked). */
  readonly title: string;
  /** Place in the playbook. */
  readonly location?: string;
  /** Its tags. */
  readonly tags: readonly string[];
}

/** Decide whether a task runs: a reason to skip it, or undefined. */
export type TaskGate = (task: GatedTask) => Promise<string | undefined>;

/**
 * `--start-at-task NAME`: on each host, skip tasks until the first whose title or id equals `name`
 * (or matches it as a glob with `*`), then run everything from there.
 */
export function startAtTask(name: string): TaskGate {
  const pattern = new RegExp(
    `^${name
      .split("*")
      .map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"))
      .join(".*")}$`,
  );
  const started = new Set<string>();
  return async (t) => {
    if (started.has(t.host)) return undefined;
    if (pattern.test(t.title) || pattern.test(t.task)) {
      started.add(t.host);
      return undefined;
    }
    return `before --start-at-task "${name}"`;
  };
}

/** The answer to a `--step` question: yes, no, or continue without asking. */
export type StepAnswer = "y" | "n" | "c";

/** `--step`: ask before each task (one question at a time across hosts); "c" stops asking. */
export function stepThrough(ask: (question: string) => Promise<StepAnswer>): TaskGate {
  let asking = true;
  let queue: Promise<unknown> = Promise.resolve();
  return (t) => {
    const answer = queue.then(async () => {
      if (!asking) return undefined;
      const a = await ask(`Perform task: ${t.title} (${t.task}) on ${t.host} (N)o/(y)es/(c)ontinue: `);
      if (a === "c") asking = false;
      return a === "n" ? "skipped at --step" : undefined;
    });
    queue = answer;
    return answer;
  };
}

/** Run every task, remembering which ran on which host (for `--list-tasks` and `--list-tags`). */
export function recordTasks(into: GatedTask[]): TaskGate {
  return async (t) => {
    into.push(t);
    return undefined;
  };
}
