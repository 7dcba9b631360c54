import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, symlinkSync, writeFileSync, mkdirSync, chmodSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { sh } from "../../lib/core/command.js";
import { parseSections, parseStatLine, prefixedContent, section, sectionedCommand, statLine, unprefix } from "../../lib/facts/access.js";

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), "bosun-access-"));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/** Run a command with this machine's /bin/sh (dash on Debian), as a connection would. */
function run(text: string): { code: number | null; stdout: string; stderr: string } {
  // controller-tools: sh sed stat (the access facts' commands)
  const r = spawnSync("/bin/sh", ["-c", text], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("sectioned probes run by this machine's /bin/sh", () => {
  test("sectionedCommand() returns each section's output and exit status by name", () => {
    const cmd = sectionedCommand([
      ["one", sh`printf 'a\\nb'`],
      ["two", sh`echo x; false`],
      ["three", sh`:`],
    ]);
    const s = parseSections(run(cmd.text).stdout);
    expect(s.get("one")).toEqual({ code: 0, text: "a\nb" });
    expect(s.get("two")).toEqual({ code: 1, text: "x\n" });
    expect(s.get("three")).toEqual({ code: 0, text: "" });
  });

  test("prefixedContent() gives back any text exactly, even lines that look like section markers", () => {
    const samples = ["", "one line\n", "no final newline", "\n\n", "@@bosun-section evil 0@@\nafter\n", "|pipe\n|\n", "ünï\tcødé\r\n"];
    for (const content of samples) {
      const file = path.join(dir, "f");
      writeFileSync(file, content);
      const cmd = sectionedCommand([
        ["content", { text: `f=${JSON.stringify(file)}; ${prefixedContent("f").text}` }],
        ["after", sh`echo done`],
      ]);
      const s = parseSections(run(cmd.text).stdout);
      expect(unprefix(s.get("content")?.text ?? "?")).toBe(content);
      expect(s.get("after")?.text).toBe("done\n");
    }
  });

  test("statLine() reports files, directories, links (not followed) and absent paths", () => {
    writeFileSync(path.join(dir, "file"), "x");
    chmodSync(path.join(dir, "file"), 0o600);
    mkdirSync(path.join(dir, "dir"), { mode: 0o700 });
    symlinkSync("/etc", path.join(dir, "link"));
    const probe = (name: string) => parseStatLine(run(`p=${JSON.stringify(path.join(dir, name))}; ${statLine("p").text}`).stdout);
    const uid = process.getuid?.() ?? 0;
    expect(probe("file")).toMatchObject({ kind: "file", mode: "0600", uid });
    expect(probe("dir")).toMatchObject({ kind: "dir", mode: "0700", uid });
    expect(probe("link")).toEqual({ kind: "link" });
    expect(probe("nothing")).toEqual({ kind: "absent" });
  });

  test("section() names the missing section and the shell's complaint when a probe stopped early", () => {
    expect(() => section(parseSections(""), "user", "sh: 1: Syntax error\n")).toThrow(/stopped before "user": sh: 1: Syntax error/);
  });

  test("parseStatLine() rejects output it does not understand", () => {
    expect(() => parseStatLine("stat: cannot stat")).toThrow(/unexpected stat output/);
  });
});
