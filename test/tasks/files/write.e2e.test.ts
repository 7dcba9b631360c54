/** ensureDir, ensureFile and templateFile on a lab host over real SSH. */
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { secret } from "../../../lib/core/secrets.js";
import { ensureDir, ensureFile, templateFile } from "../../../lib/tasks/files/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, TaskRunner } from "../../e2e/task-harness.js";
import {
  describePath,
  expectNoCanary,
  HOSTILE,
  HOSTILE_TEXT,
  labTarget,
  q,
  readRemote,
  recordWire,
  shOk,
  writeRemote,
  closePlainSsh,
} from "./e2e-support.js";

const lab = useLab({ name: "t-files-write" });
let runner: TaskRunner;
let local: string;
beforeAll(() => {
  runner = new TaskRunner(labTarget(lab()));
  local = mkdtempSync(path.join(tmpdir(), "bosun-e2e-src-"));
});
afterAll(async () => {
  if (runner) closePlainSsh(runner);
  await runner?.close();
  rmSync(local, { recursive: true, force: true });
});

const base = `/tmp/t/${HOSTILE}`;

describe("ensureDir() on a lab host", () => {
  test("ensureDir() creates a hostile directory with owner and mode, then reports ok in one command", async () => {
    const dir = `${base}/dir/${HOSTILE}`;
    const { checked } = await expectConverges(runner, ensureDir({ path: dir, mode: "0750", owner: "nobody", group: "nogroup" }), () =>
      describePath(runner, dir),
    );
    expect(describePath(runner, dir)).toBe("dir 750 nobody:nogroup\n");
    expect(checked.diff).toContain('+  "mode": "0750"');
    expectNoCanary(runner);
  });
});

