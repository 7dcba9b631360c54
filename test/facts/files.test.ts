import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { chmodSync, mkdirSync, mkdtempSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { normaliseMode, pathState, sameAccount, type PathStateQuery } from "../../lib/facts/files.js";

const sha = (s: string | Buffer): string => createHash("sha256").update(s).digest("hex");
const result = (stdout: string, code = 0, stderr = "") => ({ code, stdout, stderr, durationMs: 1 });

describe("pathState.parse()", () => {
  const q: PathStateQuery = { path: "/etc/x" };
  const withContent: PathStateQuery = { path: "/etc/x", content: true, maxContentBytes: 100 };

  test.each([
    ["an absent path whose directory exists", "absent\tparent\n", q, { kind: "absent", parentExists: true }],
    ["an absent path whose directory is missing", "absent\tnoparent\n", q, { kind: "absent", parentExists: false }],
    [
      "a link, its own owner and a target with spaces and a newline",
      "link\troot\tadm\t0\t4\n/srv/a b\n\n",
      q,
      { kind: "link", owner: "root", group: "adm", uid: "0", gid: "4", target: "/srv/a b\n" },
    ],
    [
      "a directory",
      "dir\t2750\tdeploy\tdeploy\t1000\t1000\t\n",
      q,
      { kind: "dir", mode: "2750", owner: "deploy", group: "deploy", uid: "1000", gid: "1000" },
    ],
    [
      "an empty directory",
      "dir\t755\troot\troot\t0\t0\tempty\n",
      q,
      { kind: "dir", mode: "0755", owner: "root", group: "root", uid: "0", gid: "0", empty: true },
    ],
    [
      "a directory with entries",
      "dir\t755\troot\troot\t0\t0\tfull\n",
      q,
      { kind: "dir", mode: "0755", owner: "root", group: "root", uid: "0", gid: "0", empty: false },
    ],
    [
      "a directory it could not list",
      "dir\t700\tx\tx\t9\t9\tunknown\n",
      q,
      { kind: "dir", mode: "0700", owner: "x", group: "x", uid: "9", gid: "9" },
    ],
    [
      "a fifo",
      "other\t644\troot\troot\t0\t0\tfifo\n",
      q,
      { kind: "other", type: "fifo", mode: "0644", owner: "root", group: "root", uid: "0", gid: "0" },
    ],
    [
      "a file without content",
      `file\t640\troot\tadm\t0\t4\t3\n${sha("hi\n")}  -\n`,
      q,
      { kind: "file", mode: "0640", owner: "root", group: "adm", uid: "0", gid: "4", size: 3, sha256: sha("hi\n") },
    ],
    [
      "a file with its content, untrimmed",
      `file\t644\troot\troot\t0\t0\t8\n${sha("é\n\nx \n")}  -\né\n\nx \n`,
      withContent,
      {
        kind: "file",
        mode: "0644",
        owner: "root",
        group: "root",
        uid: "0",
        gid: "0",
        size: 8,
        sha256: sha("é\n\nx \n"),
        content: "é\n\nx \n",
      },
    ],
    [
      "an empty file with its content",
      `file\t644\troot\troot\t0\t0\t0\n${sha("")}  -\n`,
      withContent,
      { kind: "file", mode: "0644", owner: "root", group: "root", uid: "0", gid: "0", size: 0, sha256: sha(""), content: "" },
    ],
    [
      "a file too large to return",
      `file\t644\troot\troot\t0\t0\t101\n${sha("x")}  -\n`,
      withContent,
      {
        kind: "file",
        mode: "0644",
        owner: "root",
        group: "root",
        uid: "0",
        gid: "0",
        size: 101,
        sha256: sha("x"),
        contentOmitted: "too-large",
      },
    ],
    [
      "a binary file whose text does not match its checksum",
      `file\t644\troot\troot\t0\t0\t1\n${sha(Buffer.from([0xff]))}  -\n\ufffd`,
      withContent,
      {
        kind: "file",
        mode: "0644",
        owner: "root",
        group: "root",
        uid: "0",
        gid: "0",
        size: 1,
        sha256: sha(Buffer.from([0xff])),
        contentOmitted: "not-text",
      },
    ],
  ] as const)("pathState.parse() reads %s", (_name, stdout, query, expected) => {
    expect(pathState.parse(result(stdout), query)).toEqual(expected);
  });

  test("pathState.parse() fails on a non-zero exit, quoting stderr", () => {
    expect(() => pathState.parse(result("", 1, "stat: Permission denied\n"), q)).toThrow("Cannot stat /etc/x: stat: Permission denied");
  });

  test("pathState.parse() fails when a file could not be checksummed (unreadable)", () => {
    expect(() =>
      pathState.parse(result("file\t600\troot\troot\t0\t0\t3\n\n", 0, "sh: cannot open /etc/x: Permission denied\n"), q),
    ).toThrow(/Cannot read \/etc\/x: sh: cannot open/);
  });

  test("pathState.parse() fails on a checksum line that is not sha256sum's", () => {
    expect(() => pathState.parse(result(`file\t600\troot\troot\t0\t0\t3\n${sha("x").slice(1)}  -\n`), q)).toThrow(/no checksum/);
  });

  test("pathState.parse() fails on output it does not know", () => {
    expect(() => pathState.parse(result("weird\n"), q)).toThrow(/unexpected output "weird"/);
  });
});

describe("pathState.command() run by this machine's /bin/sh", () => {
  let dir: string;
  beforeAll(() => {
    // A directory whose name holds every hostile character; the fact must treat it literally.
    dir = path.join(mkdtempSync(path.join(tmpdir(), "bosun-fact-")), "it's $(touch canary) `touch canary2` -x ü *\nnl");
    mkdirSync(dir);
    writeFileSync(path.join(dir, "f"), "one\ntwo\n", { mode: 0o640 });
    writeFileSync(path.join(dir, "bin"), Buffer.from([0, 0xff, 0xfe]));
    mkdirSync(path.join(dir, "empty"));
    symlinkSync("../target with space\n", path.join(dir, "l"));
    writeFileSync(path.join(dir, "-at-limit"), "x".repeat(99) + "\n");
    writeFileSync(path.join(dir, "over-limit"), "x".repeat(100) + "\n");
    writeFileSync(path.join(dir, "empty-file"), "");
    writeFileSync(path.join(dir, "no-newline"), "last line");
    writeFileSync(path.join(dir, "setuid"), "#!/bin/sh\n");
    chmodSync(path.join(dir, "setuid"), 0o4751);
    hostileTargets.forEach((target, i) => symlinkSync(target, Buffer.from(path.join(dir, `hostile-${i}`))));
  });
  // Link targets readlink would print byte for byte: quotes, backslashes, escapes' look-alikes, the
  // separator of %N, a leading dash, UTF-8, bytes that are not UTF-8 (0xff, a cut-off sequence).
  const hostileTargets = [
    Buffer.from(`a "b" 'c' \\d \\101 \\n -> e\t\x01\x7f ??= é\u200b`),
    Buffer.from("-rf"),
    Buffer.from([0x2f, 0xff, 0xfe, 0x80, 0x2f, 0xe2, 0x82]),
    Buffer.from([0x5c, 0x22, 0x0a]),
  ];
  afterAll(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

  const probe = (query: PathStateQuery) => {
    // controller-tools: sh cat find readlink sha256sum stat (pathState's command)
    const r = spawnSync("/bin/sh", ["-c", pathState.command(query).text], { encoding: "utf8", cwd: path.dirname(dir) });
    return pathState.parse({ code: r.status, stdout: r.stdout, stderr: r.stderr, durationMs: 0 }, query);
  };

  test("pathState.command() reports a file with content through a hostile directory name", () => {
    expect(probe({ path: path.join(dir, "f"), content: true })).toMatchObject({
      kind: "file",
      mode: "0640",
      size: 8,
      sha256: sha("one\ntwo\n"),
      content: "one\ntwo\n",
    });
  });

  test("pathState.command() omits binary content and reports the real checksum", () => {
    expect(probe({ path: path.join(dir, "bin"), content: true })).toMatchObject({
      kind: "file",
      size: 3,
      sha256: sha(Buffer.from([0, 0xff, 0xfe])),
      contentOmitted: "not-text",
    });
  });

  test("pathState.command() reports a link without following it", () => {
    expect(probe({ path: path.join(dir, "l") })).toMatchObject({ kind: "link", target: "../target with space\n" });
  });

  test("pathState.command() reports hostile link targets exactly as readlink's bytes decode", () => {
    hostileTargets.forEach((_target, i) => {
      const link = path.join(dir, `hostile-${i}`);
      const target = readlinkSync(Buffer.from(link), { encoding: "buffer" }).toString("utf8");
      expect(probe({ path: link })).toMatchObject({ kind: "link", target });
    });
  });

  test("pathState.command() returns content up to the limit, not over it", () => {
    const limit = { content: true, maxContentBytes: 100 };
    expect(probe({ path: path.join(dir, "-at-limit"), ...limit })).toMatchObject({ size: 100, content: "x".repeat(99) + "\n" });
    expect(probe({ path: path.join(dir, "over-limit"), ...limit })).toMatchObject({
      size: 101,
      sha256: sha("x".repeat(100) + "\n"),
      contentOmitted: "too-large",
    });
  });

  test("pathState.command() returns an empty file and one without a trailing newline untouched", () => {
    expect(probe({ path: path.join(dir, "empty-file"), content: true })).toMatchObject({ size: 0, sha256: sha(""), content: "" });
    expect(probe({ path: path.join(dir, "no-newline"), content: true })).toMatchObject({ size: 9, content: "last line" });
    expect(probe({ path: path.join(dir, "no-newline") })).toEqual(expect.not.objectContaining({ content: expect.anything() }));
  });

  test("pathState.command() reports special mode bits and other file types", () => {
    expect(probe({ path: path.join(dir, "setuid") })).toMatchObject({ kind: "file", mode: "4751" });
    expect(probe({ path: "/dev/null" })).toMatchObject({ kind: "other", type: "character special file" });
  });

  test("pathState.command() tells empty from non-empty directories", () => {
    expect(probe({ path: path.join(dir, "empty"), dirEmpty: true })).toMatchObject({ kind: "dir", empty: true });
    expect(probe({ path: dir, dirEmpty: true })).toMatchObject({ kind: "dir", empty: false });
  });

  test("pathState.command() tells whether an absent path's directory exists", () => {
    expect(probe({ path: path.join(dir, "nope") })).toEqual({ kind: "absent", parentExists: true });
    expect(probe({ path: path.join(dir, "nope", "deeper") })).toEqual({ kind: "absent", parentExists: false });
  });

  test("pathState.command() executes nothing from the path", () => {
    for (const f of ["canary", "canary2"]) expect(spawnSync("ls", [path.join(path.dirname(dir), f)]).status).not.toBe(0);
  });
});

describe("helpers", () => {
  test("normaliseMode() pads stat's and users' modes to four digits", () => {
    expect([normaliseMode("644"), normaliseMode("0644"), normaliseMode("2750")]).toEqual(["0644", "0644", "2750"]);
  });

  test("sameAccount() accepts the name or the numeric id", () => {
    expect([sameAccount("deploy", "deploy", "1000"), sameAccount("1000", "deploy", "1000"), sameAccount("root", "deploy", "1000")]).toEqual(
      [true, true, false],
    );
  });
});
