/** The README's task reference against the tasks' params schemas (the one declaration that also types and validates them). */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { BEGIN, END, exportedTasks, paramDocs, paramRow, taskReference, withTaskReference } from "../../scripts/task-reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");
const readme = readFileSync(path.join(root, "README.md"), "utf8");

/** The README's reference section of one task: from its heading to the next heading. */
function sectionOf(name: string, id: string): string | undefined {
  const reference = readme.slice(readme.indexOf(BEGIN), readme.indexOf(END));
  const start = reference.indexOf(`#### \`${name}\` (\`${id}\`)`);
  if (start < 0) return undefined;
  const next = reference.slice(start + 1).search(/\n#{3,4} /);
  return next < 0 ? reference.slice(start) : reference.slice(start, start + 1 + next);
}

describe("task reference", () => {
  test("the README's task reference matches the code (run `npm run docs` to update it)", async () => {
    expect(withTaskReference(readme, taskReference(root, await exportedTasks()))).toBe(readme);
  });

  test("every parameter of every exported task's schema is in the README, with its type, required flag, default and description", async () => {
    const exported = await exportedTasks();
    expect(exported.size).toBeGreaterThan(40);
    const missing: string[] = [];
    for (const [name, task] of exported) {
      const section = sectionOf(name, task.id);
      if (!section) {
        missing.push(`${name}: no section`);
        continue;
      }
      const rows = paramDocs(task.schema);
      const declared = Object.keys((task.schema as { properties?: object } | undefined)?.properties ?? {});
      expect(rows.map((r) => r.name)).toEqual(expect.arrayContaining(declared));
      for (const row of rows) if (!section.includes(`\n${paramRow(row)}\n`)) missing.push(`${name}.${row.name}`);
    }
    expect(missing).toEqual([]);
  });

  test("the parameters the reference once lost are there: composeUp's projectDir, lineInFile's line, regexp and state", async () => {
    const exported = await exportedTasks();
    const composeUp = sectionOf("composeUp", exported.get("composeUp")?.id ?? "");
    const lineInFile = sectionOf("lineInFile", exported.get("lineInFile")?.id ?? "");
    expect(composeUp).toMatch(/\n\| `projectDir` \| `string` \| yes \| /);
    for (const p of ["line", "regexp", "state"]) expect(lineInFile).toContain(`\n| \`${p}\` |`);
  });

  test("every parameter has a description", async () => {
    const undocumented = [...(await exportedTasks())].flatMap(([name, task]) =>
      paramDocs(task.schema)
        .filter((p) => !p.doc)
        .map((p) => `${name}.${p.name}`),
    );
    expect(undocumented).toEqual([]);
  });

  test("every exported task is in the reference, with a description", async () => {
    const exported = await exportedTasks();
    const ref = taskReference(root, exported);
    for (const [name, task] of exported) expect(ref).toContain(`#### \`${name}\` (\`${task.id}\`)`);
    expect(ref).toContain("#### `ensureDir` (`files.ensureDir`)");
    expect(ref).not.toContain("(no description)");
  });
});
