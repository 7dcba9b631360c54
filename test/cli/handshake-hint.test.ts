import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { handshakeHintFile, readHandshakeHint, saveHandshakeHint } from "../../lib/cli/handshake-hint.js";
import type { HandshakeTarget } from "../../lib/connection/early-handshake.js";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "bosun-hint-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const target: HandshakeTarget = { host: "10.0.0.5", port: 22, hostKeyPolicy: "strict", knownHostsPath: "/home/ci/.ssh/known_hosts" };

test("one hint per playbook, arguments and directory, named by a hash (no address shows in the name)", () => {
  const a = handshakeHintFile("/p/deploy.ts", ["--inventory", "prod"], "/p", dir);
  expect(path.dirname(a)).toBe(path.join(dir, "handshakes"));
  expect(a).not.toContain("prod");
  expect(handshakeHintFile("/p/deploy.ts", ["--inventory", "staging"], "/p", dir)).not.toBe(a);
  expect(handshakeHintFile("/p/deploy.ts", ["--inventory", "prod"], "/q", dir)).not.toBe(a);
});

test("a saved hint reads back; it holds addresses and known_hosts settings only, and is written again only when it differs", async () => {
  const file = handshakeHintFile("/p/deploy.ts", [], "/p", dir);
  expect(readHandshakeHint(file)).toEqual([]);
  await saveHandshakeHint(file, [], [target]);
  expect(readHandshakeHint(file)).toEqual([target]);
  expect(Object.keys((JSON.parse(readFileSync(file, "utf8")) as { targets: object[] }).targets[0] ?? {}).sort()).toEqual([
    "host",
    "hostKeyPolicy",
    "knownHostsPath",
    "port",
  ]);
  const written = statSync(file).ino;
  await saveHandshakeHint(file, [target], [target]);
  await saveHandshakeHint(file, [target], []); // a run on kept connections logged in nowhere: the hint stays
  expect(statSync(file).ino).toBe(written);
  await saveHandshakeHint(file, [target], [{ ...target, port: 2222 }]);
  expect(readHandshakeHint(file)).toEqual([{ ...target, port: 2222 }]);
});

test("an unreadable or malformed hint is no hint", () => {
  const file = path.join(dir, "bad.json");
  writeFileSync(file, "{not json");
  expect(readHandshakeHint(file)).toEqual([]);
  writeFileSync(file, JSON.stringify({ targets: [{ host: 1 }, target] }));
  expect(readHandshakeHint(file)).toEqual([target]);
});
