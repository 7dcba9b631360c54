/**
 * A listr2 tree while a run goes on in a terminal: one entry per play, under it one per host
 * whose title shows the task it is running (`cfa2 → directory /srv/app`), marked ok or failed
 * when the host ends. Diffs (with --diff) are printed under the tree when the play ends.
 */
import { Listr, ListrLogger, ProcessOutput, type ListrBaseClassOptions } from "listr2";
import type { RunEvents, RunEventMap } from "../core/events.js";
import { mask } from "../core/secrets.js";
import { palette, type Palette } from "./color.js";
import { formatDuration, indentAll, maskedSink, withoutHost, type TextSink } from "./output.js";

/** The part of a listr2 task wrapper this renderer uses. */
interface Wrapper {
  title: string;
  skip(message?: string): void;
}

/** How a host's part of a play ended. */
type Outcome = { readonly status: RunEventMap["hostEnd"]["status"]; readonly error?: string } | { readonly status: "not run" };

/** What the tree knows about one host in the current play. */
class HostLine {
  current = "waiting";
  ok = 0;
  changed = 0;
  failed = 0;
  skipped = 0;
  started = 0;
  wrapper: Wrapper | undefined;
  readonly diffs: string[] = [];
  readonly done: Promise<Outcome>;
  resolve!: (outcome: Outcome) => void;
  ended = false;

  constructor(readonly name: string) {
    this.done = new Promise((resolve) => (this.resolve = resolve));
  }

  /** `cfa2 → task title` while running. */
  title(): string {
    return mask(`${this.name} → ${this.current}`);
  }

  /** `cfa2  ok=3 changed=1 failed=0 skipped=0  1.2s` when done. */
  summary(): string {
    const took = this.started ? `  ${formatDuration(Date.now() - this.started)}` : "";
    return `${this.name}  ok=${this.ok} changed=${this.changed} failed=${this.failed} skipped=${this.skipped}${took}`;
  }

  set(current: string): void {
    this.current = current;
    if (this.wrapper) this.wrapper.title = this.title();
  }
}

/** Options of {@link ListrRenderer}. */
export interface ListrRendererOptions {
  /** Where diffs go once a play's tree is done (stdout). */
  readonly out: TextSink;
  /** Use ANSI colours for diffs. */
  readonly color?: boolean;
  /** Serialise the tree's changes into this sink with listr2's test renderer instead of drawing on the terminal (tests). */
  readonly testOutput?: TextSink;
}

/** Render a run as a live listr2 tree (for a TTY). Call {@link ListrRenderer.close} before printing anything else. */
export class ListrRenderer {
  readonly #out: TextSink;
  readonly #c: Palette;
  #chain: Promise<void> = Promise.resolve();
  #hosts = new Map<string, HostLine>();
  #playTask: Wrapper | undefined;
  #playTitle = "";
  #notice = "";
  readonly #testLogger: ListrLogger | undefined;

  constructor(options: ListrRendererOptions) {
    this.#out = maskedSink(options.out);
    this.#c = palette(!!options.color);
    if (options.testOutput) {
      const sink = maskedSink(options.testOutput) as NodeJS.WriteStream;
      this.#testLogger = new ListrLogger({ useIcons: false, processOutput: new ProcessOutput(sink, sink) });
    }
  }

  /** Subscribe to a run's events. */
  attach(events: RunEvents): this {
    events.on("playStart", (e) => this.#playStart(e));
    events.on("hostStart", (e) => {
      const line = this.#hosts.get(e.host);
      if (!line) return;
      line.started = Date.now();
      line.set("connecting");
    });
    events.on("taskStart", (e) => this.#hosts.get(e.host)?.set(e.title));
    events.on("taskEnd", ({ result: r }) => {
      const line = this.#hosts.get(r.host);
      if (!line) return;
      if (r.skipped) line.skipped++;
      else if (r.failed && !r.ignored) line.failed++;
      else if (!r.failed) line.ok++;
      if (r.changed) line.changed++;
      if (r.diff) line.diffs.push(`${this.#c.bold(`--- [${r.host}] ${r.title}`)}\n${this.#paintDiff(r.diff)}`);
    });
    events.on("hostEnd", (e) => this.#hosts.get(e.host)?.resolve({ status: e.status, error: e.error }));
    events.on("playEnd", () => {
      for (const line of this.#hosts.values()) line.resolve({ status: "not run" });
    });
    return this;
  }

  /** Show a short notice in the tree (e.g. that Ctrl-C was pressed). */
  notice(text: string): void {
    this.#notice = text;
    if (this.#playTask) this.#playTask.title = `${this.#playTitle}  ${this.#notice}`;
  }

  /** Wait until every tree is drawn and the terminal is released (hosts still pending, after a crash, show as not run). */
  async close(): Promise<void> {
    for (const line of this.#hosts.values()) line.resolve({ status: "not run" });
    await this.#chain;
  }

  #playStart(e: RunEventMap["playStart"]): void {
    const lines = e.hosts.map((h) => new HostLine(h));
    this.#hosts = new Map(lines.map((l) => [l.name, l]));
    const title = mask(`PLAY [${e.play}]`);
    const list = new Listr(
      [
        {
          title,
          task: (_ctx, playTask) => {
            this.#playTask = playTask;
            this.#playTitle = title;
            if (this.#notice) this.notice(this.#notice);
            if (lines.length === 0) return playTask.skip(`${title}: no hosts matched`);
            return playTask.newListr(
              lines.map((line) => ({ title: line.name, task: (_c: unknown, wrapper: Wrapper) => this.#hostTask(line, wrapper) })),
              { concurrent: true, exitOnError: false },
            );
          },
        },
      ],
      (this.#testLogger
        ? {
            exitOnError: false,
            registerSignalListeners: false,
            renderer: "test",
            rendererOptions: { logger: this.#testLogger, state: [], task: ["title", "hasFailed", "isSkipped"] },
          }
        : {
            exitOnError: false,
            registerSignalListeners: false,
            rendererOptions: { collapseSubtasks: false, collapseErrors: false, showErrorMessage: true, formatOutput: "truncate" },
          }) as ListrBaseClassOptions,
    );
    this.#chain = this.#chain.then(async () => {
      await list.run().catch(() => undefined);
      this.#playTask = undefined;
      const diffs = lines.flatMap((l) => l.diffs);
      if (diffs.length) this.#out.write(`${diffs.join("\n")}\n`);
    });
  }

  async #hostTask(line: HostLine, wrapper: Wrapper): Promise<void> {
    line.wrapper = wrapper;
    wrapper.title = line.title();
    const outcome = await line.done;
    line.wrapper = undefined;
    wrapper.title = mask(line.summary());
    if (outcome.status === "not run") return wrapper.skip(`${line.name}: not run`);
    if (outcome.status === "ok") return;
    const why = withoutHost(outcome.error ?? outcome.status, line.name);
    if (why === "interrupted") return wrapper.skip(mask(`${line.summary()}  interrupted`));
    throw new Error(mask(`${outcome.status === "unreachable" ? "unreachable: " : ""}${why}`));
  }

  #paintDiff(diff: string): string {
    const c = this.#c;
    return indentAll(diff, "    ")
      .split("\n")
      .map((l) => (/^ {4}\+(?!\+\+)/.test(l) ? c.green(l) : /^ {4}-(?!--)/.test(l) ? c.red(l) : /^ {4}@@/.test(l) ? c.cyan(l) : l))
      .join("\n");
  }
}
