/** Plan steps as the runner applies them: telling actions from commands, merging commands, titles. */
import { describeCommand, type Command } from "./command.js";
import type { ActionStep, Step } from "./task.js";

/** True for a step that is an action rather than a shell command. */
export function isActionStep(step: Step): step is ActionStep {
  return typeof (step as ActionStep).run === "function";
}

/**
 * Join consecutive command steps that read no stdin into one remote command (`{ a; } && { b; }`),
 * so that a changed task costs one command to check and one to apply.
 */
export function mergeCommandSteps(steps: readonly Step[]): Step[] {
  const out: Step[] = [];
  for (const step of steps) {
    const prev = out[out.length - 1];
    const mergeable = (s: Step | undefined): s is Command => !!s && !isActionStep(s) && s.stdin === undefined;
    if (mergeable(prev) && mergeable(step) && prev.sudo === step.sudo) {
      out[out.length - 1] = {
        text: `{ ${prev.text}
} && { ${step.text}
}`,
        label: `${describeCommand(prev)}; ${describeCommand(step)}`,
        sudo: step.sudo,
      };
    } else out.push(step);
  }
  return out;
}

/** A task's title; a title function that throws must not escape the task contract. */
export function safeTitle(title: () => string, fallback: string): string {
  try {
    return title();
  } catch {
    return fallback;
  }
}
