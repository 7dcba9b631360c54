import { RunEvents } from "../../lib/core/events.js";
import { PlainRenderer } from "../../lib/cli/render-plain.js";
import { formatRecap } from "../../lib/cli/recap.js";
import { Capture, result, sampleReport } from "./fixtures.js";

/** Feed one play on two hosts through a bus. */
function play(events: RunEvents): void {
  events.emit("runStart", { playbook: "site", check: false, diff: true });
  events.emit("playStart", { play: "site", hosts: ["web1", "web2"] });
  events.emit("hostStart", { play: "site", host: "web1" });
  events.emit("hostStart", { play: "site", host: "web2" });
  events.emit("taskStart", { play: "site", host: "web1", task: "files.ensureDir", title: "directory /srv/app" });
  events.emit("command", { host: "web1", text: "mkdir -p -- /srv/app", code: 0, durationMs: 12 });
  events.emit("taskEnd", {
    play: "site",
    host: "web1",
    result: result("web1", "directory /srv/app", {
      status: "changed",
      diff: "--- before: /srv/app\n+++ after: /srv/app\n@@ -1 +1 @@\n-absent\n+dir\n",
    }),
  });
  events.emit("log", { host: "web2", message: "retrying in 5s" });
  events.emit("taskEnd", {
    play: "site",
    host: "web2",
    result: result("web2", "directory /srv/app", { status: "failed", message: "Cannot ensure directory: path is a file\nsecond line" }),
  });
  events.emit("hostEnd", {
    play: "site",
    host: "web2",
    status: "failed",
    error: "[web2] files.ensureDir: Cannot ensure directory: path is a file",
  });
  events.emit("taskEnd", { play: "site", host: "web1", result: result("web1", "config /etc/app.conf") });
  events.emit("taskEnd", {
    play: "site",
    host: "web1",
    result: result("web1", "extra step", { status: "skipped", message: "skipped by tags" }),
  });
  events.emit("hostEnd", { play: "site", host: "web1", status: "ok" });
  events.emit("playEnd", { play: "site" });
}

describe("PlainRenderer", () => {
  test("prints the play header and one Ansible-like line per task result", () => {
    const out = new Capture();
    const events = new RunEvents();
    new PlainRenderer(out).attach(events);
    play(events);
    expect(out.lines).toContain("(diff)");
    expect(out.text).toMatch(/^PLAY \[site\] \*+$/m);
    expect(out.lines).toContain("changed: [web1] directory /srv/app");
    expect(out.lines).toContain("failed: [web2] directory /srv/app: Cannot ensure directory: path is a file");
    expect(out.lines).toContain("    second line");
    expect(out.lines).toContain("ok: [web1] config /etc/app.conf");
    expect(out.lines).toContain("skipping: [web1] extra step");
  });

  test("prints the diff of a changed task indented under its line", () => {
    const out = new Capture();
    const events = new RunEvents();
    new PlainRenderer(out).attach(events);
    play(events);
    const at = out.lines.indexOf("changed: [web1] directory /srv/app");
    expect(out.lines.slice(at + 1, at + 6)).toEqual([
      "    --- before: /srv/app",
      "    +++ after: /srv/app",
      "    @@ -1 +1 @@",
      "    -absent",
      "    +dir",
    ]);
  });

  test("does not repeat a task failure when the host ends", () => {
    const out = new Capture();
    const events = new RunEvents();
    new PlainRenderer(out).attach(events);
    play(events);
    expect(out.text).not.toContain("fatal:");
  });

  test("prints commands and logs only with -v", () => {
    const quiet = new Capture();
    const loud = new Capture();
    const events = new RunEvents();
    new PlainRenderer(quiet).attach(events);
    new PlainRenderer(loud, { verbosity: 1 }).attach(events);
    play(events);
    expect(quiet.text).not.toContain("$ mkdir");
    expect(loud.lines).toContain("[web1] $ mkdir -p -- /srv/app (12ms, exit 0)");
    expect(loud.lines).toContain("[web2] retrying in 5s");
    expect(loud.lines).toContain("skipping: [web1] extra step (playbooks/site.ts:10): skipped by tags");
  });

  test("reports a host that fails outside a task, an unreachable host and an interrupted host", () => {
    const out = new Capture();
    const events = new RunEvents();
    new PlainRenderer(out).attach(events);
    events.emit("hostEnd", { play: "p", host: "a", status: "failed", error: '[a] Cannot notify handler "x"' });
    events.emit("hostEnd", { play: "p", host: "b", status: "unreachable", error: "[b] Cannot connect to 10.0.0.9:22: timed out" });
    events.emit("hostEnd", { play: "p", host: "c", status: "failed", error: "[c] interrupted" });
    expect(out.lines).toEqual([
      'fatal: [a] Cannot notify handler "x"',
      "unreachable: [b] Cannot connect to 10.0.0.9:22: timed out",
      "interrupted: [c]",
      "",
    ]);
  });

  test("colours only when asked", () => {
    const plain = new Capture();
    const coloured = new Capture();
    const events = new RunEvents();
    new PlainRenderer(plain).attach(events);
    new PlainRenderer(coloured, { color: true }).attach(events);
    play(events);
    expect(plain.text).not.toContain("\u001b[");
    expect(coloured.text).toContain("\u001b[33mchanged: [web1] directory /srv/app\u001b[39m");
  });
});

describe("formatRecap()", () => {
  test("prints one aligned line per host, then the host errors and the total", () => {
    expect(formatRecap(sampleReport())).toBe(
      [
        "",
        `PLAY RECAP ${"*".repeat(61)}`,
        "web1 : ok=2   changed=1   unreachable=0   failed=0   skipped=0   ignored=0   2.1s",
        "web2 : ok=0   changed=0   unreachable=0   failed=1   skipped=0   ignored=0   400ms",
        "",
        "web2 failed:",
        '  [web2] files.ensureDir (playbooks/site.ts:10): Cannot ensure directory "/srv/app": path is a file',
        "",
        "2 hosts in 3.2s",
        "",
      ].join("\n"),
    );
  });

  test("adds the remote command count under -v", () => {
    const text = formatRecap(sampleReport(), { verbosity: 1 });
    expect(text).toContain("ignored=0   commands=3    2.1s");
    expect(text).toContain("commands=1    400ms");
  });

  test("says interrupted and names the exit code", () => {
    const report = sampleReport({ interrupted: true, exitCode: 130, hostErrors: { web2: "[web2] interrupted" } });
    const text = formatRecap(report);
    expect(text).not.toContain("web2 failed");
    expect(text).toMatch(
      /^interrupted: the run stopped after the running tasks finished; stopped early: web2 \(2 hosts in 3\.2s, exit 130\)$/m,
    );
  });

  test("says an unreachable host is unreachable and that check mode changed nothing", () => {
    const report = sampleReport({
      check: true,
      stats: { db1: { ok: 0, changed: 0, unreachable: 1, failed: 0, skipped: 0, ignored: 0, commands: 0, durationMs: 5000 } },
      hostErrors: { db1: "[db1] Cannot connect to db1:22: timed out" },
      exitCode: 4,
    });
    const text = formatRecap(report);
    expect(text).toContain("db1 : ok=0   changed=0   unreachable=1");
    expect(text).toContain("db1 unreachable:");
    expect(text).toContain("1 host in 3.2s; check mode: nothing was changed");
  });
});
