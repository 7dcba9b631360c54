import { applyLineInFile, expandBackrefs, lineEditProblem, lineInFile, type LineEdit } from "../../../lib/tasks/files/line-in-file.js";

type Case = readonly [name: string, before: string, edit: LineEdit, after: string | null, message?: string];

// `after: null` means the content must stay exactly as it was.
const cases: readonly Case[] = [
  ["appends a missing line at the end", "a\nb\n", { line: "c" }, "a\nb\nc\n", "line added"],
  ["leaves a line that is already present anywhere", "a\nc\nb\n", { line: "c" }, null, "line already present"],
  ["adds the missing final newline before appending", "a\nb", { line: "c" }, "a\nb\nc\n"],
  ["writes the line into an empty file", "", { line: "x" }, "x\n"],
  ["replaces the last line the regexp matches", "x=1\ny\nx=2\n", { regexp: "^x=", line: "x=3" }, "x=1\ny\nx=3\n", "line replaced"],
  ["replaces the first match with firstMatch", "x=1\ny\nx=2\n", { regexp: "^x=", line: "x=3", firstMatch: true }, "x=3\ny\nx=2\n"],
  ["leaves a matched line that already reads as wanted", "x=3\n", { regexp: "^x=", line: "x=3" }, null],
  [
    "does not add the line again when the regexp no longer matches but the line is there",
    "a\nPort 22\n",
    { regexp: "^#Port", line: "Port 22" },
    null,
  ],
  [
    "inserts after the line insertAfter matches when the regexp matches nothing",
    "a\n[s]\nb\n",
    { regexp: "^k=", line: "k=1", insertAfter: "^\\[s\\]" },
    "a\n[s]\nk=1\nb\n",
  ],
  [
    "prefers replacing a regexp match over insertAfter",
    "a\nk=0\n[s]\n",
    { regexp: "^k=", line: "k=1", insertAfter: "^\\[s\\]" },
    "a\nk=1\n[s]\n",
  ],
  ["appends when insertAfter matches nothing", "a\n", { line: "k", insertAfter: "^zzz" }, "a\nk\n"],
  ["appends when insertBefore matches nothing", "a\n", { line: "k", insertBefore: "^zzz" }, "a\nk\n"],
  ["inserts before the last line insertBefore matches", "b1\nb2\n", { line: "k", insertBefore: "^b" }, "b1\nk\nb2\n"],
  [
    "inserts before the first line insertBefore matches with firstMatch",
    "b1\nb2\n",
    { line: "k", insertBefore: "^b", firstMatch: true },
    "k\nb1\nb2\n",
  ],
  ["inserts after the last line insertAfter matches", "s\nx\ns\ny\n", { line: "k", insertAfter: "^s$" }, "s\nx\ns\nk\ny\n"],
  [
    "inserts after the first line insertAfter matches with firstMatch",
    "s\nx\ns\ny\n",
    { line: "k", insertAfter: "^s$", firstMatch: true },
    "s\nk\nx\ns\ny\n",
  ],
  ["inserts after a matching last line that has no newline", "a\ns", { line: "k", insertAfter: "^s$" }, "a\ns\nk\n"],
  ["inserts at the beginning with insertBefore BOF", "a\n", { line: "k", insertBefore: "BOF" }, "k\na\n"],
  ["inserts at the beginning with insertAfter BOF", "a\n", { line: "k", insertAfter: "BOF" }, "k\na\n"],
  ["appends with insertAfter EOF", "a\nk0\n", { line: "k", insertAfter: "EOF" }, "a\nk0\nk\n"],
  ["removes every line the regexp matches", "x=1\ny\nx=2\n", { state: "absent", regexp: "^x=" }, "y\n", "2 line(s) removed"],
  ["removes every line equal to line", "a\nb\na\n", { state: "absent", line: "a" }, "b\n"],
  ["removes nothing when nothing matches", "a\nb\n", { state: "absent", line: "c" }, null, "no line to remove"],
  ["removes a last line without newline", "a\nb", { state: "absent", line: "b" }, "a\n"],
  [
    "expands backrefs into the replaced line",
    "Port 22\n",
    { regexp: "^Port (\\d+)$", line: "Port $1 # kept", backrefs: true },
    "Port 22 # kept\n",
  ],
  ["expands named groups", "k = v\n", { regexp: "^(?<key>\\w+) = (?<value>\\w+)$", line: "$<key>=$<value>", backrefs: true }, "k=v\n"],
  ["does nothing with backrefs when the regexp matches nothing", "a\n", { regexp: "^Port (\\d+)$", line: "Port $1", backrefs: true }, null],
  ["keeps $ sequences literal without backrefs", "a\n", { line: "k=$& $1 $$" }, "a\nk=$& $1 $$\n"],
  ["compares the line literally, not as a pattern", "axb\n", { line: "a.b" }, "axb\na.b\n"],
  ["keeps CRLF line endings when appending", "a\r\nb\r\n", { line: "c" }, "a\r\nb\r\nc\r\n"],
  ["matches CRLF lines without their carriage return", "k=1\r\nz\r\n", { regexp: "^k=1$", line: "k=2" }, "k=2\r\nz\r\n"],
  ["keeps a replaced last line without newline as it was", "a\nk=1", { regexp: "^k=", line: "k=2" }, "a\nk=2"],
  ["handles hostile text literally", "a\n", { line: "$(touch /tmp/x) `id` 'q' \"d\" ünï" }, "a\n$(touch /tmp/x) `id` 'q' \"d\" ünï\n"],
];

