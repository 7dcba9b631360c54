import { RunEvents } from "../../lib/core/events.js";
import { ListrRenderer } from "../../lib/cli/render-listr.js";
import { Capture, result } from "./fixtures.js";

describe("ListrRenderer", () => {
  test("shows host → current task while running, then each host's outcome and the play's diffs", async () => {
    const out = new Capture();
    const tree = new Capture();
    const events = new RunEvents();
    const renderer = new ListrRenderer({ out, testOutput: tree });
    renderer.attach(events);
    events.emit("playStart", { play: "site", hosts: ["web1", "web2", "web3"] });
    events.emit("hostStart", { play: "site", host: "web1" });
    events.emit("hostStart", { play: "site", host: "web2" });
    await new Promise((r) => setTimeout(r, 20));
    events.emit("taskStart", { play: "site", host: "web1", task: "files.ensureDir", title: "directory /srv/app" });
    await new Promise((r) => setTimeout(r, 20));
    events.emit("taskEnd", {
      play: "site",
      host: "web1",
      result: result("web1", "directory /srv/app", { status: "changed", diff: "-a\n+b\n" }),
    });
    events.emit("hostEnd", { play: "site", host: "web1", status: "ok" });
    events.emit("hostEnd", { play: "site", host: "web2", status: "unreachable", error: "[web2] Cannot connect: timed out" });
    events.emit("playEnd", { play: "site" });
    await renderer.close();
    expect(tree.text).toContain("web1 → directory /srv/app");
    expect(tree.text).toMatch(/web1 {2}ok=1 changed=1 failed=0 skipped=0/);
    expect(tree.text).toContain("unreachable: Cannot connect: timed out");
    expect(tree.text).toContain("web3: not run");
    expect(out.text).toBe("--- [web1] directory /srv/app\n    -a\n    +b\n");
  });

  test("draws plays one after the other even when they follow in the same tick", async () => {
    const tree = new Capture();
    const events = new RunEvents();
    const renderer = new ListrRenderer({ out: new Capture(), testOutput: tree });
    renderer.attach(events);
    for (const play of ["one", "two"]) {
      events.emit("playStart", { play, hosts: ["h"] });
      events.emit("hostEnd", { play, host: "h", status: "ok" });
      events.emit("playEnd", { play });
    }
    await renderer.close();
    expect(tree.text.indexOf("PLAY [one]")).toBeGreaterThanOrEqual(0);
    expect(tree.text.indexOf("PLAY [two]")).toBeGreaterThan(tree.text.lastIndexOf("PLAY [one]"));
  });
});
