import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { taskReference, withTaskReference } from "../../scripts/task-reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

describe("task reference", () => {
  test("the README's task reference matches the code (run `npm run docs` to update it)", () => {
    const readme = readFileSync(path.join(root, "README.md"), "utf8");
    expect(withTaskReference(readme, taskReference(root))).toBe(readme);
  });

  test("every task in the reference has a description and a parameter table", () => {
    const ref = taskReference(root);
    expect(ref).toContain("#### `ensureDir` (`files.ensureDir`)");
    expect(ref).not.toContain("(no description)");
  });
});
