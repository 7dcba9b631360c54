/**
 * Check batches sent ahead at start on kept connections. The keeper is real (its socket and
 * protocol); the host behind it is this machine's /bin/sh (keeper-fixture.ts).
 */
import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { Command } from "../../lib/core/command.js";
import type { Connection, ExecResult } from "../../lib/core/connection.js";
import { LocalConnection } from "../../lib/connection/local.js";
import { startChecksAhead, takeChecksAhead } from "../../lib/run/checks-ahead.js";
import { keptChecksSent } from "../../lib/run/kept-checks.js";
import { HostPrefetch } from "../../lib/run/prefetch.js";
import { runBatch } from "../../lib/run/prefetch-batch.js";
import { writeCheckCommands } from "../../lib/run/prefetch-cache.js";
import { keeperWith, order, until } from "../connection/keeper/keeper-fixture.js";

const repo = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-checks-ahead-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** The run's connection to the host: kept under `keptKey` (or direct, without one); counts what it sends. */
class RunConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly user = "root";
  readonly sent: Command[] = [];
  // controller-tools: sh cat printf (the checks here)
  readonly #local = new LocalConnection();
  constructor(readonly keptKey?: string) {}
  async open(): Promise<void> {}
  exec(command: Command): Promise<ExecResult> {
    this.sent.push(command);
    return this.#local.exec(command);
  }
  async close(): Promise<void> {}
}

const answer = (r: ExecResult | undefined) => r && { code: r.code, stdout: r.stdout, stderr: r.stderr };

test("the host runs the checks at start; the run takes their answers, the same as its own batch would give, and sends none", async () => {
  const { socket, keeper } = await keeperWith([order("a")]);
  const marker = path.join(dir, "ran-ahead");
  const texts = ["echo one", "printf 'two' >&2; exit 3", `echo ran > '${marker}'`];
  const file = path.join(dir, "list.json");
  await writeCheckCommands(file, texts);
  startChecksAhead(socket, [{ key: "a", file }]);
  await until(() => existsSync(marker)); // before the run asked for anything
  expect(existsSync(marker)).toBe(true);
  const connection = new RunConnection("a");
  const prefetch = new HostPrefetch(file);
  const taken = await Promise.all(texts.map((text) => prefetch.answer({ text }, connection)));
  expect(connection.sent).toEqual([]);
  expect(prefetch.used).toBe(3);
  expect(prefetch.sentAtStart).toBe(true);
  const own = await runBatch(new RunConnection(), texts);
  expect(taken.map(answer)).toEqual(own.map(answer));
  expect(taken.map(answer)[1]).toEqual({ code: 3, stdout: "", stderr: "two" });
  expect(keptChecksSent()).toContainEqual({ key: "a", file });
  await keeper.stop("test over");
});

test("answers are taken once, for the same list on a connection kept under the same key; else the run sends its own batch", async () => {
  const { socket, keeper } = await keeperWith([order("a")]);
  const file = path.join(dir, "list.json");
  await writeCheckCommands(file, ["echo one", "echo two"]);
  startChecksAhead(socket, [{ key: "a", file }]);
  expect(await takeChecksAhead(file, ["echo one", "echo two"], "b")).toBeUndefined(); // another login
  startChecksAhead(socket, [{ key: "a", file }]);
  expect(await takeChecksAhead(file, ["echo one"], "a")).toBeUndefined(); // another list
  startChecksAhead(socket, [{ key: "a", file }]);
  expect((await takeChecksAhead(file, ["echo one", "echo two"], "a"))?.map((r) => r?.stdout)).toEqual(["one\n", "two\n"]);
  expect(await takeChecksAhead(file, ["echo one", "echo two"], "a")).toBeUndefined(); // once

  // A connection the keeper no longer keeps: no answers ahead, and the run's own batch answers.
  startChecksAhead(socket, [{ key: "gone", file }]);
  const connection = new RunConnection("gone");
  const prefetch = new HostPrefetch(file);
  expect((await prefetch.answer({ text: "echo two" }, connection))?.stdout).toBe("two\n");
  expect(connection.sent).toHaveLength(1);
  expect(prefetch.sentAtStart).toBe(false);
  await keeper.stop("test over");
});

test("a run that logged in itself neither takes answers sent ahead nor names its host for the next start", async () => {
  const { socket, keeper } = await keeperWith([order("a")]);
  const file = path.join(dir, "list.json");
  await writeCheckCommands(file, ["echo one"]);
  startChecksAhead(socket, [{ key: "a", file }]);
  const direct = new RunConnection();
  expect((await new HostPrefetch(file).answer({ text: "echo one" }, direct))?.stdout).toBe("one\n");
  expect(direct.sent).toHaveLength(1);
  expect(keptChecksSent().some((k) => k.file === file)).toBe(false);
  await keeper.stop("test over");
});

test("nothing is sent for a host without a check list", async () => {
  const { socket, keeper } = await keeperWith([order("a")]);
  const file = path.join(dir, "none.json");
  startChecksAhead(socket, [{ key: "a", file }]);
  expect(await takeChecksAhead(file, [], "a")).toBeUndefined();
  await keeper.stop("test over");
});

test("a batch no run takes does not keep the process alive", async () => {
  const { socket, keeper } = await keeperWith([order("a")]);
  const file = path.join(dir, "list.json");
  const go = path.join(dir, "go");
  // It waits on the host until the test says go (or its directory is gone).
  await writeCheckCommands(file, [`while [ ! -e '${go}' ] && [ -d '${dir}' ]; do sleep 0.05; done; echo answered`]);
  const script =
    `import { startChecksAhead } from ${JSON.stringify(path.join(repo, "lib/run/checks-ahead.ts"))};\n` +
    `startChecksAhead(${JSON.stringify(socket)}, [${JSON.stringify({ key: "a", file })}]);\n`;
  // controller-tools: none -- node itself, with the script above
  const child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { cwd: repo, stdio: "ignore" });
  const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
  expect(code).toBe(0); // it ended while its batch still waited on the host
  writeFileSync(go, "");
  await keeper.stop("test over");
});
