import { createHash } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import type { Command } from "../../../lib/core/command.js";
import { secret } from "../../../lib/core/secrets.js";
import type { ChangedPlan, Plan } from "../../../lib/core/task.js";
import type { PathState } from "../../../lib/facts/files.js";
import { blockInFile, ensureAbsent, ensureDir, ensureFile, lineInFile, symlink, templateFile } from "../../../lib/tasks/files/index.js";
import { cannedHost, plan, stepTexts } from "./fake-task-host.js";
import { renderDiff, type Diff } from "../../../lib/core/diff.js";

const sha = (s: string): string => createHash("sha256").update(s).digest("hex");
const own = { owner: "root", group: "root", uid: "0", gid: "0" };
const file = (content: string, extra: Partial<PathState> = {}): PathState =>
  ({ kind: "file", mode: "0644", ...own, size: Buffer.byteLength(content), sha256: sha(content), content, ...extra }) as PathState;
const absent: PathState = { kind: "absent", parentExists: true };
const changedPlan = (p: Plan<unknown>): ChangedPlan<unknown> => {
  if (!p.changed) throw new Error(`expected a change, got: ${p.message}`);
  return p;
};
const stdinOf = (p: Plan<unknown>): string => String((changedPlan(p).steps[0] as Command).stdin);

describe("ensureFile() plans", () => {
  test("ensureFile() plans one atomic write of the content for an absent file, with a diff from nothing", async () => {
    const p = changedPlan(await plan(ensureFile({ path: "/etc/app.conf", content: "a=1\n", mode: "0640" }), cannedHost(absent)));
    expect(p.steps).toHaveLength(1);
    expect(stdinOf(p)).toBe("a=1\n");
    expect((p.steps[0] as Command).text).toContain("chmod 0640");
    expect(p.diff).toEqual([{ label: "/etc/app.conf", before: undefined, after: "a=1\n" }]);
    expect(p.message).toBe("create /etc/app.conf (4 bytes, mode 0640)");
  });

  test("ensureFile() plans nothing when content, mode and owner (by uid) already match", async () => {
    const p = await plan(ensureFile({ path: "/etc/app.conf", content: "a=1\n", mode: "644", owner: "0" }), cannedHost(file("a=1\n")));
    expect(p).toMatchObject({ changed: false, message: "/etc/app.conf is up to date" });
  });

  test("ensureFile() plans chmod and chown only when the content already matches", async () => {
    const p = changedPlan(
      await plan(ensureFile({ path: "/etc/app.conf", content: "a=1\n", mode: "0600", group: "adm" }), cannedHost(file("a=1\n"))),
    );
    expect(stepTexts(p)).toEqual(["chmod 0600 -- /etc/app.conf", "chown -- :adm /etc/app.conf"]);
    expect(p.diff).toEqual([
      {
        label: "/etc/app.conf (attributes)",
        before: { mode: "0644", owner: "root", group: "root" },
        after: { mode: "0600", owner: "root", group: "adm" },
      },
    ]);
  });

  test("ensureFile() plans a write with a before/after content diff when the content differs", async () => {
    const p = changedPlan(await plan(ensureFile({ path: "/etc/app.conf", content: "a=2\n" }), cannedHost(file("a=1\n"))));
    expect(stdinOf(p)).toBe("a=2\n");
    expect(p.diff).toEqual([{ label: "/etc/app.conf", before: "a=1\n", after: "a=2\n" }]);
  });

  test("ensureFile() never fetches or diffs secret content", async () => {
    const host = cannedHost(file("old-token\n"));
    const p = changedPlan(await plan(ensureFile({ path: "/etc/token", content: secret("new-token-value\n"), mode: "0600" }), host));
    expect(host.factArgs).toEqual([{ path: "/etc/token", content: false }]);
    // Only the attribute change is shown; the content is neither diffed nor fetched.
    expect(p.diff).toEqual([expect.objectContaining({ label: "/etc/token (attributes)" })]);
    expect(p.message).toContain("content hidden (secret)");
    expect((p.steps[0] as Command).text).not.toContain("new-token-value");
  });

  test("ensureFile() copies a controller file given relative to the working directory", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), "bosun-src-"));
    try {
      writeFileSync(path.join(dir, "motd"), "hello\n");
      const relative = path.relative(process.cwd(), path.join(dir, "motd"));
      const p = changedPlan(await plan(ensureFile({ path: "/etc/motd", src: relative }), cannedHost(absent)));
      expect(stdinOf(p)).toBe("hello\n");
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  test("ensureFile() fails clearly when the controller file is missing", async () => {
    await expect(plan(ensureFile({ path: "/etc/motd", src: "/nonexistent/motd" }), cannedHost(absent))).rejects.toThrow(
      'Cannot read local file "/nonexistent/motd": ENOENT',
    );
  });

  test.each([
    [{ kind: "dir", mode: "0755", ...own }, 'Cannot write file "/etc/x": it is a directory'],
    [{ kind: "link", ...own, target: "/etc/y" }, 'Cannot write file "/etc/x": it is a symbolic link to "/etc/y"'],
    [{ kind: "other", type: "fifo", mode: "0644", ...own }, 'Cannot write file "/etc/x": it is a fifo'],
  ] as const)("ensureFile() refuses to replace %j", async (st, message) => {
    await expect(plan(ensureFile({ path: "/etc/x", content: "x" }), cannedHost(st))).rejects.toThrow(message);
  });

  test("ensureFile() fails when the directory is missing, but only warns in check mode", async () => {
    const missing: PathState = { kind: "absent", parentExists: false };
    await expect(plan(ensureFile({ path: "/srv/app/x", content: "x" }), cannedHost(missing))).rejects.toThrow(
      'Cannot write "/srv/app/x": directory "/srv/app" does not exist',
    );
    const checked = await plan(ensureFile({ path: "/srv/app/x", content: "x" }), cannedHost(missing, { checkMode: true }));
    expect(checked.message).toMatch(
      /directory "\/srv\/app" does not exist yet, so applying fails unless an earlier task of this run provides it/,
    );
    const created = await plan(ensureFile({ path: "/srv/app/x", content: "x", createParents: true }), cannedHost(missing));
    expect(stepTexts(created)[0]).toContain("mkdir -p");
  });

  test("ensureFile() rejects unknown params and both or neither of content and src", () => {
    expect(() => ensureFile({ path: "/x", content: "a", dest: "/y" } as never)).toThrow(
      'Cannot use files.ensureFile: unknown parameter "dest"',
    );
    expect(() => ensureFile({ path: "/x" })).toThrow('give exactly one of parameters "content" and "src"');
    expect(() => ensureFile({ path: "/x", content: "a", src: "b" })).toThrow('give exactly one of parameters "content" and "src"');
    expect(() => ensureFile({ path: "/x", content: 42 as never })).toThrow("files.ensureFile");
    expect(() => ensureFile({ path: "/x/", content: "a" })).toThrow('parameter "path" must name a file');
    expect(() => ensureFile({ path: "/x", content: "a", mode: "rwx" })).toThrow('parameter "mode"');
  });
});

