/** The command line is wrong: the error, and parseArgs' messages turned into one sentence with a suggestion. */
import { BosunError } from "../core/errors.js";

/** The command line is wrong; nothing ran. */
export class UsageError extends BosunError {
  constructor(message: string, hint = "Run with --help to see the options.") {
    super(message, { hint });
    this.name = "UsageError";
  }
}

function distance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let prev = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const here = row[j] as number;
      row[j] = Math.min(here + 1, (row[j - 1] as number) + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = here;
    }
  }
  return row[b.length] as number;
}

function suggestion(flag: string, names: readonly string[]): string | undefined {
  if (!flag.startsWith("--")) return undefined;
  const bare = flag.slice(2).split("=")[0] ?? "";
  const best = names.map((n) => ({ n, d: distance(bare, n) })).sort((x, y) => x.d - y.d)[0];
  return best && best.d <= Math.max(1, Math.floor(bare.length / 3)) ? `--${best.n}` : undefined;
}

/** Turn parseArgs' messages into one short sentence each. */
export function usageErrorFrom(error: Error & { code?: string }, names: readonly string[]): UsageError {
  const quoted = /'([^']+)'/.exec(error.message)?.[1] ?? "";
  const flag =
    quoted
      .split(/[ ,]+/)
      .filter((p) => p.startsWith("-"))
      .pop() ?? quoted;
  switch (error.code) {
    case "ERR_PARSE_ARGS_UNKNOWN_OPTION": {
      const near = suggestion(flag, names);
      return new UsageError(`Unknown option ${flag}`, near ? `Did you mean ${near}? Run with --help to see the options.` : undefined);
    }
    case "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL":
      return new UsageError(`Unexpected argument "${quoted}": a playbook takes options only`);
    case "ERR_PARSE_ARGS_INVALID_OPTION_VALUE":
      if (/does not take an argument/.test(error.message)) return new UsageError(`Option ${flag} takes no value`);
      if (/ambiguous/.test(error.message))
        return new UsageError(`Option ${flag} needs a value; to pass one starting with "-", write ${flag}=VALUE`);
      return new UsageError(`Option ${flag} needs a value`);
    default:
      return new UsageError(error.message.split("\n")[0] ?? error.message);
  }
}