describe("ensureFile() on a lab host", () => {
  test("ensureFile() writes hostile content to a hostile path, converges, and shows the diff", async () => {
    const file = `${base}/file/${HOSTILE}`;
    shOk(runner, `mkdir -p -- ${q(path.posix.dirname(file))}`);
    const call = ensureFile({ path: file, content: HOSTILE_TEXT, mode: "0640", owner: "nobody", group: "nogroup" });
    const { checked, applied } = await expectConverges(runner, call, () => describePath(runner, file));
    expect(readRemote(runner, file).toString()).toBe(HOSTILE_TEXT);
    expect(describePath(runner, file)).toMatch(/^regular file 640 nobody:nogroup /);
    for (const r of [checked, applied]) expect(r.diff).toContain("+$(touch /tmp/canary-sub)");
    expectNoCanary(runner);
  });

  test("ensureFile() replaces changed content with a -/+ diff and keeps the mode", async () => {
    const file = "/tmp/t/update/app.conf";
    writeRemote(runner, file, "port=80\nname=app\n", "0600");
    const call = ensureFile({ path: file, content: "port=8080\nname=app\n" });
    const { applied } = await expectConverges(runner, call, () => readRemote(runner, file).toString() + describePath(runner, file));
    expect(applied.diff).toContain("-port=80\n+port=8080\n name=app");
    expect(describePath(runner, file)).toMatch(/^regular file 600 root:root 19\n/);
  });

  test("ensureFile() only changes the mode when the content is already right", async () => {
    const file = "/tmp/t/mode-only/f";
    writeRemote(runner, file, "same\n", "0644");
    const { applied } = await expectConverges(runner, ensureFile({ path: file, content: "same\n", mode: "0400" }), () =>
      describePath(runner, file),
    );
    expect(applied.commands).toBe(2);
    expect(applied.diff).toContain('-  "mode": "0644"');
    expect(describePath(runner, file)).toMatch(/^regular file 400 /);
  });

  test("ensureFile() writes bytes exactly, including ones that are not UTF-8", async () => {
    const file = "/tmp/t/binary/blob";
    shOk(runner, "mkdir -p /tmp/t/binary");
    const bytes = Buffer.from([0, 1, 2, 0xff, 0xfe, 10, 13, 10, 0x80]);
    await expectConverges(runner, ensureFile({ path: file, content: bytes }), () => describePath(runner, file));
    expect(readRemote(runner, file).equals(bytes)).toBe(true);
  });

  test("ensureFile() copies a file from the controller", async () => {
    const src = path.join(local, "motd");
    writeFileSync(src, "Welcome\n");
    const file = "/tmp/t/copy/motd";
    shOk(runner, "mkdir -p /tmp/t/copy");
    await expectConverges(runner, ensureFile({ path: file, src }), () => describePath(runner, file));
    expect(readRemote(runner, file).toString()).toBe("Welcome\n");
  });

  test("ensureFile() keeps secret content out of diffs, messages and command logs", async () => {
    const file = "/tmp/t/secret/token";
    shOk(runner, "mkdir -p /tmp/t/secret");
    const value = "tok-5ecr3t-e2e-value";
    const seen: string[] = [];
    runner.events.on("log", (l) => seen.push(l.message));
    const wire = recordWire(runner);
    const { checked, applied } = await expectConverges(runner, ensureFile({ path: file, content: secret(value), mode: "0600" }), () =>
      describePath(runner, file),
    );
    expect(readRemote(runner, file).toString()).toBe(value);
    const everything = JSON.stringify([checked, applied, runner.commands, seen]);
    expect(everything).not.toContain(value);
    // Masking would hide it in the logs anyway: the commands really sent must not hold it either (stdin only).
    expect(wire.length).toBeGreaterThan(0);
    expect(wire.join("\n")).not.toContain(value);
    expect(checked.diff).toBeUndefined();
  });

  test("ensureFile() leaves the old file intact when validate fails", async () => {
    const file = "/etc/sudoers.d/bosun-e2e";
    writeRemote(runner, file, "root ALL=(ALL) ALL\n", "0440");
    const before = describePath(runner, file);
    const r = await runner.run(
      ensureFile({ path: file, content: "this is not sudoers syntax ((\n", mode: "0440", validate: "visudo -cf %s" }),
    );
    expect(r.failed).toBe(true);
    expect(r.message).toContain("validate command failed");
    expect(describePath(runner, file)).toBe(before);
    expect(shOk(runner, "ls -A /etc/sudoers.d/")).not.toContain(".bosun.");
  });

  test("ensureFile() installs content that passes validate", async () => {
    const file = "/etc/sudoers.d/bosun-e2e-ok";
    const call = ensureFile({ path: file, content: "nobody ALL=(root) NOPASSWD: /bin/true\n", mode: "0440", validate: "visudo -cf %s" });
    await expectConverges(runner, call, () => describePath(runner, file));
    expect(shOk(runner, `visudo -cf ${q(file)} >/dev/null && echo valid`)).toBe("valid\n");
    shOk(runner, `rm -f ${q(file)}`);
  });

  test("ensureFile() creates missing directories only with createParents", async () => {
    const file = "/tmp/t/parents/a/b/f";
    const refused = await runner.run(ensureFile({ path: file, content: "x" }));
    expect(refused.failed).toBe(true);
    expect(refused.message).toContain('directory "/tmp/t/parents/a/b" does not exist');
    await expectConverges(runner, ensureFile({ path: file, content: "x", createParents: true }), () => describePath(runner, file));
  });

  test("ensureFile() writes in place, and says so under -v, when the file is bind-mounted (EBUSY)", async () => {
    const file = "/tmp/t/bind/hosts";
    writeRemote(runner, "/tmp/t/bind/real", "old\n");
    writeRemote(runner, file, "");
    shOk(runner, `mount --bind /tmp/t/bind/real ${file}`);
    try {
      const logs: string[] = [];
      runner.events.on("log", (l) => logs.push(l.message));
      await expectConverges(runner, ensureFile({ path: file, content: "new\n" }), () => readRemote(runner, "/tmp/t/bind/real").toString());
      expect(readRemote(runner, "/tmp/t/bind/real").toString()).toBe("new\n");
      expect(logs).toContain(`${file}: rename was impossible (busy, e.g. a bind mount); wrote the file in place, not atomically`);
    } finally {
      shOk(runner, `umount ${file}`);
    }
  });

  test("ensureFile() refuses to replace a directory or a link", async () => {
    shOk(runner, "mkdir -p /tmp/t/refuse/d && ln -sfn /etc/passwd /tmp/t/refuse/l");
    expect((await runner.run(ensureFile({ path: "/tmp/t/refuse/d", content: "x" }))).message).toContain("it is a directory");
    expect((await runner.run(ensureFile({ path: "/tmp/t/refuse/l", content: "x" }))).message).toContain(
      'it is a symbolic link to "/etc/passwd"',
    );
    expect(describePath(runner, "/tmp/t/refuse/l")).toBe("link -> /etc/passwd|root:root\n");
  });
});

describe("templateFile() on a lab host", () => {
  test("templateFile() renders host vars and task vars literally into a hostile path", async () => {
    const src = path.join(local, "app.conf.hbs");
    writeFileSync(src, "listen {{port}}\nname {{name}}\n{{#each peers}}peer {{this}}\n{{/each}}");
    const file = `${base}/tpl/${HOSTILE}.conf`;
    shOk(runner, `mkdir -p -- ${q(path.posix.dirname(file))}`);
    const call = templateFile({ src, dest: file, mode: "0640", vars: { port: 8080, peers: ["a", "$(touch /tmp/canary-sub)"] } });
    const { checked } = await expectConverges(runner, call, () => describePath(runner, file), {
      vars: { name: "`touch /tmp/canary-bt`", port: 80 },
    });
    expect(readRemote(runner, file).toString()).toBe("listen 8080\nname `touch /tmp/canary-bt`\npeer a\npeer $(touch /tmp/canary-sub)\n");
    expect(checked.diff).toContain("+listen 8080");
    expectNoCanary(runner);
  });

  test("templateFile() fails naming the missing variable and writes nothing", async () => {
    const src = path.join(local, "strict.hbs");
    writeFileSync(src, "a={{defined}}\nb={{undefined_var}}\n");
    const r = await runner.run(templateFile({ src, dest: "/tmp/t/strict.conf", vars: { defined: 1 } }));
    expect(r.failed).toBe(true);
    expect(r.message).toMatch(/undefined_var/);
    expect(r.commands).toBe(0);
    expect(describePath(runner, "/tmp/t/strict.conf")).toBe("absent\n");
  });
});