describe("templateFile() plans", () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(path.join(tmpdir(), "bosun-tpl-"));
    writeFileSync(path.join(dir, "app.conf.hbs"), "port={{port}}\nname={{name}}\n");
  });
  afterAll(() => rmSync(dir, { recursive: true }));

  test("templateFile() renders host vars overridden by the task's vars", async () => {
    const host = cannedHost(absent, { vars: { port: 80, name: "host-name" } });
    const p = await plan(templateFile({ src: path.join(dir, "app.conf.hbs"), dest: "/etc/app.conf", vars: { port: 8080 } }), host);
    expect(stdinOf(p)).toBe("port=8080\nname=host-name\n");
  });

  test("templateFile() fails naming the template and the missing variable", async () => {
    const src = path.join(dir, "app.conf.hbs");
    await expect(plan(templateFile({ src, dest: "/etc/app.conf", vars: { port: 1 } }), cannedHost(absent))).rejects.toThrow(
      new RegExp(`Cannot render template ${src}.*name`),
    );
  });
});

describe("lineInFile() and blockInFile() plans", () => {
  test("lineInFile() writes the edit only if the file is still what was read", async () => {
    const p = changedPlan(await plan(lineInFile({ path: "/etc/hosts", line: "10.0.0.2 db" }), cannedHost(file("127.0.0.1 localhost\n"))));
    expect(stdinOf(p)).toBe("127.0.0.1 localhost\n10.0.0.2 db\n");
    expect((p.steps[0] as Command).text).toContain(sha("127.0.0.1 localhost\n"));
    expect(p.message).toBe("/etc/hosts: line added");
    expect(p.diff).toEqual([{ label: "/etc/hosts", before: "127.0.0.1 localhost\n", after: "127.0.0.1 localhost\n10.0.0.2 db\n" }]);
  });

  test("lineInFile() reads the content in its one check command", async () => {
    const host = cannedHost(file("x\n"));
    await plan(lineInFile({ path: "/etc/hosts", line: "x" }), host);
    expect(host.factArgs).toEqual([{ path: "/etc/hosts", content: true, maxContentBytes: 4 * 1024 * 1024 }]);
  });

  test("lineInFile() fails on a missing file unless create, and only warns in check mode", async () => {
    await expect(plan(lineInFile({ path: "/etc/x", line: "a" }), cannedHost(absent))).rejects.toThrow(
      'Cannot edit "/etc/x": the file does not exist',
    );
    expect((await plan(lineInFile({ path: "/etc/x", line: "a" }), cannedHost(absent, { checkMode: true }))).message).toMatch(
      /does not exist yet/,
    );
    const created = changedPlan(await plan(lineInFile({ path: "/etc/x", line: "a", create: true, mode: "0600" }), cannedHost(absent)));
    expect(stdinOf(created)).toBe("a\n");
    expect(created.message).toBe("/etc/x: line added (new file)");
  });

  test("lineInFile() with state absent is done when the file does not exist", async () => {
    expect(await plan(lineInFile({ path: "/etc/x", line: "a", state: "absent" }), cannedHost(absent))).toMatchObject({
      changed: false,
      message: "/etc/x does not exist",
    });
  });

  test("lineInFile() refuses files it cannot edit as text", async () => {
    await expect(
      plan(lineInFile({ path: "/bin/x", line: "a" }), cannedHost(file("", { content: undefined, contentOmitted: "not-text" }))),
    ).rejects.toThrow('Cannot edit "/bin/x": it is not UTF-8 text');
    await expect(
      plan(
        lineInFile({ path: "/var/log/x", line: "a" }),
        cannedHost(file("", { content: undefined, size: 9e6, contentOmitted: "too-large" })),
      ),
    ).rejects.toThrow(/larger than 4194304 bytes/);
  });

  test("lineInFile() changes only the mode when the line is already there", async () => {
    const p = changedPlan(await plan(lineInFile({ path: "/etc/x", line: "a", mode: "0600" }), cannedHost(file("a\n"))));
    expect(stepTexts(p)).toEqual(["chmod 0600 -- /etc/x"]);
  });

  test("blockInFile() plans the edited content and reports ok when the block is there", async () => {
    const p = changedPlan(await plan(blockInFile({ path: "/etc/x", block: "k=v" }), cannedHost(file("a\n"))));
    expect(stdinOf(p)).toBe("a\n# BEGIN BOSUN MANAGED BLOCK\nk=v\n# END BOSUN MANAGED BLOCK\n");
    const again = await plan(blockInFile({ path: "/etc/x", block: "k=v" }), cannedHost(file(stdinOf(p))));
    expect(again).toMatchObject({ changed: false, message: "/etc/x: block already present" });
  });
});

