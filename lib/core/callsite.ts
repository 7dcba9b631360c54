/** Find where in the user's playbook a task or play was declared, from the JS stack. */
import { fileURLToPath } from "node:url";
import path from "node:path";

const libDir = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

function frameFile(frame: string): { file: string; line: string } | undefined {
  const m = /\(?((?:file:\/\/)?\/[^():]+):(\d+):\d+\)?\s*$/.exec(frame);
  if (!m?.[1] || !m[2]) return undefined;
  const file = m[1].startsWith("file://") ? fileURLToPath(m[1]) : m[1];
  return { file, line: m[2] };
}

/** The first stack frame outside bosun's lib/ and node_modules, as `relative/path.ts:LINE`. */
export function callerLocation(): string | undefined {
  const frames = (new Error().stack ?? "").split("\n").slice(1);
  for (const frame of frames) {
    const f = frameFile(frame);
    if (!f || f.file.startsWith(libDir + path.sep) || f.file.includes(`${path.sep}node_modules${path.sep}`)) continue;
    if (f.file.startsWith("node:")) continue;
    return `${path.relative(process.cwd(), f.file) || f.file}:${f.line}`;
  }
  return undefined;
}
