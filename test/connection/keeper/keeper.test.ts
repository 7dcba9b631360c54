import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import type { Command } from "../../../lib/core/command.js";
import type { ExecResult } from "../../../lib/core/connection.js";
import { UnreachableError } from "../../../lib/core/errors.js";
import { LocalConnection } from "../../../lib/connection/local.js";
import { ConnectionKeeper, KeeperTakenError, type KeptSsh } from "../../../lib/connection/keeper/keeper.js";
import { KeptConnection } from "../../../lib/connection/keeper/kept-connection.js";

/** This machine's /bin/sh behind the keeper, standing in for a host's SSH connection. */
class LocalKept implements KeptSsh {
  readonly kind = "ssh" as const;
  readonly user = "root";
  readonly #local = new LocalConnection();
  lost = false;
  closed = false;
  async open(): Promise<void> {}
  exec(command: Command): Promise<ExecResult> {
    if (this.lost) return Promise.reject(new UnreachableError("Cannot run a command on h: the connection was lost", { hint: "look at h" }));
    return this.#local.exec(command);
  }
  async close(): Promise<void> {
    this.closed = true;
  }
}

const target = { user: "root", address: "root@h:22" };

function setUp(idleMs = 60_000, maxMs?: number): { socket: string; connection: LocalKept; start: () => Promise<ConnectionKeeper> } {
  const dir = mkdtempSync(path.join(os.tmpdir(), "keeper-test-"));
  const socket = path.join(dir, "k.sock");
  const connection = new LocalKept();
  return { socket, connection, start: () => ConnectionKeeper.start({ socket, idleMs, connection, ...(maxMs ? { maxMs } : {}) }) };
}

describe("ConnectionKeeper and KeptConnection", () => {
  test("a command through the keeper gives what the connection gives: output, error output, exit status, stdin bytes", async () => {
    const { socket, start } = setUp();
    const keeper = await start();
    const kept = await KeptConnection.attach(socket, target);
    expect(kept).toBeDefined();
    const command = { text: `cat; printf 'no newline'; printf 'err\\n' >&2; exit 3`, stdin: Buffer.from("é'$x\n\tend") };
    const through = await kept!.exec(command);
    const direct = await new LocalConnection().exec(command);
    expect({ ...through, durationMs: 0 }).toEqual({ ...direct, durationMs: 0 });
    expect(through).toMatchObject({ code: 3, stdout: "é'$x\n\tendno newline", stderr: "err\n" });
    await kept!.close({ keep: true });
    await keeper.stop("test over");
  });

  test("its socket is for this user only (0600)", async () => {
    const { socket, start } = setUp();
    const keeper = await start();
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    await keeper.stop("test over");
  });

  test("closing with keep leaves it for the next run; closing without ends it, closes the connection and removes the socket", async () => {
    const { socket, connection, start } = setUp();
    const keeper = await start();
    const first = await KeptConnection.attach(socket, target);
    await first!.close({ keep: true });
    const second = await KeptConnection.attach(socket, target);
    expect((await second!.exec({ text: "echo again" })).stdout).toBe("again\n");
    expect(connection.closed).toBe(false);
    await second!.close();
    await keeper.ended;
    expect(connection.closed).toBe(true);
    expect(existsSync(socket)).toBe(false);
    expect(await KeptConnection.attach(socket, target)).toBeUndefined();
  });

  test("it ends after its idle time with no run attached", async () => {
    const { socket, connection, start } = setUp(200);
    const keeper = await start();
    const kept = await KeptConnection.attach(socket, target);
    await kept!.close({ keep: true });
    await keeper.ended;
    expect(connection.closed).toBe(true);
    expect(existsSync(socket)).toBe(false);
  });

  test("used or not, a login is kept no longer than its limit: the run attached finishes, no new run is taken", async () => {
    const { socket, connection, start } = setUp(60_000, 300);
    const keeper = await start();
    const kept = await KeptConnection.attach(socket, target);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await kept!.exec({ text: "echo still" })).stdout).toBe("still\n");
    expect(await KeptConnection.attach(socket, target)).toBeUndefined();
    await kept!.close({ keep: true });
    await keeper.ended;
    expect(connection.closed).toBe(true);
  });

  test("a lost connection is not offered to a run, and the keeper ends", async () => {
    const { socket, connection, start } = setUp();
    const keeper = await start();
    connection.lost = true;
    expect(await KeptConnection.attach(socket, target)).toBeUndefined();
    await keeper.ended;
    expect(existsSync(socket)).toBe(false);
  });

  test("a connection error reaches the run as the same kind of error, with its hint", async () => {
    const { socket, connection, start } = setUp();
    const keeper = await start();
    const kept = await KeptConnection.attach(socket, target);
    connection.lost = true;
    const error = await kept!.exec({ text: "true" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ message: "Cannot run a command on h: the connection was lost", context: { hint: "look at h" } });
    await keeper.stop("test over");
  });

  test("a run that goes away while its command runs ends the keeper, as a run's own connection would end with it", async () => {
    const { socket, connection, start } = setUp();
    const keeper = await start();
    const raw = net.connect(socket);
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write(`${JSON.stringify({ id: 1, op: "exec", text: "sleep 1" })}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.destroy();
    await keeper.ended;
    expect(connection.closed).toBe(true);
  });

  test("a second keeper on a live socket is refused; a stale socket file is replaced", async () => {
    const { socket, start } = setUp();
    const keeper = await start();
    await expect(ConnectionKeeper.start({ socket, idleMs: 1000, connection: new LocalKept() })).rejects.toBeInstanceOf(KeeperTakenError);
    await keeper.stop("test over");
    writeFileSync(socket, ""); // a file left behind where nobody listens
    const again = await ConnectionKeeper.start({ socket, idleMs: 1000, connection: new LocalKept() });
    expect(await KeptConnection.attach(socket, target)).toBeDefined();
    await again.stop("test over");
  });

  test("with no keeper listening, attach finds nothing", async () => {
    const { socket } = setUp();
    expect(await KeptConnection.attach(socket, target)).toBeUndefined();
  });
});