describe("ensureAbsent() plans", () => {
  const dir = (empty?: boolean): PathState => ({ kind: "dir", mode: "0755", ...own, ...(empty === undefined ? {} : { empty }) });

  test.each([
    ["a file", file("x"), "rm -f -- /srv/x"],
    ["a link (never followed)", { kind: "link", ...own, target: "/" }, "rm -f -- /srv/x"],
    ["a fifo", { kind: "other", type: "fifo", mode: "0644", ...own }, "rm -f -- /srv/x"],
    ["an empty directory", dir(true), "rmdir -- /srv/x"],
  ] as const)("ensureAbsent() removes %s with one command", async (_name, st, command) => {
    expect(stepTexts(await plan(ensureAbsent({ path: "/srv/x" }), cannedHost(st)))).toEqual([command]);
  });

  test("ensureAbsent() refuses a non-empty directory unless recursive", async () => {
    await expect(plan(ensureAbsent({ path: "/srv/x" }), cannedHost(dir(false)))).rejects.toThrow(
      'Cannot remove directory "/srv/x": it is not empty',
    );
    expect(stepTexts(await plan(ensureAbsent({ path: "/srv/x", recursive: true }), cannedHost(dir())))).toEqual(["rm -rf -- /srv/x"]);
  });

  test("ensureAbsent() is ok when nothing is there", async () => {
    expect(await plan(ensureAbsent({ path: "/srv/x" }), cannedHost(absent))).toMatchObject({
      changed: false,
      message: "/srv/x does not exist",
    });
  });

  test("ensureAbsent() drops a trailing slash so that a link to a directory is removed, not followed", async () => {
    const host = cannedHost({ kind: "link", ...own, target: "/etc" });
    expect(stepTexts(await plan(ensureAbsent({ path: "/srv//x/", recursive: true }), host))).toEqual(["rm -f -- /srv/x"]);
    expect(host.factArgs).toEqual([{ path: "/srv/x", dirEmpty: false }]);
  });

  test("ensureAbsent() refuses the root directory and dot segments", () => {
    expect(() => ensureAbsent({ path: "//", recursive: true })).toThrow('parameter "path" must not be the root directory');
    expect(() => ensureAbsent({ path: "/srv/../", recursive: true })).toThrow('must not contain "." or ".." segments');
  });
});

