/**
 * `--fail-on-change`: a `--check` run that finds changes (drift) exits with {@link EXIT.changed},
 * so a scheduled CI job fails when a host no longer matches its playbook. Worse outcomes keep
 * their own codes (failed 2, unreachable 4, interrupted 130).
 */
import { EXIT } from "../core/report.js";

/** What decides the exit code of a check run. */
export interface DriftOutcome {
  /** The run's exit code without `--fail-on-change`. */
  readonly exitCode: number;
  /** The run was `--check`. */
  readonly check: boolean;
  /** `--fail-on-change` was given. */
  readonly failOnChange: boolean;
  /** Changes found, summed over hosts. */
  readonly changed: number;
}

/** The exit code with `--fail-on-change` applied. */
export function exitCodeWithDrift(outcome: DriftOutcome): number {
  const drifted = outcome.check && outcome.failOnChange && outcome.changed > 0;
  return outcome.exitCode === EXIT.ok && drifted ? EXIT.changed : outcome.exitCode;
}
