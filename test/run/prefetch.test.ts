/**
 * Check prefetch cannot return stale state. The hosts here are this machine through the local
 * connection (real /bin/sh, real files in a temp directory), wrapped to count what reaches the
 * "host": each exec is one round trip. Host state is verified with node:fs, not with bosun's facts.
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Command } from "../../lib/core/command.js";
import { sh, withStdin } from "../../lib/core/command.js";
import type { Connection, ExecResult } from "../../lib/core/connection.js";
import { LocalConnection } from "../../lib/connection/local.js";
import { RunEvents } from "../../lib/core/events.js";
import { secret } from "../../lib/core/secrets.js";
import { inventoryFromHosts } from "../../lib/inventory/index.js";
import { playbook, type PlayDefinition } from "../../lib/run/playbook.js";
import { runPlaybook, type RunOptions } from "../../lib/run/runner.js";
import type { Host } from "../../lib/run/host.js";
import { ensureFile, templateFile, lineInFile } from "../../lib/tasks/files/index.js";
import { command } from "../../lib/tasks/command.js";

let dir: string;
let cacheDir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(os.tmpdir(), "bosun-prefetch-"));
  cacheDir = path.join(dir, ".cache");
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** A local connection that counts what it runs and can claim another login user. */
class CountingConnection implements Connection {
  readonly kind = "local" as const;
  readonly sent: Command[] = [];
  // controller-tools: sh bash cat chmod chown cut mktemp mv rm sha256sum stat sudo (the tasks' commands, become included)
  readonly #inner = new LocalConnection();
  constructor(readonly user = "root") {}
  open(): Promise<void> {
    return this.#inner.open();
  }
  exec(c: Command): Promise<ExecResult> {
    this.sent.push(c);
    return this.#inner.exec(c);
  }
  close(): Promise<void> {
    return this.#inner.close();
  }
}

const hosts = (...names: string[]) => inventoryFromHosts(Object.fromEntries(names.map((n) => [n, { ansible_connection: "local" }])));

/** Run `book` with counting connections; returns the report, the connections and the -v command lines. */
async function run(book: ReturnType<typeof playbook>, extra: Partial<RunOptions> & { user?: string } = {}) {
  const connections: Record<string, CountingConnection> = {};
  const events = new RunEvents();
  const commands: string[] = [];
  events.on("command", (e) => commands.push(`${e.host}: ${e.text}`));
  const report = await runPlaybook(book, {
    inventory: extra.inventory ?? hosts("h1"),
    cacheDir,
    prefetch: true,
    events,
    connect: (_spec, name) => (connections[name] = new CountingConnection(extra.user)),
    ...extra,
  });
  expect(report.hostErrors).toEqual({});
  const exchanges = (h = "h1") => connections[h]?.sent.length ?? 0;
  const prefetched = commands.filter((c) => c.includes("(prefetched)")).length;
  return { report, connections, commands, exchanges, prefetched };
}

const book = (run: PlayDefinition["run"], name = "pb") => playbook({ name, hosts: "all", run });
const outputOf = (r: { output?: unknown } | undefined) => (r?.output as { stdout: string } | undefined)?.stdout;

/** Three file tasks and a read-only probe of the first file. */
const threeFiles = (v: { a: string; b?: string }) => async (host: Host) => {
  await host.run(ensureFile({ path: `${dir}/a`, content: v.a }));
  await host.run(ensureFile({ path: `${dir}/b`, content: v.b ?? "b\n" }));
  await host.run(ensureFile({ path: `${dir}/c`, content: "c\n" }));
  await host.run(command({ cmd: sh`cat -- ${`${dir}/a`}`, readOnly: true, title: "probe a" }));
};

test("a no-op re-run answers every check from one batch: one exchange with the host", async () => {
  const pb = book(threeFiles({ a: "a\n" }));
  const first = await run(pb);
  expect(first.report.stats.h1).toMatchObject({ changed: 3 });
  expect(first.prefetched).toBe(0);
  const second = await run(pb);
  expect(second.report.stats.h1).toMatchObject({ ok: 4, changed: 0 });
  expect(second.exchanges()).toBe(1);
  expect(second.prefetched).toBe(4);
  expect(second.connections.h1?.sent[0]?.label).toBe("(4 checks sent ahead)");
});

test("the list of checks is written again only when it differs from the one read", async () => {
  const listFile = () => path.join(cacheDir, "prefetch", readdirSync(path.join(cacheDir, "prefetch"))[0] as string);
  await run(book(threeFiles({ a: "a\n" })));
  const written = statSync(listFile()).ino;
  await run(book(threeFiles({ a: "a\n" })));
  expect(statSync(listFile()).ino).toBe(written); // the same list: not replaced
  await run(book(async (host) => void (await host.run(ensureFile({ path: `${dir}/a`, content: "a\n" })))));
  expect(statSync(listFile()).ino).not.toBe(written); // one check now: replaced (written beside, renamed)
  expect((JSON.parse(readFileSync(listFile(), "utf8")) as { commands: string[] }).commands).toHaveLength(1);
});

