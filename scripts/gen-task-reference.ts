/** `npm run docs`: regenerate the README's task reference from the code. */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { exportedTasks, taskReference, withTaskReference } from "./task-reference.js";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const readmePath = path.join(root, "README.md");
writeFileSync(readmePath, withTaskReference(readFileSync(readmePath, "utf8"), taskReference(root, await exportedTasks())));
console.log("README.md task reference updated");
