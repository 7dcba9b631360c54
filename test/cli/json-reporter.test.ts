import { RunEvents } from "../../lib/core/events.js";
import { JsonReporter, jsonDocument } from "../../lib/cli/json-reporter.js";
import { result, sampleReport } from "./fixtures.js";

describe("jsonDocument()", () => {
  const doc = jsonDocument(sampleReport());

  test("has the keys tools reading Ansible's json callback look at", () => {
    expect(Object.keys(doc)).toEqual(expect.arrayContaining(["plays", "stats", "custom_stats", "global_custom_stats"]));
    const play = doc.plays[0];
    expect(play?.play).toEqual({
      name: "site",
      id: "play-1",
      hosts: ["web1", "web2"],
      duration: { start: "2025-01-02T03:04:05.000Z", end: "2025-01-02T03:04:08.210Z" },
    });
    expect(play?.tasks[0]?.hosts.web1?.changed).toBe(true);
    expect(play?.tasks[0]?.hosts.web2?.failed).toBe(true);
    expect(doc.stats.web2?.failures).toBe(1);
    expect(doc.stats.web1).toEqual({
      ok: 2,
      changed: 1,
      failures: 0,
      unreachable: 0,
      skipped: 0,
      ignored: 0,
      rescued: 0,
      commands: 3,
      duration_ms: 2100,
    });
  });

  test("groups host results into tasks by location and title, in order of first appearance", () => {
    const tasks = doc.plays[0]?.tasks ?? [];
    expect(tasks.map((t) => [t.task.name, t.task.path, Object.keys(t.hosts)])).toEqual([
      ["directory /srv/app", "playbooks/site.ts:10", ["web1", "web2"]],
      ["config /etc/app.conf", "playbooks/site.ts:11", ["web1"]],
    ]);
    expect(tasks.map((t) => t.task.id)).toEqual(["play-1-task-1", "play-1-task-2"]);
  });

  test("puts msg, diff, rc, action, commands and duration in a host result", () => {
    const web1 = doc.plays[0]?.tasks[0]?.hosts.web1;
    expect(web1).toEqual({
      changed: true,
      failed: false,
      skipped: false,
      diff_text: "--- before\n+++ after\n@@ -1 +1 @@\n-a\n+b\n",
      rc: 0,
      action: "files.ensureDir",
      commands: 1,
      duration_ms: 12,
      attempts: 1,
    });
    expect(doc.plays[0]?.tasks[0]?.hosts.web2?.msg).toBe('Cannot ensure directory "/srv/app": path is a file');
  });

  test("starts a new task entry when the same host runs the same task again (a loop)", () => {
    const results = [result("a", "t"), result("b", "t"), result("a", "t")];
    const report = sampleReport({ plays: [{ name: "p", hosts: ["a", "b"], results }] });
    const tasks = jsonDocument(report).plays[0]?.tasks ?? [];
    expect(tasks.map((t) => Object.keys(t.hosts))).toEqual([["a", "b"], ["a"]]);
  });

  test("marks interrupted runs and check mode, and keeps host errors", () => {
    expect(doc.interrupted).toBeUndefined();
    expect(doc.check_mode).toBe(false);
    const stopped = jsonDocument(sampleReport({ interrupted: true, check: true, exitCode: 130 }));
    expect(stopped).toMatchObject({ interrupted: true, check_mode: true, exit_code: 130 });
    expect(stopped.host_errors.web2).toContain("path is a file");
  });

  test("serialises to JSON and back unchanged", () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});

describe("JsonReporter", () => {
  test("takes play and task times from the events", () => {
    const events = new RunEvents();
    const reporter = new JsonReporter().attach(events);
    const r = result("web1", "t", { durationMs: 0 });
    events.emit("playStart", { play: "p", hosts: ["web1"] });
    events.emit("taskEnd", { play: "p", host: "web1", result: r });
    events.emit("playEnd", { play: "p" });
    const report = sampleReport({ startedAt: "2000-01-01T00:00:00.000Z", plays: [{ name: "p", hosts: ["web1"], results: [r] }] });
    const doc = JSON.parse(reporter.format(report));
    const year = (iso: string) => new Date(iso).getFullYear();
    expect(year(doc.plays[0].play.duration.start)).toBeGreaterThan(2000);
    expect(year(doc.plays[0].tasks[0].task.duration.end)).toBeGreaterThan(2000);
    expect(doc.duration.start).toBe("2000-01-01T00:00:00.000Z");
  });
});
