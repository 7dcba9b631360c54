/** symlink and ensureAbsent on a lab host over real SSH. */
import { ensureAbsent, symlink } from "../../../lib/tasks/files/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, TaskRunner } from "../../e2e/task-harness.js";
import { describePath, expectNoCanary, HOSTILE, labTarget, q, shOk, writeRemote, closePlainSsh } from "./e2e-support.js";

const lab = useLab({ name: "t-files-link" });
let runner: TaskRunner;
beforeAll(() => {
  runner = new TaskRunner(labTarget(lab()));
});
afterAll(async () => {
  if (runner) closePlainSsh(runner);
  await runner?.close();
});

const base = `/tmp/t/${HOSTILE}`;

describe("symlink() on a lab host", () => {
  test("symlink() links a hostile path to a hostile relative target, converges, and shows the diff", async () => {
    const dest = `${base}/links/${HOSTILE}`;
    shOk(runner, `mkdir -p -- "$(dirname -- ${q(dest)})"`);
    const src = `../${HOSTILE}`;
    const { checked } = await expectConverges(runner, symlink({ src, dest, owner: "nobody", group: "nogroup" }), () =>
      describePath(runner, dest),
    );
    expect(describePath(runner, dest)).toBe(`link -> ${src}|nobody:nogroup\n`);
    expect(checked.diff).toContain(`"link": ${JSON.stringify(src)}`);
    expectNoCanary(runner);
  });

  test("symlink() repoints a link to a directory without following it", async () => {
    shOk(runner, "mkdir -p /tmp/t/rel/1 /tmp/t/rel/2 && ln -sfn /tmp/t/rel/1 /tmp/t/rel/current");
    await expectConverges(runner, symlink({ src: "/tmp/t/rel/2", dest: "/tmp/t/rel/current" }), () =>
      describePath(runner, "/tmp/t/rel/current"),
    );
    expect(describePath(runner, "/tmp/t/rel/current")).toBe("link -> /tmp/t/rel/2|root:root\n");
    expect(shOk(runner, "ls -A /tmp/t/rel/1 /tmp/t/rel/2")).toBe("/tmp/t/rel/1:\n\n/tmp/t/rel/2:\n");
  });

  test("symlink() replaces a file only with force and never a directory", async () => {
    writeRemote(runner, "/tmp/t/force/f", "data\n");
    shOk(runner, "mkdir -p /tmp/t/force/d");
    const refused = await runner.run(symlink({ src: "/etc/hostname", dest: "/tmp/t/force/f" }));
    expect(refused.message).toContain('Cannot create link "/tmp/t/force/f": a file is there');
    expect(describePath(runner, "/tmp/t/force/f")).toMatch(/^regular file /);
    await expectConverges(runner, symlink({ src: "/etc/hostname", dest: "/tmp/t/force/f", force: true }), () =>
      describePath(runner, "/tmp/t/force/f"),
    );
    const dir = await runner.run(symlink({ src: "/etc/hostname", dest: "/tmp/t/force/d", force: true }));
    expect(dir.message).toContain("a directory is there");
    expect(describePath(runner, "/tmp/t/force/d")).toBe("dir 755 root:root\n");
  });
});

describe("ensureAbsent() on a lab host", () => {
  test("ensureAbsent() removes a hostile file, converges, and shows the diff", async () => {
    const file = `${base}/absent/${HOSTILE}`;
    writeRemote(runner, file, "x");
    const { checked } = await expectConverges(runner, ensureAbsent({ path: file }), () => describePath(runner, file));
    expect(describePath(runner, file)).toBe("absent\n");
    expect(checked.diff).toContain('+  "kind": "absent"');
    expectNoCanary(runner);
  });

  test("ensureAbsent() removes a link to a directory, never the directory's content", async () => {
    shOk(runner, "mkdir -p /tmp/t/keep && touch /tmp/t/keep/precious && ln -sfn /tmp/t/keep /tmp/t/keep-link");
    await expectConverges(runner, ensureAbsent({ path: "/tmp/t/keep-link/", recursive: true }), () =>
      describePath(runner, "/tmp/t/keep-link"),
    );
    expect(shOk(runner, "ls -A /tmp/t/keep")).toBe("precious\n");
  });

  test("ensureAbsent() refuses a non-empty directory without recursive and removes nothing", async () => {
    shOk(runner, "mkdir -p /tmp/t/full/sub && touch /tmp/t/full/a /tmp/t/full/sub/b");
    const r = await runner.run(ensureAbsent({ path: "/tmp/t/full" }));
    expect(r.failed).toBe(true);
    expect(r.message).toContain('Cannot remove directory "/tmp/t/full": it is not empty');
    expect(describePath(runner, "/tmp/t/full")).toBe("dir 755 root:root\na\nsub\n");
    await expectConverges(runner, ensureAbsent({ path: "/tmp/t/full", recursive: true }), () => describePath(runner, "/tmp/t/full"));
  });

  test("ensureAbsent() removes an empty directory without recursive", async () => {
    shOk(runner, "mkdir -p /tmp/t/empty");
    await expectConverges(runner, ensureAbsent({ path: "/tmp/t/empty" }), () => describePath(runner, "/tmp/t/empty"));
  });

  test("ensureAbsent() takes glob characters literally", async () => {
    shOk(runner, "mkdir -p /tmp/t/glob && touch /tmp/t/glob/a /tmp/t/glob/b '/tmp/t/glob/*' '/tmp/t/glob/[ab]'");
    await expectConverges(runner, ensureAbsent({ path: "/tmp/t/glob/*", recursive: true }), () => describePath(runner, "/tmp/t/glob"));
    await expectConverges(runner, ensureAbsent({ path: "/tmp/t/glob/[ab]" }), () => describePath(runner, "/tmp/t/glob"));
    expect(describePath(runner, "/tmp/t/glob")).toBe("dir 755 root:root\na\nb\n");
  });
});
