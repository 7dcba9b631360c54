/**
 * INI values as Ansible types them (Python's literal_eval, after shlex on host lines): a table of
 * tricky values written both on a host line and in a `:vars` section, compared with
 * `ansible-inventory --list`; then the Python values JSON cannot hold, which Ansible cannot print.
 */
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { iniValue, literalEval } from "../../lib/inventory/python-literal.js";
import { shlexSplit } from "../../lib/inventory/shlex-split.js";
import { loadInventorySources } from "../../lib/inventory/sources.js";
import { setWarningSink } from "../../lib/inventory/warnings.js";
import { ansibleInventoryList } from "./ansible-run.js";

const VALUES = [
  "1",
  "-7",
  "+3",
  "1_000",
  "0x1F",
  "0o17",
  "0b101",
  "007",
  "00",
  "1.5",
  "1.",
  ".5",
  "1e3",
  "-2.5e-3",
  "True",
  "False",
  "None",
  "true",
  "yes",
  "'single'",
  '"double"',
  "'a' 'b'",
  "r'\\d+'",
  "'tab\\there'",
  "'\\u00e9t\\xe9'",
  "b'bytes'",
  "[1, 'two', [3]]",
  "[]",
  "(1,)",
  "(1, 2)",
  "()",
  "{'a': 1, 'b': [True, None]}",
  "{}",
  "{'nested': {'x': (1, 2)}}",
  "1 # a comment",
  "hello # not a comment for literal_eval",
  "10.0.0.1",
  "host-01.internal",
  "v1.29.1+rke2r1",
  "{{ jinja }}",
  "a=b",
  "-",
  "[1, 2",
  "'unclosed",
  "f'x'",
  "1 2",
  "1,2",
  "~/.ssh/id_ed25519",
  "/usr/bin/python3",
];

const dir = mkdtempSync(join(tmpdir(), "bosun-ini-values-"));

function iniFile(): string {
  // On the host line each value is single-quoted for shlex, so literal_eval sees exactly the text of the table.
  const hostVars = VALUES.map((v, i) => `h${i}='${v.replace(/'/g, "'\"'\"'")}'`).join(" ");
  const groupVars = VALUES.map((v, i) => `g${i}=${v}`).join("\n");
  return `[web]\nweb1 ${hostVars}\n\n[web:vars]\n${groupVars}\n`;
}

beforeAll(() => setWarningSink(() => undefined));
afterAll(() => setWarningSink(undefined));

describe("INI values", () => {
  test("every value of the table types as ansible-inventory types it, on a host line and in :vars", async () => {
    const file = join(dir, "values.ini");
    writeFileSync(file, iniFile());
    const { list } = await ansibleInventoryList([file]);
    const inventory = await loadInventorySources([file]);
    const expected = list._meta?.hostvars?.web1 ?? {};
    expect(Object.keys(expected).length).toBe(VALUES.length * 2);
    for (const key of Object.keys(expected).sort()) {
      const at = Number(key.slice(1));
      expect({ key, value: VALUES[at], got: inventory.hosts.get("web1")!.vars[key] }).toEqual({
        key,
        value: VALUES[at],
        got: expected[key],
      });
    }
  }, 60_000);

  test.each<[string, unknown]>([
    ["1j", "1j"],
    ["1+2j", "1+2j"],
    ["...", "..."],
    ["{1, 2, 2}", [1, 2]],
    ["set()", []],
    ["[..., 1j, set(), {1, 2}, b'x']", ["...", "1j", [], [1, 2], "x"]],
  ])("iniValue(%j), a Python value JSON cannot hold, becomes %j", (text, value) => {
    expect(iniValue(text)).toEqual(value);
  });

  test("literalEval() refuses names and calls other than set()", () => {
    expect(literalEval("os.system('x')")).toEqual({ ok: false });
    expect(literalEval("[x]")).toEqual({ ok: false });
    expect(literalEval("-True")).toEqual({ ok: false });
  });

  test.each<[string, string[]]>([
    ['web1 a=1 b=\'two words\' c="q\\"uote"', ["web1", "a=1", "b=two words", 'c=q"uote']],
    ["web1 x=1#comment y=2", ["web1", "x=1"]],
    ["web1 x='#not' # but this is", ["web1", "x=#not"]],
    ["web1 path=C:\\\\dir", ["web1", "path=C:\\dir"]],
    ["web1 empty=''", ["web1", "empty="]],
  ])("shlexSplit(%j) is %j, as Python's shlex.split(comments=True)", (line, words) => {
    expect(shlexSplit(line)).toEqual(words);
  });

  test("shlexSplit() refuses an unclosed quote with shlex's message", () => {
    expect(() => shlexSplit("web1 a='x")).toThrow("No closing quotation");
  });
});

describe("INI passwords", () => {
  test("a password that looks like a number stays the text written, leading zero and all", async () => {
    const file = join(dir, "passwords.ini");
    writeFileSync(file, '[web]\nweb1 ansible_password=0123 ansible_become_password="456"\n[web:vars]\nansible_ssh_pass=789\n');
    const vars = (await loadInventorySources([file])).hosts.get("web1")!.vars;
    expect(vars).toMatchObject({ ansible_password: "0123", ansible_become_password: "456", ansible_ssh_pass: "789" });
  });
});
