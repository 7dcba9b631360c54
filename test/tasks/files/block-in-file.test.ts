import { applyBlockInFile, blockEditProblem, blockInFile, type BlockEdit } from "../../../lib/tasks/files/block-in-file.js";

const B = "# BEGIN BOSUN MANAGED BLOCK";
const E = "# END BOSUN MANAGED BLOCK";

interface Case {
  readonly name: string;
  readonly before: string;
  readonly edit: BlockEdit;
  /** null: the content stays exactly as it was. */
  readonly after: string | null;
  readonly message?: string;
}

const cases: readonly Case[] = [
  {
    name: "writes the block with its markers into an empty file",
    before: "",
    edit: { block: "x\ny" },
    after: `${B}\nx\ny\n${E}\n`,
    message: "block inserted",
  },
  { name: "appends the block at the end of a file", before: "a\n", edit: { block: "x\n" }, after: `a\n${B}\nx\n${E}\n` },
  {
    name: "ignores one final newline of the block",
    before: `a\n${B}\nx\n${E}\n`,
    edit: { block: "x\n" },
    after: null,
    message: "block already present",
  },
  {
    name: "replaces a different block in place",
    before: `a\n${B}\nold\n${E}\nb\n`,
    edit: { block: "new 1\nnew 2" },
    after: `a\n${B}\nnew 1\nnew 2\n${E}\nb\n`,
    message: "block replaced",
  },
  {
    name: "removes the block with its markers",
    before: `a\n${B}\nx\n${E}\nb\n`,
    edit: { state: "absent" },
    after: "a\nb\n",
    message: "block removed",
  },
  { name: "removes nothing when there is no block", before: "a\n", edit: { state: "absent" }, after: null, message: "no block to remove" },
  { name: "removes the block when the wanted block is empty, like Ansible", before: `${B}\nx\n${E}\n`, edit: { block: "" }, after: "" },
  {
    name: "uses a custom marker with custom begin and end words",
    before: "a\n",
    edit: { block: "x", marker: "// {mark} app", markerBegin: "start", markerEnd: "stop" },
    after: "a\n// start app\nx\n// stop app\n",
  },
  {
    name: "inserts after the last line insertAfter matches",
    before: "[s]\na\n[s]\nb\n",
    edit: { block: "x", insertAfter: "^\\[s\\]$" },
    after: `[s]\na\n[s]\n${B}\nx\n${E}\nb\n`,
  },
  {
    name: "appends when insertAfter matches nothing",
    before: "a\n",
    edit: { block: "x", insertAfter: "^zzz" },
    after: `a\n${B}\nx\n${E}\n`,
  },
  {
    name: "inserts before the line insertBefore matches",
    before: "a\nb\n",
    edit: { block: "x", insertBefore: "^b" },
    after: `a\n${B}\nx\n${E}\nb\n`,
  },
  {
    name: "inserts at the beginning with insertBefore BOF",
    before: "a\n",
    edit: { block: "x", insertBefore: "BOF" },
    after: `${B}\nx\n${E}\na\n`,
  },
  {
    name: "replaces an existing block where it is, whatever insertBefore says",
    before: `a\n${B}\nold\n${E}\n`,
    edit: { block: "x", insertBefore: "BOF" },
    after: `a\n${B}\nx\n${E}\n`,
  },
  { name: "keeps a file without final newline that way", before: "a", edit: { block: "x" }, after: `a\n${B}\nx\n${E}` },
  {
    name: "leaves a block under another marker alone",
    before: `# BEGIN other\nk\n# END other\n`,
    edit: { block: "x" },
    after: `# BEGIN other\nk\n# END other\n${B}\nx\n${E}\n`,
  },
  { name: "recognises markers on CRLF lines", before: `a\r\n${B}\r\nx\r\n${E}\r\n`, edit: { state: "absent" }, after: "a\r\n" },
  {
    name: "removes from the end marker to the begin marker when they are swapped",
    before: `a\n${E}\nx\n${B}\nb\n`,
    edit: { state: "absent" },
    after: "a\nb\n",
  },
  {
    name: "puts hostile text in literally",
    before: "",
    edit: { block: "$(touch /tmp/x)\n`id` 'q'\n-rf *" },
    after: `${B}\n$(touch /tmp/x)\n\`id\` 'q'\n-rf *\n${E}\n`,
  },
];

describe("applyBlockInFile()", () => {
  test.each(cases)("$name", ({ before, edit, after, message }) => {
    const result = applyBlockInFile(before, edit);
    expect(result.content).toBe(after ?? before);
    expect(result.changed).toBe(after !== null && after !== before);
    if (message) expect(result.message).toBe(message);
  });

  test.each(cases)("is idempotent: $name, applied twice, changes nothing the second time", ({ before, edit }) => {
    const once = applyBlockInFile(before, edit).content;
    expect(applyBlockInFile(once, edit)).toEqual({ content: once, changed: false, message: expect.any(String) });
  });
});

describe("blockInFile params", () => {
  test.each([
    [{}, /"block" is required/],
    [{ block: "x", marker: "# managed" }, /must contain \{mark\}/],
    [{ block: "x", markerBegin: "A", markerEnd: "A" }, /must differ/],
    [{ block: "x", marker: "# {mark}\nx" }, /must not contain a newline/],
    [{ block: `a\n${E}\nb` }, /must not contain its own marker lines/],
    [{ block: "x", insertAfter: "a", insertBefore: "b" }, /only one of/],
    [{ block: "x", insertBefore: "(" }, /"insertBefore" is not a valid regular expression/],
  ] as const)("blockEditProblem() refuses %j", (edit, message) => {
    expect(blockEditProblem(edit as BlockEdit)).toMatch(message);
  });

  test("blockInFile() rejects an unknown parameter, naming the task and the parameter", () => {
    expect(() => blockInFile({ path: "/etc/x", block: "a", content: "b" } as never)).toThrow(
      /Cannot use files\.blockInFile: unknown parameter "content"/,
    );
  });
});
