/** Build a Host over a fake connection for unit tests of the task contract. */
import { Host, type Handler } from "../../lib/run/host.js";
import { RunEvents } from "../../lib/core/events.js";
import { FakeConnection, type Reply } from "./fake-connection.js";

/** Options of {@link fakeHost}. */
export interface FakeHostOptions {
  readonly check?: boolean;
  readonly diff?: boolean;
  readonly tags?: string[];
  readonly skipTags?: string[];
  readonly handlers?: Record<string, Handler>;
  readonly user?: string;
  readonly become?: { enabled: boolean; password?: string };
  readonly respond?: (text: string) => Reply;
}

/** A Host whose commands go to a FakeConnection. */
export function fakeHost(options: FakeHostOptions = {}): { host: Host; connection: FakeConnection; events: RunEvents } {
  const connection = new FakeConnection(options.respond, options.user ?? "root");
  const events = new RunEvents();
  const host = new Host("h1", {
    vars: {},
    connection: connection,
    become: options.become ?? { enabled: false },
    run: {
      play: "p",
      checkMode: !!options.check,
      diffMode: !!options.diff,
      tags: options.tags ?? [],
      skipTags: options.skipTags ?? [],
      events,
      handlers: new Map(Object.entries(options.handlers ?? {})),
    },
  });
  return { host, connection, events };
}