describe("symlink() plans", () => {
  const link = (target: string, owner = "root"): PathState => ({ kind: "link", ...own, owner, target });

  test("symlink() is ok when the link already points at src", async () => {
    expect(await plan(symlink({ src: "/srv/r/1", dest: "/srv/current" }), cannedHost(link("/srv/r/1")))).toMatchObject({ changed: false });
  });

  test("symlink() repoints a link with a new link renamed over it", async () => {
    const p = changedPlan(await plan(symlink({ src: "/srv/r/2", dest: "/srv/current" }), cannedHost(link("/srv/r/1"))));
    expect(stepTexts(p)).toEqual([
      't=$(mktemp -u -- /srv/.bosun.XXXXXX) && ln -s -- /srv/r/2 "$t" && { mv -fT -- "$t" /srv/current || { rm -f -- "$t"; exit 1; }; }',
    ]);
    expect(p.diff).toEqual({ label: "/srv/current", before: { link: "/srv/r/1" }, after: { link: "/srv/r/2" } });
  });

  test("symlink() changes only the link's owner when the target is right", async () => {
    const p = changedPlan(await plan(symlink({ src: "/a", dest: "/srv/l", owner: "deploy" }), cannedHost(link("/a"))));
    expect(stepTexts(p)).toEqual(["chown -h -- deploy /srv/l"]);
  });

  test("symlink() replaces a file only with force, and a directory never", async () => {
    await expect(plan(symlink({ src: "/a", dest: "/srv/l" }), cannedHost(file("x")))).rejects.toThrow(
      'Cannot create link "/srv/l": a file is there',
    );
    expect(stepTexts(await plan(symlink({ src: "/a", dest: "/srv/l", force: true }), cannedHost(file("x"))))).toHaveLength(1);
    await expect(
      plan(symlink({ src: "/a", dest: "/srv/l", force: true }), cannedHost({ kind: "dir", mode: "0755", ...own })),
    ).rejects.toThrow("a directory is there");
  });
});

describe("ensureDir() plans", () => {
  test("ensureDir() compares owner and group by name or id and chowns only what differs", async () => {
    const st: PathState = { kind: "dir", mode: "0755", owner: "deploy", group: "deploy", uid: "1000", gid: "1000" };
    expect(await plan(ensureDir({ path: "/srv/app", owner: "1000", group: "deploy" }), cannedHost(st))).toMatchObject({ changed: false });
    expect(stepTexts(await plan(ensureDir({ path: "/srv/app", owner: "1000", group: "adm" }), cannedHost(st)))).toEqual([
      "chown -- :adm /srv/app",
    ]);
  });

  test("ensureDir() --diff shows only the mode when only the mode changes (owner and group are not removed)", async () => {
    const st: PathState = { kind: "dir", mode: "0755", owner: "deploy", group: "deploy", uid: "1000", gid: "1000" };
    const p = await plan(ensureDir({ path: "/srv/app", mode: "0750" }), cannedHost(st));
    const diff = renderDiff((p.changed ? p.diff : undefined) as Diff);
    const changedLines = diff.split("\n").filter((l) => /^[-+][^-+]/.test(l));
    expect(changedLines).toEqual(['-  "mode": "0755",', '+  "mode": "0750",']);
  });
});
