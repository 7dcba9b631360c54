/**
 * `bosun merge-reports a.json b.json ...`: the reports of shard jobs (`--shard i/n --json`) as
 * one run's: the recap on stdout (or the merged JSON with `--json`), the merged document with
 * `--output FILE`, JUnit with `--junit FILE`, and the exit code a single run would have had.
 * One report alone works too: a saved `--json` document printed as a recap.
 */
import { readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { BosunError, describeError } from "../core/errors.js";
import { EXIT } from "../core/report.js";
import { UsageError } from "./args.js";
import { wantsColor } from "./color.js";
import type { JsonDocument } from "./json-reporter.js";
import { junitXml } from "./junit-reporter.js";
import { mergeDocuments, type SourcedDocument } from "./merge-documents.js";
import { maskedSink, type TextSink } from "./output.js";
import { formatRecap } from "./recap.js";
import { reportFromDocument } from "./report-from-document.js";

/** Where merge-reports reads and writes; defaults are the process's. */
export interface MergeReportsOptions {
  /** Recap or JSON (process.stdout). */
  readonly stdout?: TextSink & { readonly isTTY?: boolean };
  /** Errors (process.stderr). */
  readonly stderr?: TextSink;
  /** Directory for relative paths (process.cwd()). */
  readonly cwd?: string;
}

/** The --help text of merge-reports. */
export const MERGE_REPORTS_USAGE = `Usage: bosun merge-reports [options] <report.json>...

Merge the --json reports of shard jobs (--shard i/n) into one run's recap, JSON document and JUnit
file, and exit with the code one run over all hosts would have returned.

Options:
  --json                 Print the merged JSON document instead of the recap
  -o, --output <file>    Also write the merged JSON document to <file>
  --junit <file>         Write JUnit XML to <file> (one testcase per host and task)
  --fail-on-change       Count changes of a --check run as failures (exit 3)
  --partial              Accept a subset of the shards (one shard's recap in its own job's log)
  -v, --verbose          Show the remote command count per host in the recap
  -h, --help             Show this help

Example (GitLab, after a parallel job whose shards saved reports/shard-*.json):
  bosun merge-reports --junit junit.xml --output report.json reports/shard-*.json

Exit codes: as a run's: 0 ok; 1 bad command line or report; 2 a host failed; 3 --check found changes
            with --fail-on-change; 4 a host unreachable; 130 a shard was interrupted.
`;

function isDocument(value: unknown): value is JsonDocument {
  const d = value as Partial<JsonDocument> | null;
  return (
    typeof d === "object" &&
    d !== null &&
    Array.isArray(d.plays) &&
    typeof d.stats === "object" &&
    typeof d.host_errors === "object" &&
    typeof d.check_mode === "boolean" &&
    typeof d.exit_code === "number" &&
    typeof d.duration?.start === "string"
  );
}

function readReport(file: string, cwd: string): SourcedDocument {
  let text: string;
  try {
    text = readFileSync(path.resolve(cwd, file), "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new BosunError(`Cannot read report ${file}: ${code === "ENOENT" ? "no such file" : describeError(error)}`, {
      hint: "Pass the files the shard jobs wrote with --json.",
    });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new BosunError(`Cannot read report ${file}: not JSON (${(error as Error).message})`, {
      hint:
        text.trim() === ""
          ? "The file is empty: did the shard's run fail before it started?"
          : "Write reports with --json > file, nothing else on stdout.",
    });
  }
  if (!isDocument(value))
    throw new BosunError(`Cannot read report ${file}: not a bosun --json report (plays, stats, check_mode, exit_code missing)`, {
      hint: "Pass the files the shard jobs wrote with --json.",
    });
  return { source: file, doc: value };
}

/** Run merge-reports with `argv` (after the subcommand name) and return the exit code. */
export async function runMergeReports(argv: readonly string[], options: MergeReportsOptions = {}): Promise<number> {
  const cwd = options.cwd ?? process.cwd();
  const rawOut = options.stdout ?? process.stdout;
  const stdout = maskedSink(rawOut);
  const stderr = maskedSink(options.stderr ?? process.stderr);
  try {
    let parsed: ReturnType<typeof parseArgs>;
    try {
      parsed = parseArgs({
        args: [...argv],
        allowPositionals: true,
        strict: true,
        options: {
          json: { type: "boolean" },
          output: { type: "string", short: "o" },
          junit: { type: "string" },
          "fail-on-change": { type: "boolean" },
          partial: { type: "boolean" },
          verbose: { type: "boolean", short: "v", multiple: true },
          help: { type: "boolean", short: "h" },
        },
      });
    } catch (error) {
      throw new UsageError((error as Error).message.split("\n")[0] ?? "bad command line", "Run bosun merge-reports --help.");
    }
    const { values, positionals } = parsed;
    if (values.help) {
      stdout.write(MERGE_REPORTS_USAGE);
      return EXIT.ok;
    }
    if (positionals.length === 0) throw new UsageError("merge-reports needs at least one report file", "Run bosun merge-reports --help.");
    const inputs = positionals.map((file) => readReport(file, cwd));
    const merged = mergeDocuments(inputs, { failOnChange: values["fail-on-change"] === true, partial: values.partial === true });
    const json = `${JSON.stringify(merged, null, 2)}\n`;
    if (typeof values.output === "string") writeFileSync(path.resolve(cwd, values.output), json);
    if (typeof values.junit === "string") writeFileSync(path.resolve(cwd, values.junit), junitXml(merged));
    const verbosity = ((values.verbose as boolean[] | undefined) ?? []).length;
    if (values.json) stdout.write(json);
    else stdout.write(formatRecap(reportFromDocument(merged), { verbosity, color: wantsColor(!!rawOut.isTTY) }));
    return merged.exit_code;
  } catch (error) {
    stderr.write(`error: ${describeError(error)}\n`);
    return EXIT.usage;
  }
}
