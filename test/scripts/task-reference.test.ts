import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportedTasks, taskReference, withTaskReference } from "../../scripts/task-reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("task reference", () => {
  test("the README's task reference matches the code (run `npm run docs` to update it)", async () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(withTaskReference(readme, taskReference(root, await exportedTasks()))).toBe(readme);
  });

  test("every exported task is in the reference, with a description", async () => {
    const exported = await exportedTasks();
    const ref = taskReference(root, exported);
    for (const [name, task] of exported) expect(ref).toContain(`#### \`${name}\` (\`${task.id}\`)`);
    expect(ref).toContain("#### `ensureDir` (`files.ensureDir`)");
    expect(ref).not.toContain("(no description)");
  });
});
