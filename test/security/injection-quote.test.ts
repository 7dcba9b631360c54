/**
 * The two places every hostile value passes through, tested on their own with many generated
 * values: the `sh` template's quoting (run by this machine's real dash and bash, directly and
 * wrapped for sudo the way become does it), and template rendering (values inserted literally,
 * never rendered again). Canaries prove nothing ran; NUL, which argv cannot carry, is refused.
 */
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { quote, sh } from "../../lib/core/command.js";
import { wrapWithSudo } from "../../lib/core/become.js";
import { renderTemplate } from "../../lib/template/index.js";
import { hostileString, hostileValues, seedOf, type Hostile } from "./hostile-strings.js";

/** This test's canaries live here (created when the file loads: the values are generated then too). */
const canaryDir = mkdtempSync(path.join(os.tmpdir(), "bosun-canary-dir-"));
afterAll(() => rmSync(canaryDir, { recursive: true, force: true }));

/** The values, with their canaries pointing into this test's own directory. */
function values(name: string, runs: number): Hostile[] {
  const generated = fc.sample(hostileString(), { numRuns: runs, seed: seedOf(name) });
  return [...generated, ...hostileValues(name, 0)].map((h) => ({ ...h, value: h.value.replaceAll("/tmp/", `${canaryDir}/`) }));
}

/** Run one script with a shell (on stdin: it is too long for argv); each printf writes one value followed by NUL. */
function printed(shell: string, script: string): string[] {
  // controller-tools: dash bash touch (the shell argument; touch is a canary, when quoting fails)
  const r = spawnSync(shell, ["-s"], { input: script, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${shell} failed (${r.status ?? r.error}): ${r.stderr}`);
  return r.stdout.split("\0").slice(0, -1);
}

function canariesFired(list: readonly Hostile[]): string[] {
  return list.filter((h) => existsSync(path.join(canaryDir, `bosun-canary-${h.canary}`))).map((h) => h.value);
}

describe("quoting for the remote shell", () => {
  const list = values("quote", 400);

  test.each(["/bin/dash", "/bin/bash"])("quote() gives %s back each hostile value literally, and runs none of them", (shell) => {
    const script = list.map((h) => sh`printf '%s\\0' ${h.value}`.text).join("\n");
    expect(printed(shell, script)).toEqual(list.map((h) => h.value));
    expect(canariesFired(list)).toEqual([]);
  });

  test("arrays become one word per element, whatever the element holds", () => {
    const words = list.slice(0, 50).map((h) => h.value);
    expect(printed("/bin/dash", sh`printf '%s\\0' ${words}`.text)).toEqual(words);
    expect(canariesFired(list)).toEqual([]);
  });

  test("commands wrapped for sudo (sh -c with the command as one quoted word) still give the values back literally", () => {
    const some = list.filter((h) => h.value.length < 4000).slice(0, 100);
    // Without sudo on this machine, run what sudo would run: everything after `sudo ... --`.
    const script = some
      .map((h) => wrapWithSudo(sh`printf '%s\\0' ${h.value}`, { kind: "nopasswd" }).text.replace(/^sudo -n -H -- /, ""))
      .join("\n");
    expect(printed("/bin/dash", script)).toEqual(some.map((h) => h.value));
    expect(canariesFired(list)).toEqual([]);
  });

  test("the canaries can fire: the classics run unquoted do create them (so the checks above can fail)", () => {
    const some = values("naive", 0); // the classics only: known text, run in a scratch directory
    // controller-tools: dash touch (the canaries)
    for (const h of some) spawnSync("/bin/dash", ["-s"], { input: `printf '%s\\0' ${h.value}`, cwd: canaryDir, encoding: "utf8" });
    expect(canariesFired(some).length).toBeGreaterThanOrEqual(5);
  });

  test("NUL cannot travel in argv: quote() and the sh template refuse it, raw values and array elements alike", () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (a, b) => {
        const value = `${a}\0${b}`;
        expect(() => quote(value)).toThrow(/NUL byte/);
        expect(() => sh`echo ${value}`).toThrow(/NUL byte/);
        expect(() => sh`echo ${["ok", value]}`).toThrow(/NUL byte/);
      }),
      { seed: seedOf("nul"), numRuns: 100 },
    );
  });
});

describe("template variables", () => {
  const list = values("template", 200).map((h) => h.value);

  test("values are inserted literally: no HTML escaping, and handlebars syntax inside a value is text, never rendered", () => {
    const vars = Object.fromEntries(list.map((v, i) => [`v${i}`, v]));
    const source = list.map((_, i) => `{{v${i}}}|{{{v${i}}}}|{{default v${i} "x"}}\n`).join("");
    expect(renderTemplate(source, vars, { name: "hostile.hbs" })).toBe(list.map((v) => `${v}|${v}|${v}\n`).join(""));
  });

  test.each([
    "{{constructor.constructor 'return process'}}",
    "{{#with this}}{{lookup . 'constructor'}}{{/with}}",
    "{{> partial}}",
    "{{!-- a comment --}}",
    "\\{{escaped}}",
    "{{{{raw}}}} {{x}} {{{{/raw}}}}",
    "}}{{",
  ])("a value holding %j is text", (value) => {
    expect(renderTemplate("[{{v}}] [{{{v}}}]\n", { v: value })).toBe(`[${value}] [${value}]\n`);
  });
});
