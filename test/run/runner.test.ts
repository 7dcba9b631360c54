import { sh } from "../../lib/core/command.js";
import { defineTask, changed, unchanged } from "../../lib/core/task.js";
import { playbook } from "../../lib/run/playbook.js";
import { runPlaybook, serialBatches } from "../../lib/run/runner.js";
import { RunEvents } from "../../lib/core/events.js";
import { UnreachableError } from "../../lib/core/errors.js";
import { parseInventory } from "../../lib/inventory/index.js";
import { FakeConnection } from "../support/fake-connection.js";
import type { Connection, ConnectionSpec } from "../../lib/core/connection.js";

const touch = defineTask<{ name: string }>({
  id: "test.touch",
  title: (p) => `touch ${p.name}`,
  async check(host, p) {
    const r = await host.exec(sh`test -e ${p.name}`);
    return r.code === 0 ? unchanged() : changed([sh`touch ${p.name}`]);
  },
});

const inventoryText = `
all:
  children:
    web:
      hosts:
        web1: { ansible_host: 10.0.0.1 }
        web2: { ansible_host: 10.0.0.2 }
        web3: { ansible_host: 10.0.0.3 }
    db:
      hosts:
        db1: { ansible_host: 10.0.0.9 }
      vars:
        role: database
`;

let connect: (spec: ConnectionSpec) => Connection;

/** Route the runner's connections to fakes made by `behaviour(address)`. */
function withFakeConnections(behaviour: (host: string) => FakeConnection): FakeConnection[] {
  const made: FakeConnection[] = [];
  connect = (spec) => {
    const c = behaviour(spec.kind === "ssh" ? spec.host : "local");
    made.push(c);
    return c;
  };
  return made;
}

