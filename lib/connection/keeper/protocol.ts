/**
 * What runs and the keeper (keeper.ts) say over the keeper's Unix socket: one JSON object per
 * line. A run asks whether the connection kept under a key is alive, runs commands on it, ends it,
 * or hands the keeper connections to keep; the user may end them all at once. Every request
 * carries an id its answer repeats.
 */
import { StringDecoder } from "node:string_decoder";
import type { ExecResult, SshSpec } from "../../core/connection.js";

/** A connection for the keeper to keep: how to reach the host (password included), under which key, how long. */
export interface KeepOrder {
  /** The connection's key (keeperKey(spec)). */
  readonly key: string;
  readonly spec: SshSpec;
  /** Idle time in seconds; null: no limit but the keeper's own. */
  readonly idleSeconds: number | null;
}

/** What a new keeper process is told on its stdin (keeper-main.ts). */
export interface KeeperStart {
  readonly orders: readonly KeepOrder[];
  readonly socket: string;
  /** A file for the keeper's own lines (never commands or input). */
  readonly logFile: string;
}

/** A run's request. `stdin` is base64 (the bytes exactly); secrets travel here, never in argv. */
export type KeeperRequest =
  | { readonly id: number; readonly op: "hello"; readonly key: string }
  | { readonly id: number; readonly op: "exec"; readonly key: string; readonly text: string; readonly stdin?: string }
  | { readonly id: number; readonly op: "end"; readonly key: string }
  | { readonly id: number; readonly op: "keep"; readonly orders: readonly KeepOrder[] }
  /** End every kept connection now and stop (`bosun forget-connections`, as `ssh -O exit`). */
  | { readonly id: number; readonly op: "stop" };

/** The keeper's answer to request `id`. */
export type KeeperAnswer =
  | { readonly id: number; readonly alive: boolean }
  | { readonly id: number; readonly result: ExecResult }
  | { readonly id: number; readonly error: { readonly message: string; readonly unreachable: boolean; readonly hint?: string } }
  | { readonly id: number; readonly done: true }
  /** The keeper stops; it was keeping `ended` connections. */
  | { readonly id: number; readonly ended: number };

/** One message as a line. */
export function encodeMessage(message: KeeperRequest | KeeperAnswer): string {
  return `${JSON.stringify(message)}\n`;
}

/** Splits a byte stream into messages; a line that is not a JSON object ends the conversation. */
export class MessageReader<T> {
  // The start of a line still waiting for its newline, in pieces: a long line (a large file on
  // stdin) arrives in thousands of chunks and is joined once, not once per chunk.
  #pending: string[] = [];
  // A character split between two chunks is decoded once both halves are in.
  readonly #decoder = new StringDecoder("utf8");

  /** The complete messages in `chunk` (and what came before it). Throws on a malformed line. */
  push(chunk: Buffer | string): T[] {
    const text = typeof chunk === "string" ? chunk : this.#decoder.write(chunk);
    const messages: T[] = [];
    let start = 0;
    for (let end = text.indexOf("\n"); end !== -1; end = text.indexOf("\n", start)) {
      const line = this.#pending.join("") + text.slice(start, end);
      this.#pending = [];
      if (line.length > 0) messages.push(parseLine<T>(line));
      start = end + 1;
    }
    if (start < text.length) this.#pending.push(text.slice(start));
    return messages;
  }
}

function parseLine<T>(line: string): T {
  const value: unknown = JSON.parse(line);
  if (typeof value !== "object" || value === null || typeof (value as { id?: unknown }).id !== "number")
    throw new Error(`not a keeper message: ${line.slice(0, 80)}`);
  return value as T;
}
