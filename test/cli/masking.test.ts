import { RunEvents } from "../../lib/core/events.js";
import { registerSecret } from "../../lib/core/secrets.js";
import type { Playbook } from "../../lib/run/playbook.js";
import { PlainRenderer } from "../../lib/cli/render-plain.js";
import { ListrRenderer } from "../../lib/cli/render-listr.js";
import { JsonReporter } from "../../lib/cli/json-reporter.js";
import { formatRecap } from "../../lib/cli/recap.js";
import { runCli } from "../../lib/cli/main.js";
import { Capture, result, sampleReport } from "./fixtures.js";

const SECRET = "s3cr3t-registry-token";
registerSecret(SECRET);

/** A run whose events carry the secret in every text field, as if the core had forgotten to mask. */
function leakyRun(events: RunEvents): void {
  const r = result("web1", `login ${SECRET}`, {
    status: "failed",
    message: `denied for ${SECRET}`,
    diff: `-old\n+${SECRET}\n`,
    stdout: SECRET,
    stderr: `bad ${SECRET}`,
  });
  events.emit("runStart", { playbook: SECRET, check: false, diff: true });
  events.emit("playStart", { play: `deploy ${SECRET}`, hosts: ["web1"] });
  events.emit("hostStart", { play: `deploy ${SECRET}`, host: "web1" });
  events.emit("taskStart", { play: `deploy ${SECRET}`, host: "web1", task: "docker.login", title: `login ${SECRET}` });
  events.emit("command", { host: "web1", text: `docker login -p ${SECRET}`, code: 1, durationMs: 5 });
  events.emit("log", { host: "web1", message: `token ${SECRET}` });
  events.emit("taskEnd", { play: `deploy ${SECRET}`, host: "web1", result: r });
  events.emit("hostEnd", { play: `deploy ${SECRET}`, host: "web1", status: "failed", error: `[web1] ${SECRET}` });
  events.emit("playEnd", { play: `deploy ${SECRET}` });
}

const leakyReport = () =>
  sampleReport({
    playbook: SECRET,
    plays: [{ name: SECRET, hosts: ["web1"], results: [result("web1", SECRET, { message: SECRET, diff: SECRET, stdout: SECRET })] }],
    hostErrors: { web1: `[web1] ${SECRET}` },
  });

describe("no output contains a registered secret", () => {
  test("plain lines at -vv", () => {
    const out = new Capture();
    const events = new RunEvents();
    new PlainRenderer(out, { verbosity: 2 }).attach(events);
    leakyRun(events);
    expect(out.text).toContain("docker login -p ***");
    expect(out.text).not.toContain(SECRET);
  });

  test("the listr2 tree and the diffs printed under it", async () => {
    const out = new Capture();
    const tree = new Capture();
    const events = new RunEvents();
    const renderer = new ListrRenderer({ out, testOutput: tree });
    renderer.attach(events);
    leakyRun(events);
    await renderer.close();
    expect(tree.text).toContain("***");
    expect(out.text).toContain("+***");
    expect(tree.text + out.text).not.toContain(SECRET);
  });

  test("the recap and the JSON document", () => {
    const recap = formatRecap(leakyReport(), { verbosity: 2 });
    const json = new JsonReporter().format(leakyReport());
    expect(recap).toContain("[web1] ***");
    expect(json).toContain('"msg": "***"');
    expect(recap + json).not.toContain(SECRET);
  });

  test("errors printed by runCli", async () => {
    const out = new Capture();
    const err = new Capture();
    const book: Playbook = { name: "p", options: {}, plays: [{ name: "p", hosts: "all", run: async () => {} }] };
    const code = await runCli(book, ["-i", `inventory/${SECRET}.yml`, `--${SECRET}`], { stdout: out, stderr: err, handleSignals: false });
    expect(code).toBe(1);
    expect(err.text).toBe("error: Unknown option --***\n  hint: Run with --help to see the options.\n");
    const code2 = await runCli(book, ["-i", `inventory/${SECRET}.yml`], { stdout: out, stderr: err, handleSignals: false });
    expect(code2).toBe(1);
    expect(err.text).toContain("inventory/***.yml");
    expect(out.text + err.text).not.toContain(SECRET);
  });
});
