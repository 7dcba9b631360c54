import { existsSync, statSync, writeFileSync } from "node:fs";
import net from "node:net";
import { UnreachableError } from "../../../lib/core/errors.js";
import { LocalConnection } from "../../../lib/connection/local.js";
import { ConnectionKeeper, KeeperTakenError } from "../../../lib/connection/keeper/keeper.js";
import { KeptConnection } from "../../../lib/connection/keeper/kept-connection.js";
import { handOverNow } from "../../../lib/connection/keeper/hand-over.js";
import { keeperWith, LocalKept, order, target, until } from "./keeper-fixture.js";

describe("ConnectionKeeper and KeptConnection", () => {
  test("a command through the keeper gives what the connection gives: output, error output, exit status, stdin bytes", async () => {
    const { socket, keeper } = await keeperWith([order("a")]);
    const kept = await KeptConnection.attach(socket, "a", target);
    expect(kept).toBeDefined();
    const command = { text: `cat; printf 'no newline'; printf 'err\\n' >&2; exit 3`, stdin: Buffer.from("é'$x\n\tend") };
    const through = await kept!.exec(command);
    // controller-tools: sh cat printf
    const direct = await new LocalConnection().exec(command);
    expect({ ...through, durationMs: 0 }).toEqual({ ...direct, durationMs: 0 });
    expect(through).toMatchObject({ code: 3, stdout: "é'$x\n\tendno newline", stderr: "err\n" });
    await kept!.close({ keep: true });
    await keeper.stop("test over");
  });

  test("one keeper keeps many hosts, each under its own key; its socket is for this user only (0600)", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a"), order("b")]);
    expect(statSync(socket).mode & 0o777).toBe(0o600);
    const a = await KeptConnection.attach(socket, "a", target);
    const b = await KeptConnection.attach(socket, "b", target);
    expect(await KeptConnection.attach(socket, "c", target)).toBeUndefined();
    await a!.close();
    expect(logins.get("a")?.closed).toBe(true);
    expect(logins.get("b")?.closed).toBe(false);
    expect((await b!.exec({ text: "echo b" })).stdout).toBe("b\n");
    await b!.close({ keep: true });
    await keeper.stop("test over");
  });

  test("closing with keep leaves it for the next run; closing without ends it; with nothing left, the keeper ends and removes its socket", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")]);
    const first = await KeptConnection.attach(socket, "a", target);
    await first!.close({ keep: true });
    const second = await KeptConnection.attach(socket, "a", target);
    expect((await second!.exec({ text: "echo again" })).stdout).toBe("again\n");
    expect(logins.get("a")?.closed).toBe(false);
    await second!.close();
    await keeper.ended;
    expect(logins.get("a")?.closed).toBe(true);
    expect(existsSync(socket)).toBe(false);
    expect(await KeptConnection.attach(socket, "a", target)).toBeUndefined();
  });

  test("a run that changed the host ends the connection once no other run is on it; no new run attaches meanwhile", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")]);
    const changer = await KeptConnection.attach(socket, "a", target);
    const other = await KeptConnection.attach(socket, "a", target);
    await changer!.close();
    expect(logins.get("a")?.closed).toBe(false);
    expect(await KeptConnection.attach(socket, "a", target)).toBeUndefined();
    expect((await other!.exec({ text: "echo finishing" })).stdout).toBe("finishing\n");
    await other!.close({ keep: true });
    await keeper.ended;
    expect(logins.get("a")?.closed).toBe(true);
  });

  test("a connection ends after its idle time with no run attached", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a", 0.2)]);
    const kept = await KeptConnection.attach(socket, "a", target);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect(logins.get("a")?.closed).toBe(false); // attached: not idle
    await kept!.close({ keep: true });
    await keeper.ended;
    expect(logins.get("a")?.closed).toBe(true);
  });

  test("used or not, a login is kept no longer than its limit: the run attached finishes, no new run is taken", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")], 300);
    const kept = await KeptConnection.attach(socket, "a", target);
    await new Promise((resolve) => setTimeout(resolve, 400));
    expect((await kept!.exec({ text: "echo still" })).stdout).toBe("still\n");
    expect(await KeptConnection.attach(socket, "a", target)).toBeUndefined();
    await kept!.close({ keep: true });
    await keeper.ended;
    expect(logins.get("a")?.closed).toBe(true);
  });

  test("a lost connection is not offered to a run and is ended", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")]);
    logins.get("a")!.lost = true;
    expect(await KeptConnection.attach(socket, "a", target)).toBeUndefined();
    await keeper.ended;
    expect(existsSync(socket)).toBe(false);
  });

  test("a connection error reaches the run as the same kind of error, with its hint", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")]);
    const kept = await KeptConnection.attach(socket, "a", target);
    logins.get("a")!.lost = true;
    const error = await kept!.exec({ text: "true" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(UnreachableError);
    expect(error).toMatchObject({ message: "Cannot run a command on h: the connection was lost", context: { hint: "look at h" } });
    await keeper.stop("test over");
  });

  test("a run that goes away while its command runs ends that connection, as a run's own connection would end with it", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a"), order("b")]);
    const raw = net.connect(socket);
    await new Promise((resolve) => raw.once("connect", resolve));
    raw.write(`${JSON.stringify({ id: 1, op: "hello", key: "a" })}\n${JSON.stringify({ id: 2, op: "exec", key: "a", text: "sleep 1" })}\n`);
    await new Promise((resolve) => setTimeout(resolve, 200));
    raw.destroy();
    await until(() => logins.get("a")!.closed);
    expect(logins.get("a")?.closed).toBe(true);
    expect(logins.get("b")?.closed).toBe(false);
    await keeper.stop("test over");
  });

  test("a command on a key the run did not attach to is refused", async () => {
    const { socket, keeper } = await keeperWith([order("a")]);
    const raw = net.connect(socket);
    const answer = new Promise<string>((resolve) => raw.once("data", (d) => resolve(d.toString())));
    raw.write(`${JSON.stringify({ id: 1, op: "exec", key: "a", text: "echo sneaked" })}\n`);
    expect(JSON.parse(await answer)).toMatchObject({ id: 1, error: { unreachable: true } });
    raw.destroy();
    await keeper.stop("test over");
  });

  test("a second keeper on a live socket is refused; a stale socket file is replaced", async () => {
    const { socket, keeper } = await keeperWith([order("a")]);
    const connect = async () => new LocalKept();
    await expect(ConnectionKeeper.start({ socket, connect })).rejects.toBeInstanceOf(KeeperTakenError);
    await keeper.stop("test over");
    writeFileSync(socket, ""); // a file left behind where nobody listens
    const again = await ConnectionKeeper.start({ socket, connect });
    again.keep([order("a")]);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(await KeptConnection.attach(socket, "a", target)).toBeDefined();
    await again.stop("test over");
  });

  test("hand-over: orders go to the keeper listening; with none, one is started with them", async () => {
    const { socket, keeper, logins } = await keeperWith([order("a")]);
    const spawned: unknown[] = [];
    const spawn = (s: unknown) => (spawned.push(s), true);
    expect(await handOverNow({ socket, logFile: "/dev/null" }, [order("b")], spawn)).toBe(true);
    await until(() => logins.has("b"));
    expect(spawned).toEqual([]);
    await keeper.stop("test over");
    expect(await handOverNow({ socket, logFile: "/dev/null" }, [order("c")], spawn)).toBe(true);
    expect(spawned).toEqual([{ orders: [order("c")], socket, logFile: "/dev/null" }]);
  });
});
