/** `npm run demo`'s main function on a lab of a test's own, its output kept (and shown when it fails). */
import { runDemo, type DemoResult } from "../../demo.js";
import type { TextSink } from "../../lib/cli/output.js";
import type { LabVariant } from "../../lib/lab/index.js";

/** Run the demo on lab `name` (one host of `variant`); rejects with the demo's output appended. */
export function runDemoCaptured(name: string, variant: LabVariant): Promise<{ result: DemoResult; out: string }> {
  let out = "";
  const sink: TextSink = { write: (t: string) => ((out += t), true) };
  return runDemo({
    name,
    count: 1,
    variant,
    progress: "none",
    out: sink,
    ...(process.env.BOSUN_LAB_RUN_ID ? { owner: process.env.BOSUN_LAB_RUN_ID } : {}),
  }).then(
    (result) => ({ result, out }),
    (error: Error) => {
      throw new Error(`${error.message}\n--- demo output ---\n${out}`);
    },
  );
}
