/**
 * Validators compiled ahead of time by `npm run build` (scripts/gen-validators.ts: ajv's standalone
 * code as CommonJS in lib/generated/ and dist/lib/generated/, not committed). Loaded synchronously
 * on first use; when a file is missing (a checkout not built yet) the callers compile with ajv.
 */
import { createRequire } from "node:module";
import type { ValidateFunction } from "ajv";

const require = createRequire(import.meta.url);
const loaded = new Map<string, Readonly<Record<string, ValidateFunction>>>();

/** The validators of generated module `name` (`task-params`, `inventory`), by schema key; {} when not built. */
export function precompiledValidators(name: string): Readonly<Record<string, ValidateFunction>> {
  let module = loaded.get(name);
  if (!module) {
    try {
      module = require(`../generated/${name}-validators.cjs`) as Record<string, ValidateFunction>;
    } catch {
      module = {};
    }
    loaded.set(name, module);
  }
  return module;
}
