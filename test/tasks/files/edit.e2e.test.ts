/** lineInFile and blockInFile on a lab host over real SSH. */
import { blockInFile, lineInFile } from "../../../lib/tasks/files/index.js";
import { useLab } from "../../e2e/lab-fixture.js";
import { expectConverges, TaskRunner } from "../../e2e/task-harness.js";
import { describePath, expectNoCanary, HOSTILE, labTarget, readRemote, shOk, writeRemote, closePlainSsh } from "./e2e-support.js";

const lab = useLab({ name: "t-files-edit" });
let runner: TaskRunner;
beforeAll(() => {
  runner = new TaskRunner(labTarget(lab()));
});
afterAll(async () => {
  if (runner) closePlainSsh(runner);
  await runner?.close();
});

const text = (file: string): string => readRemote(runner, file).toString();
const state = (file: string) => () => {
  const what = describePath(runner, file);
  return what === "absent\n" ? what : `${what}${text(file)}`;
};
const HOSTILE_LINE = `k='v' "$(touch /tmp/canary-sub)" \`touch /tmp/canary-bt\` ;touch /tmp/canary-semi && -rf * ü $1 $&`;

describe("lineInFile() on a lab host", () => {
  test("lineInFile() replaces the last matching line of a hostile file, converges, and shows the diff", async () => {
    const file = `/tmp/t/line/${HOSTILE}`;
    writeRemote(runner, file, "# config\nPort 22\nPort 2222\nUsePAM yes\n", "0600");
    const { checked } = await expectConverges(runner, lineInFile({ path: file, regexp: "^#?Port ", line: "Port 2200" }), state(file));
    expect(text(file)).toBe("# config\nPort 22\nPort 2200\nUsePAM yes\n");
    expect(checked.diff).toContain("-Port 2222\n+Port 2200");
    expect(describePath(runner, file)).toMatch(/^regular file 600 /);
    expectNoCanary(runner);
  });

  test("lineInFile() inserts a hostile line literally after the line insertAfter matches", async () => {
    const file = "/tmp/t/line/insert.conf";
    writeRemote(runner, file, "[a]\nx=1\n[b]\ny=2\n");
    await expectConverges(runner, lineInFile({ path: file, line: HOSTILE_LINE, insertAfter: "^\\[a\\]$" }), state(file));
    expect(text(file)).toBe(`[a]\n${HOSTILE_LINE}\nx=1\n[b]\ny=2\n`);
    expectNoCanary(runner);
  });

  test("lineInFile() removes every matching line with state absent", async () => {
    const file = "/tmp/t/line/absent.conf";
    writeRemote(runner, file, "keep\ndrop 1\nkeep too\ndrop 2\n");
    const { applied } = await expectConverges(runner, lineInFile({ path: file, regexp: "^drop", state: "absent" }), state(file));
    expect(text(file)).toBe("keep\nkeep too\n");
    expect(applied.message).toBe(`${file}: 2 line(s) removed`);
  });

  test("lineInFile() creates a missing file only with create", async () => {
    const file = "/tmp/t/line/new.conf";
    const refused = await runner.run(lineInFile({ path: file, line: "a=1" }));
    expect(refused.failed).toBe(true);
    expect(refused.message).toContain(`Cannot edit "${file}": the file does not exist`);
    await expectConverges(runner, lineInFile({ path: file, line: "a=1", create: true, mode: "0600" }), () => describePath(runner, file));
    expect(text(file)).toBe("a=1\n");
    expect(describePath(runner, file)).toMatch(/^regular file 600 /);
  });

  test("lineInFile() leaves the old file intact when validate fails", async () => {
    const file = "/tmp/t/line/validated.conf";
    writeRemote(runner, file, "ok=1\n");
    const r = await runner.run(lineInFile({ path: file, line: "broken", validate: "! grep -q broken %s" }));
    expect(r.failed).toBe(true);
    expect(r.message).toContain("validate command failed");
    expect(text(file)).toBe("ok=1\n");
    expect(shOk(runner, "ls -A /tmp/t/line/")).not.toContain(".bosun.");
  });

  test("lineInFile() refuses a binary file rather than corrupt it", async () => {
    const file = "/tmp/t/line/binary";
    shOk(runner, `mkdir -p /tmp/t/line && printf '\\377\\376\\000x\\n' > ${file}`);
    const before = describePath(runner, file);
    const r = await runner.run(lineInFile({ path: file, line: "x" }));
    expect(r.message).toContain("it is not UTF-8 text");
    expect(describePath(runner, file)).toBe(before);
  });
});

describe("blockInFile() on a lab host", () => {
  const B = "# BEGIN BOSUN MANAGED BLOCK";
  const E = "# END BOSUN MANAGED BLOCK";

  test("blockInFile() inserts a hostile block into a hostile file, converges, and shows the diff", async () => {
    const file = `/tmp/t/block/${HOSTILE}`;
    writeRemote(runner, file, "127.0.0.1 localhost\n");
    const block = `10.0.0.2 db\n${HOSTILE_LINE}\n`;
    const { checked } = await expectConverges(runner, blockInFile({ path: file, block }), state(file));
    expect(text(file)).toBe(`127.0.0.1 localhost\n${B}\n10.0.0.2 db\n${HOSTILE_LINE}\n${E}\n`);
    expect(checked.diff).toContain(`+${B}\n+10.0.0.2 db`);
    expectNoCanary(runner);
  });

  test("blockInFile() replaces its block in place and leaves the rest alone", async () => {
    const file = "/tmp/t/block/replace.conf";
    writeRemote(runner, file, `top\n${B}\nold\n${E}\nbottom\n`);
    const { applied } = await expectConverges(runner, blockInFile({ path: file, block: "new 1\nnew 2" }), state(file));
    expect(text(file)).toBe(`top\n${B}\nnew 1\nnew 2\n${E}\nbottom\n`);
    expect(applied.diff).toContain("-old\n+new 1\n+new 2");
  });

  test("blockInFile() removes its block with state absent and keeps other blocks", async () => {
    const file = "/tmp/t/block/absent.conf";
    writeRemote(runner, file, `a\n# BEGIN other\nk\n# END other\n${B}\nx\n${E}\nb\n`);
    await expectConverges(runner, blockInFile({ path: file, state: "absent" }), state(file));
    expect(text(file)).toBe("a\n# BEGIN other\nk\n# END other\nb\n");
  });

  test("blockInFile() creates a file with a custom marker at the beginning", async () => {
    const file = "/tmp/t/block/new.conf";
    await expectConverges(
      runner,
      blockInFile({ path: file, block: "x", marker: "// {mark} app", create: true, insertBefore: "BOF" }),
      state(file),
    );
    expect(text(file)).toBe("// BEGIN app\nx\n// END app\n");
  });
});
