/** ansible-playbook's `--start-at-task` and `--step` as one gate of the run, asking on the terminal. */
import { startAtTask, stepThrough, type StepAnswer, type TaskGate } from "../run/task-gate.js";
import type { CliArgs } from "./args.js";

/** `--start-at-task` and `--step` as one gate (undefined when neither is given). */
export function taskGate(args: CliArgs): TaskGate | undefined {
  const gates: TaskGate[] = [];
  if (args.startAtTask !== undefined) gates.push(startAtTask(args.startAtTask));
  if (args.step) gates.push(stepThrough(askStep));
  if (gates.length === 0) return undefined;
  return async (task) => {
    for (const gate of gates) {
      const skip = await gate(task);
      if (skip !== undefined) return skip;
    }
    return undefined;
  };
}

async function askStep(question: string): Promise<StepAnswer> {
  const { createInterface } = await import("node:readline/promises");
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  try {
    const answer = (await rl.question(question)).trim().toLowerCase();
    return answer === "y" || answer === "yes" ? "y" : answer === "c" || answer === "continue" ? "c" : "n";
  } finally {
    rl.close();
  }
}
