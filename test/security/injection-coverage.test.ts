/**
 * The injection table keeps up with the code: every task bosun exports has a case, every string
 * slot of its parameters is fuzzed or excused with a reason, and the table names nothing that
 * does not exist. A new task or parameter without an injection case fails here, without a lab.
 */
import { mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { injectionCases, type CaseContext } from "./injection-cases.js";
import { exportedTasks, stringSlots, tasksOf } from "./injection-slots.js";
import * as publicSurface from "../../lib/index.js";
import type { StandIn } from "../support/stand-ins/server.js";

let localDir: string;
beforeAll(() => {
  localDir = mkdtempSync(path.join(os.tmpdir(), "bosun-inj-coverage-"));
});
afterAll(() => rmSync(localDir, { recursive: true, force: true }));

function context(): CaseContext {
  const standIn = { url: "http://127.0.0.1:9", requests: [], close: async () => {} } as StandIn;
  return {
    localDir,
    recorder: standIn,
    github: { ...standIn, apiBase: standIn.url, keyId: "1", secrets: new Map(), open: () => "" },
    gitlab: { ...standIn, apiBase: standIn.url, variables: new Map(), variable: () => undefined },
    cloudflare: { ...standIn, apiBase: standIn.url, zones: new Map(), records: [] },
    hostHttpPort: 9,
  } as unknown as CaseContext;
}

describe("injection cases", () => {
  test("every task exported from lib/index.ts is among the tasks the injection test enumerates", async () => {
    const all = await exportedTasks();
    const fromIndex = tasksOf([publicSurface as Record<string, unknown>]);
    expect(fromIndex.size).toBeGreaterThanOrEqual(40);
    for (const id of fromIndex.keys()) expect(all.has(id)).toBe(true);
  });

  test("every exported task has a case, and every string slot of its params is fuzzed or excused with a reason", async () => {
    const tasks = await exportedTasks();
    const cases = injectionCases(context());
    const problems: string[] = [];
    for (const [id, task] of tasks) {
      const c = cases[id];
      if (!c) {
        problems.push(`${id}: no injection case`);
        continue;
      }
      const slots = stringSlots(task.definition.schema as Record<string, unknown>);
      const fuzzed = Object.keys(c.fuzz);
      const excused = Object.entries(c.excused ?? {});
      for (const slot of slots) {
        if (!fuzzed.includes(slot) && !excused.some(([k]) => k === slot))
          problems.push(`${id}: slot "${slot}" is neither fuzzed nor excused`);
      }
      for (const name of [...fuzzed, ...excused.map(([k]) => k)]) {
        if (!slots.includes(name)) problems.push(`${id}: the case names "${name}", which is not a string slot of its params`);
      }
      for (const [name, why] of excused) if (why.trim().length < 10) problems.push(`${id}: "${name}" is excused without a reason`);
    }
    for (const id of Object.keys(cases)) if (!tasks.has(id)) problems.push(`${id}: a case for a task that is not exported`);
    expect(problems).toEqual([]);
  });

  test("string slots are read from the schema: strings, lists, maps (keys and values), nested objects, and untyped params", () => {
    const schema = {
      type: "object",
      properties: {
        a: { type: "string" },
        b: { type: "array", items: { type: "string" } },
        c: { type: "object", additionalProperties: { type: "string" } },
        d: { type: "object", properties: { e: { type: "string" } } },
        f: {},
        g: { anyOf: [{ type: "string" }, { type: "object" }] },
        h: { type: "integer" },
        i: { type: "object" },
      },
    };
    expect(stringSlots(schema)).toEqual(["a", "b[]", "c{}", "c.*", "d.e", "f?", "g", "i?"]);
  });
});
