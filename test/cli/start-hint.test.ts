import { mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { readStartHint, saveStartHint, startConnectionsAhead, startHintFile, type StartHint } from "../../lib/cli/start-hint.js";
import type { HandshakeTarget } from "../../lib/connection/early-handshake.js";
import { takeChecksAhead } from "../../lib/run/checks-ahead.js";
import type { KeptChecks } from "../../lib/run/kept-checks.js";
import { handshakeFixture } from "./handshake-fixture.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-hint-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target: HandshakeTarget = { host: "10.0.0.5", port: 22, hostKeyPolicy: "strict", knownHostsPath: "/home/ci/.ssh/known_hosts" };
const kept: KeptChecks = { key: "0123456789abcdef01234567", file: "/home/ci/.cache/bosun/prefetch/89abcdef.json" };
const none: StartHint = { targets: [], kept: [] };

test("one hint per playbook, arguments and directory, named by a hash (no address shows in the name)", () => {
  const a = startHintFile("/p/deploy.ts", ["--inventory", "prod"], "/p", dir);
  expect(path.dirname(a)).toBe(path.join(dir, "start-hints"));
  expect(a).not.toContain("prod");
  expect(startHintFile("/p/deploy.ts", ["--inventory", "staging"], "/p", dir)).not.toBe(a);
  expect(startHintFile("/p/deploy.ts", ["--inventory", "prod"], "/q", dir)).not.toBe(a);
});

test("a saved hint reads back; it holds addresses, known_hosts settings and hashes only, and is written again only when it differs", async () => {
  const file = startHintFile("/p/deploy.ts", [], "/p", dir);
  expect(readStartHint(file)).toEqual(none);
  await saveStartHint(file, none, { targets: [target], kept: [] });
  expect(readStartHint(file)).toEqual({ targets: [target], kept: [] });
  const saved = JSON.parse(readFileSync(file, "utf8")) as { targets: object[] };
  expect(Object.keys(saved.targets[0] ?? {}).sort()).toEqual(["host", "hostKeyPolicy", "knownHostsPath", "port"]);
  const written = statSync(file).ino;
  await saveStartHint(file, { targets: [target], kept: [] }, { targets: [target], kept: [] });
  await saveStartHint(file, { targets: [target], kept: [] }, none); // a run that reached nothing: the hint stays
  expect(statSync(file).ino).toBe(written);
  await saveStartHint(file, { targets: [target], kept: [] }, { targets: [{ ...target, port: 2222 }], kept: [] });
  expect(readStartHint(file)).toEqual({ targets: [{ ...target, port: 2222 }], kept: [] });
});

test("each list is replaced only by a run that has one: a run on kept connections keeps the handshakes, a run that logged in keeps the kept checks", async () => {
  const file = startHintFile("/p/deploy.ts", [], "/p", dir);
  await saveStartHint(file, none, { targets: [target], kept: [] });
  await saveStartHint(file, readStartHint(file), { targets: [], kept: [kept] });
  expect(readStartHint(file)).toEqual({ targets: [target], kept: [kept] });
  await saveStartHint(file, readStartHint(file), { targets: [{ ...target, port: 2222 }], kept: [] });
  expect(readStartHint(file)).toEqual({ targets: [{ ...target, port: 2222 }], kept: [kept] });
  expect(Object.keys((JSON.parse(readFileSync(file, "utf8")) as { kept: object[] }).kept[0] ?? {}).sort()).toEqual(["file", "key"]);
});

test("an unreadable or malformed hint is no hint", () => {
  const file = path.join(dir, "bad.json");
  writeFileSync(file, "{not json");
  expect(readStartHint(file)).toEqual(none);
  writeFileSync(file, JSON.stringify({ targets: [{ host: 1 }, target], kept: [{ key: 1 }, kept] }));
  expect(readStartHint(file)).toEqual({ targets: [target], kept: [kept] });
  writeFileSync(file, JSON.stringify({ version: 1, targets: [target] })); // a hint of the last version
  expect(readStartHint(file)).toEqual({ targets: [target], kept: [] });
});

test("a start sends ahead only check lists of its own cache, whatever file a hint names", async () => {
  const fixture = await handshakeFixture(dir);
  const persist = process.env.BOSUN_SSH_PERSIST;
  process.env.BOSUN_SSH_PERSIST = "60";
  try {
    fixture.keeperListens(); // nobody answers on it: the batches just fail
    const own = path.join(dir, "cache", "prefetch", "0123.json");
    const elsewhere = path.join(dir, "elsewhere.json");
    for (const file of [own, elsewhere]) {
      mkdirSync(path.dirname(file), { recursive: true });
      writeFileSync(file, JSON.stringify({ version: 1, commands: ["echo checked"] }));
    }
    const playbook = path.join(dir, "deploy.ts");
    await saveStartHint(startHintFile(playbook, [], process.cwd()), none, {
      targets: [],
      kept: [
        { key: "k1", file: own },
        { key: "k2", file: elsewhere },
      ],
    });
    fixture.newProcess();
    await startConnectionsAhead(playbook, []);
    const ahead = () => (globalThis as Record<symbol, { ahead: Map<string, unknown> } | undefined>)[Symbol.for("bosun.checksAhead")]?.ahead;
    for (let i = 0; i < 100 && !ahead()?.has(own); i++) await new Promise((resolve) => setTimeout(resolve, 20)); // it loads what sends them first
    expect(ahead()?.has(own)).toBe(true);
    expect(ahead()?.has(elsewhere)).toBe(false);
    await takeChecksAhead(own, ["echo checked"], "k1"); // settles (no keeper answers)
  } finally {
    if (persist === undefined) delete process.env.BOSUN_SSH_PERSIST;
    else process.env.BOSUN_SSH_PERSIST = persist;
    fixture.close();
  }
});