test("a task that changes the host drops the answers sent ahead: later checks see the change", async () => {
  const pb = book(threeFiles({ a: "a\n" }));
  await run(pb);
  writeFileSync(`${dir}/a`, "edited by someone\n"); // the first task will change it back
  writeFileSync(`${dir}/b`, "edited too\n");
  const second = await run(pb);
  expect(second.report.stats.h1).toMatchObject({ changed: 2 });
  // The probe ran after the change: it reads the restored content, not the batch's "edited by someone".
  expect(outputOf(second.report.plays[0]?.results[3])).toBe("a\n");
  expect(readFileSync(`${dir}/b`, "utf8")).toBe("b\n");
  // The batch answered the first check only; everything after the change went live.
  expect(second.prefetched).toBe(1);
  const third = await run(pb);
  expect(third.report.stats.h1).toMatchObject({ changed: 0 });
  expect(third.exchanges()).toBe(1);
});

test("a changed template falls back correctly: the task changes the file and the next run is a no-op", async () => {
  const template = path.join(dir, "t.hbs");
  writeFileSync(template, "port={{port}}\n");
  const pb = book(async (host) => {
    await host.run(templateFile({ src: template, dest: `${dir}/app.conf`, vars: { port: 1 } }));
    await host.run(command({ cmd: sh`cat -- ${`${dir}/app.conf`}`, readOnly: true }));
  });
  await run(pb);
  writeFileSync(template, "port={{port}}\nlevel=debug\n");
  const second = await run(pb);
  expect(second.report.stats.h1).toMatchObject({ changed: 1 });
  expect(readFileSync(`${dir}/app.conf`, "utf8")).toBe("port=1\nlevel=debug\n");
  expect(outputOf(second.report.plays[0]?.results[1])).toBe("port=1\nlevel=debug\n");
  expect((await run(pb)).report.stats.h1).toMatchObject({ changed: 0 });
});

test("a new task is checked live, and a reordered play still sees the host as it is", async () => {
  await run(book(threeFiles({ a: "a\n" })));
  writeFileSync(`${dir}/c`, "stale\n");
  // Reordered, plus a task the cache has never seen; c was edited behind the run's back.
  const reordered = book(async (host) => {
    await host.run(command({ cmd: sh`cat -- ${`${dir}/c`}`, readOnly: true, title: "probe c" }));
    await host.run(ensureFile({ path: `${dir}/c`, content: "c\n" }));
    await host.run(ensureFile({ path: `${dir}/a`, content: "a\n" }));
    await host.run(ensureFile({ path: `${dir}/d`, content: "d\n" }));
    await host.run(command({ cmd: sh`cat -- ${`${dir}/c`}`, readOnly: true, title: "probe c again" }));
  });
  const r = await run(reordered);
  const results = r.report.plays[0]?.results ?? [];
  expect(outputOf(results[0])).toBe("stale\n");
  expect(results.map((x) => x.changed)).toEqual([false, true, false, true, false]);
  expect(outputOf(results[4])).toBe("c\n");
  expect(readFileSync(`${dir}/d`, "utf8")).toBe("d\n");
});

test("a different --limit prefetches only for hosts that have a list, and answers each from its own", async () => {
  const perHost = playbook({
    name: "per-host",
    hosts: "all",
    async run(host) {
      await host.run(ensureFile({ path: `${dir}/${host.name}`, content: `${host.name}\n` }));
      await host.run(command({ cmd: sh`cat -- ${`${dir}/${host.name}`}`, readOnly: true }));
    },
  });
  const inventory = hosts("h1", "h2");
  await run(perHost, { inventory, limit: "h1" });
  const other = await run(perHost, { inventory, limit: "h2" });
  expect(other.prefetched).toBe(0);
  expect(other.report.stats.h2).toMatchObject({ changed: 1 });
  const both = await run(perHost, { inventory });
  expect(both.report.stats.h1).toMatchObject({ changed: 0 });
  expect(both.report.stats.h2).toMatchObject({ changed: 0 });
  expect(both.prefetched).toBe(4);
  const outputs = both.report.plays[0]?.results.filter((x) => x.task === "command.run").map((x) => `${x.host}=${outputOf(x)}`);
  expect(outputs?.sort()).toEqual(["h1=h1\n", "h2=h2\n"]);
});

