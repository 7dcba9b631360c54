/**
 * Plain progress lines, as ansible-playbook prints them, for logs and pipes (stdout not a TTY):
 * `PLAY [name]`, then one line per task result, diffs under changed tasks, and with `-v` each
 * remote command and log message.
 */
import type { RunEvents, RunEventMap } from "../core/events.js";
import type { TaskResult } from "../core/task.js";
import { palette, type Palette } from "./color.js";
import { formatDuration, indentAll, indentRest, maskedSink, withoutHost, type TextSink } from "./output.js";

/** Options of {@link PlainRenderer}. */
export interface PlainRendererOptions {
  /** Count of `-v`. */
  readonly verbosity?: number;
  /** Use ANSI colours. */
  readonly color?: boolean;
}

/** Write progress as plain lines while a run goes on. */
export class PlainRenderer {
  readonly #out: TextSink;
  readonly #verbosity: number;
  readonly #c: Palette;
  /** Hosts whose last result was a failure already printed (so hostEnd does not repeat it). */
  readonly #failurePrinted = new Set<string>();

  constructor(out: TextSink, options: PlainRendererOptions = {}) {
    this.#out = maskedSink(out);
    this.#verbosity = options.verbosity ?? 0;
    this.#c = palette(!!options.color);
  }

  /** Subscribe to a run's events. */
  attach(events: RunEvents): this {
    events.on("runStart", (e) => this.#runStart(e));
    events.on("playStart", (e) => this.#playStart(e));
    events.on("taskEnd", (e) => this.#taskEnd(e.result));
    events.on("command", (e) => this.#command(e));
    events.on("log", (e) => this.#log(e));
    events.on("hostEnd", (e) => this.#hostEnd(e));
    return this;
  }

  /** Nothing is buffered; present for symmetry with the listr2 renderer. */
  async close(): Promise<void> {}

  #line(text: string): void {
    this.#out.write(`${text}\n`);
  }

  #runStart(e: RunEventMap["runStart"]): void {
    const modes = [e.check ? "check mode: nothing will be changed" : "", e.diff ? "diff" : ""].filter(Boolean);
    if (modes.length) this.#line(this.#c.dim(`(${modes.join(", ")})`));
  }

  #playStart(e: RunEventMap["playStart"]): void {
    const head = `PLAY [${e.play}] `;
    this.#line("");
    this.#line(this.#c.bold(head.padEnd(Math.max(head.length + 3, 72), "*")));
    if (e.hosts.length === 0) this.#line(this.#c.dim("skipping: no hosts matched"));
  }

  #taskEnd(r: TaskResult): void {
    const c = this.#c;
    const where = this.#verbosity > 0 && r.location ? c.dim(` (${r.location})`) : "";
    const detail = this.#verbosity > 0 && r.message ? `: ${indentRest(r.message, "    ")}` : "";
    if (r.failed) {
      const ignored = r.ignored ? c.cyan(" ...ignoring") : "";
      this.#line(c.red(`failed: [${r.host}] ${r.title}${where}: ${indentRest(r.message ?? "failed", "    ")}`) + ignored);
      if (!r.ignored) this.#failurePrinted.add(r.host);
    } else if (r.skipped) {
      this.#line(c.cyan(`skipping: [${r.host}] ${r.title}`) + where + detail);
    } else if (r.changed) {
      this.#line(c.yellow(`changed: [${r.host}] ${r.title}`) + where + detail);
    } else {
      this.#line(c.green(`ok: [${r.host}] ${r.title}`) + where + detail);
    }
    if (r.diff) this.#line(this.#diff(r.diff));
    if (this.#verbosity > 1 && r.failed && r.stderr) this.#line(c.dim(indentAll(r.stderr, "    stderr: ")));
  }

  #diff(diff: string): string {
    const c = this.#c;
    return indentAll(diff, "    ")
      .split("\n")
      .map((line) => {
        const body = line.slice(4);
        if (body.startsWith("+++") || body.startsWith("---")) return c.bold(line);
        if (body.startsWith("+")) return c.green(line);
        if (body.startsWith("-")) return c.red(line);
        if (body.startsWith("@@")) return c.cyan(line);
        return line;
      })
      .join("\n");
  }

  #command(e: RunEventMap["command"]): void {
    if (this.#verbosity < 1) return;
    const status = e.code === null ? "no exit status" : `exit ${e.code}`;
    const text = indentRest(e.text, "    ");
    this.#line(this.#c.dim(`[${e.host}] $ ${text} (${formatDuration(e.durationMs)}, ${status})`));
  }

  #log(e: RunEventMap["log"]): void {
    if (this.#verbosity < 1) return;
    this.#line(this.#c.dim(`[${e.host}] ${indentRest(e.message, "    ")}`));
  }

  #hostEnd(e: RunEventMap["hostEnd"]): void {
    const c = this.#c;
    const printed = this.#failurePrinted.delete(e.host);
    const error = indentRest(withoutHost(e.error ?? "failed", e.host), "    ");
    if (e.status === "unreachable") this.#line(c.red(`unreachable: [${e.host}] ${error}`));
    else if (e.status === "failed" && /\binterrupted$/.test(error)) this.#line(c.magenta(`interrupted: [${e.host}]`));
    else if (e.status === "failed" && !printed) this.#line(c.red(`fatal: [${e.host}] ${error}`));
  }
}