describe("applyLineInFile()", () => {
  test.each(cases.map((c) => ({ name: c[0], before: c[1], edit: c[2], after: c[3], message: c[4] })))(
    "$name",
    ({ before, edit, after, message }) => {
      const result = applyLineInFile(before, edit);
      expect(result.content).toBe(after ?? before);
      expect(result.changed).toBe(after !== null && after !== before);
      if (message) expect(result.message).toBe(message);
    },
  );

  test.each(cases.map((c) => ({ name: c[0], before: c[1], edit: c[2] })))(
    "is idempotent: $name, applied twice, changes nothing the second time",
    ({ before, edit }) => {
      const once = applyLineInFile(before, edit).content;
      const twice = applyLineInFile(once, edit);
      expect(twice.changed).toBe(false);
      expect(twice.content).toBe(once);
    },
  );
});

describe("expandBackrefs()", () => {
  test("expandBackrefs() reads $10 as group 1 then 0 when there is no group 10", () => {
    expect(expandBackrefs("$10|$2|$9", /(a)(b)/.exec("ab") as RegExpExecArray)).toBe("a0|b|$9");
  });
});

describe("lineInFile params", () => {
  test.each([
    [{ state: "present" }, /"line" is required/],
    [{ state: "absent" }, /"line" or "regexp"/],
    [{ line: "a\nb" }, /single line/],
    [{ line: "a", regexp: "" }, /matches every line/],
    [{ line: "a", insertAfter: "x", insertBefore: "y" }, /only one of/],
    [{ line: "a", backrefs: true }, /needs "regexp"/],
    [{ line: "a", regexp: "(" }, /"regexp" is not a valid regular expression/],
    [{ line: "a", insertAfter: "[" }, /"insertAfter" is not a valid regular expression/],
  ] as const)("lineEditProblem() refuses %j", (edit, message) => {
    expect(lineEditProblem(edit as LineEdit)).toMatch(message);
  });

  test("lineInFile() rejects an unknown parameter, naming the task and the parameter", () => {
    expect(() => lineInFile({ path: "/etc/x", line: "a", lines: "b" } as never)).toThrow(
      /Cannot use files\.lineInFile: unknown parameter "lines"/,
    );
  });

  test("lineInFile() rejects a relative path and a bad state before anything runs", () => {
    expect(() => lineInFile({ path: "etc/x", line: "a" })).toThrow(/files\.lineInFile: parameter "path"/);
    expect(() => lineInFile({ path: "/etc/x", line: "a", state: "gone" as never })).toThrow(
      /parameter "state" must be one of "present", "absent"/,
    );
  });

  test("lineInFile() rejects a validate command without %s", () => {
    expect(() => lineInFile({ path: "/etc/x", line: "a", validate: "sshd -t" })).toThrow(/"validate" must contain %s/);
  });
});