test("a different become setting sends different commands: nothing sent ahead matches, checks go live", async () => {
  // Stand-in for sudo (this machine has none): a script of sudo's shape that drops its options and runs the rest.
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  writeFileSync(path.join(bin, "sudo"), '#!/bin/sh\nwhile [ "$1" != "--" ]; do shift; done\nshift\nexec "$@"\n');
  chmodSync(path.join(bin, "sudo"), 0o755);
  const savedPath = process.env.PATH;
  process.env.PATH = `${bin}:${savedPath}`;
  try {
    const pb = book(threeFiles({ a: "a\n" }));
    const inventory = (become: boolean) => inventoryFromHosts({ h1: { ansible_connection: "local", ansible_become: become } });
    await run(pb, { inventory: inventory(true), user: "deploy" });
    const again = await run(pb, { inventory: inventory(true), user: "deploy" });
    expect(again.prefetched).toBe(4);
    expect(again.connections.h1?.sent[0]?.text).toContain("sudo -n -H -- sh -c");
    writeFileSync(`${dir}/a`, "changed\n");
    const without = await run(pb, { inventory: inventory(false), user: "deploy" });
    expect(without.prefetched).toBe(0);
    expect(without.report.stats.h1).toMatchObject({ changed: 1 });
    expect(readFileSync(`${dir}/a`, "utf8")).toBe("a\n");
  } finally {
    process.env.PATH = savedPath;
  }
});

test("a change in one play drops the answers for the next play on the same host", async () => {
  const twoPlays = playbook({
    name: "two-plays",
    include: [
      playbook({ name: "one", hosts: "all", run: async (h) => void (await h.run(ensureFile({ path: `${dir}/x`, content: "1\n" }))) }),
      playbook({
        name: "two",
        hosts: "all",
        run: async (h) => void (await h.run(command({ cmd: sh`cat -- ${`${dir}/x`}`, readOnly: true }))),
      }),
    ],
  });
  await run(twoPlays);
  writeFileSync(`${dir}/x`, "0\n");
  const r = await run(twoPlays);
  expect(r.report.plays[1]?.results[0]).toMatchObject({ changed: false });
  expect(outputOf(r.report.plays[1]?.results[0])).toBe("1\n");
});

test("a command outside a task's check (a play's own exec) drops the answers", async () => {
  const pb = book(async (host) => {
    await host.run(command({ cmd: sh`cat -- ${`${dir}/y`}`, readOnly: true, ignoreErrors: true }));
    await host.exec(sh`echo 2 > ${`${dir}/y`}`);
    await host.run(command({ cmd: sh`head -c 100 -- ${`${dir}/y`}`, readOnly: true, title: "again" }));
  });
  writeFileSync(`${dir}/y`, "1\n");
  await run(pb);
  writeFileSync(`${dir}/y`, "1\n");
  const r = await run(pb);
  const results = r.report.plays[0]?.results ?? [];
  expect(outputOf(results[0])).toBe("1\n");
  expect(outputOf(results[1])).toBe("2\n");
});

test("an answer is used once: a retried check (a poll) goes live the second time", async () => {
  const pb = book(async (host) => {
    await host.run(
      command({
        cmd: sh`cat -- ${`${dir}/n`}`,
        readOnly: true,
        retries: 3,
        delay: 0,
        until: (r) => (r.output as { stdout: string }).stdout === "ready\n",
      }),
    );
  });
  writeFileSync(`${dir}/n`, "ready\n");
  await run(pb);
  writeFileSync(`${dir}/n`, "waiting\n");
  // The file becomes ready as soon as the first (batched) answer has been read.
  const events = new RunEvents();
  events.on("taskEnd", () => undefined);
  events.on("command", (e) => {
    if (e.text.includes("(prefetched)")) writeFileSync(`${dir}/n`, "ready\n");
  });
  const r = await runPlaybook(pb, { inventory: hosts("h1"), cacheDir, prefetch: true, events, connect: () => new CountingConnection() });
  expect(r.plays[0]?.results[0]).toMatchObject({ failed: false, attempts: 2 });
});

test("commands with stdin, secret tasks and --no-prefetch are never cached or sent ahead", async () => {
  const token = secret("s3cr3t-token-value");
  const pb = book(async (host) => {
    await host.run(command({ cmd: withStdin(sh`cat >/dev/null`, token), readOnly: true }));
    await host.run(command({ cmd: sh`true`, readOnly: true, secret: true }));
    await host.run(ensureFile({ path: `${dir}/s`, content: token }));
    await host.run(lineInFile({ path: `${dir}/l`, line: "x=1", create: true }));
  });
  await run(pb);
  const files = readdirSync(path.join(cacheDir, "prefetch"));
  expect(files).toHaveLength(1);
  const cached = readFileSync(path.join(cacheDir, "prefetch", files[0] as string), "utf8");
  expect(cached).not.toContain("s3cr3t");
  expect(cached).not.toContain("cat >/dev/null");
  expect(cached).not.toContain('"true"');
  const off = await run(pb, { prefetch: false });
  expect(off.prefetched).toBe(0);
  expect(off.report.stats.h1).toMatchObject({ changed: 0 });
  const on = await run(pb);
  expect(on.prefetched).toBe(2);
});

test("bosun_prefetch: false in the inventory turns prefetch off for that host", async () => {
  const pb = book(threeFiles({ a: "a\n" }));
  const inventory = inventoryFromHosts({ h1: { ansible_connection: "local", bosun_prefetch: false } });
  await run(pb, { inventory });
  const r = await run(pb, { inventory });
  expect(r.prefetched).toBe(0);
  expect(r.exchanges()).toBe(4);
});
