/** Write a run's JUnit file for CI; a file that cannot be written is reported, not thrown, so the recap still prints. */
import { writeFileSync } from "node:fs";
import { describeError } from "../core/errors.js";
import type { JsonDocument } from "./json-reporter.js";
import { junitXml } from "./junit-reporter.js";
import type { TextSink } from "./output.js";

/** Write the JUnit XML of `doc` to `file`; false (after an error line on `stderr`) when it could not be written. */
export function writeJunitFile(file: string, doc: JsonDocument, stderr: TextSink): boolean {
  try {
    writeFileSync(file, junitXml(doc));
    return true;
  } catch (error) {
    stderr.write(
      `error: Cannot write JUnit file ${file}: ${describeError(error)}\n  hint: check that its directory exists and is writable.\n`,
    );
    return false;
  }
}
