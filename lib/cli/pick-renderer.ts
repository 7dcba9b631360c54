/** Which renderer a run gets: listr2 on a live terminal, plain lines otherwise, nothing for --json. */
import type { RunEvents } from "../core/events.js";
import type { CliArgs } from "./args.js";
import { wantsColor } from "./color.js";
import type { TextSink } from "./output.js";
import { PlainRenderer } from "./render-plain.js";

/** A renderer as main sees it. */
export interface Renderer {
  attach(events: RunEvents): unknown;
  close(): Promise<void>;
  notice?(text: string): void;
}

const silent: Renderer = { attach: () => undefined, close: async () => {} };

/**
 * listr2 on a terminal (loaded only then); plain lines for pipes, logs and -v; with --json,
 * nothing (or -v lines on stderr).
 */
export async function pickRenderer(
  args: CliArgs,
  out: { sink: TextSink; tty: boolean; live: boolean },
  err: { sink: TextSink; tty: boolean },
): Promise<Renderer> {
  if (args.json)
    return args.verbosity > 0 ? new PlainRenderer(err.sink, { verbosity: args.verbosity, color: wantsColor(err.tty) }) : silent;
  if (out.live && args.verbosity === 0) {
    const { ListrRenderer } = await import("./render-listr.js");
    return new ListrRenderer({ out: out.sink, color: wantsColor(out.tty) });
  }
  return new PlainRenderer(out.sink, { verbosity: args.verbosity, color: wantsColor(out.tty) });
}
