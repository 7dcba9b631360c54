/** Files on the controller that tasks read (`src` of ensureFile and templateFile). */
import { readFile } from "node:fs/promises";
import path from "node:path";
import type { TaskHost } from "../../core/task.js";

/** An absolute `src` as is; a relative one against the directory the playbook runs in (`process.cwd()`). */
export function resolveLocalPath(src: string): string {
  return path.resolve(process.cwd(), src);
}

/** Read a controller file, failing the task with a message that names the file. */
export async function readLocalFile(host: TaskHost, src: string): Promise<Buffer> {
  const full = resolveLocalPath(src);
  try {
    return await readFile(full);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw host.fail(
      `Cannot read local file "${src}": ${code}${full === src ? "" : ` (resolved to ${full})`}`,
      "relative paths start at the directory the playbook runs in",
    );
  }
}