describe("runPlaybook", () => {
  const inventory = parseInventory(inventoryText, "inline.yml");

  test("runPlaybook runs every selected host and counts ok/changed per host", async () => {
    withFakeConnections(() => new FakeConnection((t) => ({ code: t.startsWith("test -e") ? 1 : 0 })));
    const book = playbook({
      name: "p",
      hosts: "web",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    const report = await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    expect(Object.keys(report.stats).sort()).toEqual(["web1", "web2", "web3"]);
    expect(report.stats.web1).toMatchObject({ ok: 1, changed: 1, failed: 0, commands: 2 });
    expect(report.exitCode).toBe(0);
  });

  test("a connection may be kept for the next run only where this run changed nothing and nothing failed (--check changes nothing)", async () => {
    const made = withFakeConnections(
      (addr) =>
        new FakeConnection((t) => ({
          code: t.startsWith("test -e") ? (addr === "10.0.0.1" ? 0 : 1) : addr === "10.0.0.3" ? 1 : 0,
        })),
    );
    const book = playbook({
      name: "p",
      hosts: "web",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    const kept = (m: FakeConnection[]) => m.map((c) => c.closedWith?.keep);
    expect(kept(made)).toEqual([true, false, false]); // web1 no-op, web2 changed, web3 failed
    const checked = withFakeConnections(() => new FakeConnection((t) => ({ code: t.startsWith("test -e") ? 1 : 0 })));
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory, check: true });
    expect(kept(checked)).toEqual([true, true, true]);
  });

  test("a failed host stops while the others carry on, and the exit code is 2", async () => {
    withFakeConnections(
      (addr) =>
        new FakeConnection((t) => ({
          code: t.startsWith("touch") && addr === "10.0.0.2" ? 1 : t.startsWith("test") ? 1 : 0,
          stderr: "denied",
        })),
    );
    const book = playbook({
      name: "p",
      hosts: "web",
      async run(host) {
        await host.run(touch({ name: "/a" }));
        await host.run(touch({ name: "/b" }));
      },
    });
    const report = await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    expect(report.stats.web2).toMatchObject({ failed: 1, changed: 0 });
    expect(report.stats.web1).toMatchObject({ changed: 2 });
    expect(report.hostErrors.web2).toMatch(/\[web2\] test\.touch .*Command failed/);
    expect(report.exitCode).toBe(2);
  });

  test("an unreachable host is reported apart from failed ones, with exit code 4", async () => {
    withFakeConnections(
      (addr) =>
        new FakeConnection(
          () => ({}),
          "root",
          addr === "10.0.0.9" ? new UnreachableError("Cannot connect to root@10.0.0.9:22: connection refused") : undefined,
        ),
    );
    const book = playbook({
      name: "p",
      hosts: "all",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    const report = await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    expect(report.stats.db1).toMatchObject({ unreachable: 1, failed: 0 });
    expect(report.stats.web1?.unreachable).toBe(0);
    expect(report.exitCode).toBe(4);
  });

  test("--limit narrows the play's hosts and --check applies nothing", async () => {
    const conns = withFakeConnections(() => new FakeConnection((t) => ({ code: t.startsWith("test") ? 1 : 0 })));
    const book = playbook({
      name: "p",
      hosts: "all",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    const report = await runPlaybook(book, { connect: (spec) => connect(spec), inventory, limit: "web*:!web3", check: true });
    expect(Object.keys(report.stats).sort()).toEqual(["web1", "web2"]);
    expect(conns.flatMap((c) => c.executed.map((e) => e.text)).some((t) => t.startsWith("touch"))).toBe(false);
  });

  test("one connection per host for the whole run, across plays", async () => {
    const conns = withFakeConnections(() => new FakeConnection());
    const a = playbook({
      name: "a",
      hosts: "db",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    const b = playbook({
      name: "b",
      hosts: "db",
      async run(host) {
        await host.run(touch({ name: "/b" }));
      },
    });
    await runPlaybook(playbook({ name: "site", include: [a, b] }), { connect: (spec) => connect(spec), inventory });
    expect(conns).toHaveLength(1);
    expect(conns[0]?.closed).toBe(true);
  });

  test("a second play whose vars change ansible_user runs over a connection as that user", async () => {
    const users: string[] = [];
    const book = playbook({
      name: "site",
      include: [
        playbook({
          name: "as root",
          hosts: "db",
          async run(host) {
            await host.run(touch({ name: "/a" }));
          },
        }),
        playbook({
          name: "as deploy",
          hosts: "db",
          vars: { ansible_user: "deploy" },
          async run(host) {
            users.push(host.connection.user);
            await host.run(touch({ name: "/b" }));
          },
        }),
      ],
    });
    const specs: ConnectionSpec[] = [];
    await runPlaybook(book, {
      inventory,
      connect: (spec) => {
        specs.push(spec);
        return new FakeConnection(() => ({}), spec.kind === "ssh" ? spec.user : "local");
      },
    });
    expect(specs.map((s) => (s.kind === "ssh" ? s.user : s.kind))).toEqual(["root", "deploy"]);
    expect(users).toEqual(["deploy"]);
  });

  test("defaultVars (ansible-playbook's -u, -b) apply below the inventory: a host's own ansible_user still wins", async () => {
    const inv = parseInventory(
      "all:\n  hosts:\n    a: { ansible_host: 10.0.0.1 }\n    b: { ansible_host: 10.0.0.2, ansible_user: own }\n",
      "i.yml",
    );
    const users: Record<string, string> = {};
    const book = playbook({
      name: "p",
      hosts: "all",
      async run(host) {
        users[host.name] = `${host.connection.user}${host.become.enabled ? "+sudo" : ""}`;
      },
    });
    await runPlaybook(book, {
      inventory: inv,
      defaultVars: { ansible_user: "ci", ansible_become: true },
      connect: (spec) => new FakeConnection(() => ({}), spec.kind === "ssh" ? spec.user : "local"),
    });
    expect(users).toEqual({ a: "ci+sudo", b: "own+sudo" });
  });

  test("the runner removes each play's listeners when the play ends", async () => {
    withFakeConnections(() => new FakeConnection());
    const events = new RunEvents();
    const plays = Array.from({ length: 30 }, (_, i) => playbook({ name: `p${i}`, hosts: "db", async run() {} }));
    const warnings: string[] = [];
    const onWarning = (w: Error): void => void warnings.push(w.name);
    process.on("warning", onWarning);
    await runPlaybook(playbook({ name: "many", include: plays }), { connect: (spec) => connect(spec), inventory, events });
    await new Promise((r) => setImmediate(r));
    process.off("warning", onWarning);
    expect(warnings).not.toContain("MaxListenersExceededWarning");
  });

  test("play vars override inventory vars, and -e overrides both", async () => {
    withFakeConnections(() => new FakeConnection());
    const seen: unknown[] = [];
    const book = playbook({
      name: "p",
      hosts: "db",
      vars: { role: "play" },
      async run(_host, vars) {
        seen.push(vars.role);
      },
    });
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory, extraVars: { role: "extra" } });
    expect(seen).toEqual(["play", "extra"]);
  });

  test("forks bounds how many hosts run at once", async () => {
    withFakeConnections(() => new FakeConnection());
    let running = 0;
    let peak = 0;
    const book = playbook({
      name: "p",
      hosts: "all",
      async run() {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 10));
        running--;
      },
    });
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory, forks: 2 });
    expect(peak).toBe(2);
  });

  test("maxFailPercentage stops the remaining serial batches", async () => {
    withFakeConnections(() => new FakeConnection((t) => ({ code: t.startsWith("test") ? 1 : 1 })));
    const book = playbook({
      name: "p",
      hosts: "web",
      serial: 1,
      maxFailPercentage: 0,
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    const report = await runPlaybook(book, { connect: (spec) => connect(spec), inventory });
    expect(Object.keys(report.stats)).toEqual(["web1"]);
  });

  test("events: every task start has a matching end", async () => {
    withFakeConnections(() => new FakeConnection());
    const events = new RunEvents();
    const seen: string[] = [];
    events.on("taskStart", (e) => seen.push(`start ${e.host}`));
    events.on("taskEnd", (e) => seen.push(`end ${e.host}`));
    const book = playbook({
      name: "p",
      hosts: "db",
      async run(host) {
        await host.run(touch({ name: "/a" }));
      },
    });
    await runPlaybook(book, { connect: (spec) => connect(spec), inventory, events });
    expect(seen).toEqual(["start db1", "end db1"]);
  });
});

describe("serialBatches", () => {
  test.each([
    [undefined, [["a", "b", "c", "d"]]],
    [1, [["a"], ["b"], ["c"], ["d"]]],
    [
      "50%",
      [
        ["a", "b"],
        ["c", "d"],
      ],
    ],
    [
      [1, 3],
      [["a"], ["b", "c", "d"]],
    ],
  ])("serialBatches(%p) splits four hosts as Ansible does", (serial, expected) => {
    expect(serialBatches(["a", "b", "c", "d"], serial as never)).toEqual(expected);
  });
});
