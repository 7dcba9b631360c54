/**
 * Playbooks are plain TypeScript: a play names its hosts and runs tasks per host in `run`.
 * A playbook file is both importable and runnable with tsx: it ends with `main(import.meta, book)`
 * (lib/cli/entry.ts), which starts the CLI only when the file is the program being run.
 */
import type { Vars } from "../inventory/types.js";
import type { Handler, Host } from "./host.js";
import { callerLocation } from "../core/callsite.js";

/** A playbook-specific command-line option, such as deploy's `--tag`. It lands in vars under its name. */
export interface PlaybookOption {
  /** Value type. */
  readonly type: "string" | "boolean";
  /** One line for --help. */
  readonly description: string;
}

/** One play: hosts, vars, handlers and the per-host body. */
export interface PlayDefinition<V extends Vars = Vars> {
  /** Play name, shown in progress and the recap. */
  readonly name: string;
  /** Host pattern (`all`, a group, `web*`, `app:&prod`, ...). */
  readonly hosts: string;
  /** Play vars: above inventory vars, below `-e`. */
  readonly vars?: Partial<V> & Vars;
  /** Handlers by name, run once at the end of the play when notified (in this order). */
  readonly handlers?: Record<string, Handler>;
  /** Run hosts in batches: a count, a percentage ("30%"), or a list of them. */
  readonly serial?: number | string | readonly (number | string)[];
  /** Abort the remaining batches when more than this percentage of hosts failed. */
  readonly maxFailPercentage?: number;
  /** Extra CLI options of this playbook. */
  readonly options?: Record<string, PlaybookOption>;
  /** Where the play is declared (set by {@link playbook}), `playbooks/deploy.ts:212`. */
  readonly location?: string;
  /** The tasks for one host: plain TypeScript over `host.run(task)`. */
  run(host: Host, vars: V): Promise<void>;
}

/** A playbook: one or more plays, run in order. */
export interface Playbook {
  /** Name. */
  readonly name: string;
  /** Plays in order. */
  readonly plays: readonly PlayDefinition<Vars>[];
  /** CLI options of all its plays. */
  readonly options: Readonly<Record<string, PlaybookOption>>;
}

/** Compose playbooks: `playbook({ name: "site", include: [bootstrap, deploy] })`. */
export interface PlaybookSequence {
  /** Name. */
  readonly name: string;
  /** Playbooks whose plays run in order. */
  readonly include: readonly Playbook[];
}

function isSequence(def: object): def is PlaybookSequence {
  return Array.isArray((def as PlaybookSequence).include);
}

/** Define a playbook: its plays and their options. It runs through the CLI (`main`) or `runPlaybook`. */
export function playbook<V extends Vars = Vars>(definition: PlayDefinition<V> | PlaybookSequence): Playbook {
  const single = (): PlayDefinition<Vars> => {
    const location = (definition as PlayDefinition<V>).location ?? callerLocation();
    return { ...(definition as unknown as PlayDefinition<Vars>), ...(location ? { location } : {}) };
  };
  const plays = isSequence(definition) ? definition.include.flatMap((p) => p.plays) : [single()];
  const options = Object.assign({}, ...plays.map((p) => p.options ?? {})) as Record<string, PlaybookOption>;
  const book: Playbook = { name: definition.name, plays, options };
  return book;
}
