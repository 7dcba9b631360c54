/**
 * The batch that sends checks ahead, against a real /bin/sh (dash) on this machine, the shell a
 * Debian host runs it with: each answer taken from the batch is the same bytes and exit status as
 * the command run alone through the shell session, and what one command does (a syntax error,
 * `exit`, `set -e`, `cd`, reading stdin) stays in that command.
 */
import { spawn, spawnSync } from "node:child_process";
import type { Command } from "../../lib/core/command.js";
import type { Connection, ExecResult } from "../../lib/core/connection.js";
import { framedCommand, sessionProgram, ShellSession, type ShellLauncher } from "../../lib/connection/shell-session.js";
import { BATCH_ARGUMENT_LIMIT, batchScript, runBatch, splitBatchOutput } from "../../lib/run/prefetch-batch.js";

/** Starts the session's program as sshd does (`$SHELL -c <program>`), here with this machine's /bin/sh. */
const localShell: ShellLauncher = async (initial) => {
  // controller-tools: sh cat head ls sleep grep printf
  const child = spawn("/bin/sh", ["-c", sessionProgram(initial)], { stdio: ["pipe", "pipe", "pipe"] });
  return {
    stdout: child.stdout,
    stderr: child.stderr,
    write: (text) => child.stdin.write(text),
    end: () => child.stdin.end(),
    onClose: (listener) => child.on("close", listener),
  };
};

/** A connection that runs every command through one shell session, as the SSH connection does. */
class SessionConnection implements Connection {
  readonly kind = "ssh" as const;
  readonly user = "root";
  readonly sent: Command[] = [];
  constructor(readonly session: ShellSession) {}
  async open(): Promise<void> {}
  exec(command: Command): Promise<ExecResult> {
    this.sent.push(command);
    return this.session.run(command);
  }
  async close(): Promise<void> {}
}

let session: ShellSession;
beforeAll(() => {
  session = ShellSession.start(localShell, 5000);
});
afterAll(() => session.close());

/** Each text run alone through the session, one after another. */
async function alone(texts: readonly string[]): Promise<ExecResult[]> {
  const results: ExecResult[] = [];
  for (const text of texts) results.push(await session.run({ text }));
  return results;
}

const answer = (r: ExecResult | undefined) => r && { code: r.code, stdout: r.stdout, stderr: r.stderr };

/** Commands whose answers from the batch must equal their answers alone. */
const SAME_AS_ALONE = [
  "printf '  a\\n\\nb'; printf 'e' >&2; exit 3",
  "exit 3",
  "false; exit",
  "printf 'no trailing newline'",
  'cat; echo "cat read: $?"; read line; echo "read: $?"',
  "head -c 5; echo rest",
  "set -e; false; echo not reached",
  "set -e; ! false; false || true; echo reached",
  'echo "[$0] [$#] [$-] [$*]"',
  "x=1; cd /; export Y=2; ulimit -n 64; umask 077; set -u; trap 'echo trap ran' EXIT; echo first",
  'echo "${x-unset} ${Y-unset} $PWD"; ulimit -n >/dev/null; umask; set -o | grep nounset; (unset z; echo "${z-u}")',
  "f() { return 4; }; f",
  "cat <<'END'\nhere $doc\nEND\necho after the here-document",
  "echo 'quotes '\\'' and \\ backslash'; echo \"$(printf 'a%sb' \"'\")\"",
  "ls -d /nonexistent-bosun-batch-test",
  "sleep 0 & wait $!; echo waited $?",
  "exec printf 'replaced the shell'",
  "",
  "# only a comment",
  "echo a \\\n b",
];

test("every answer from the batch is the command's answer alone: bytes and exit status", async () => {
  const expected = (await alone(SAME_AS_ALONE)).map(answer);
  const connection = new SessionConnection(session);
  const batch = (await runBatch(connection, SAME_AS_ALONE)).map(answer);
  expect(connection.sent).toHaveLength(1);
  // The script is the command's text: the connection's own `/bin/sh -c` runs it, with no second shell around it.
  expect(connection.sent[0]?.text).toMatch(/^unset bosun_batch_sh; /);
  expect(batch).toEqual(expected);
  // The cases mean what they say.
  expect(batch[0]).toEqual({ code: 3, stdout: "  a\n\nb", stderr: "e" });
  expect(batch[4]?.stdout).toBe("cat read: 0\nread: 1\n"); // stdin is /dev/null: EOF at once
  expect(batch[6]).toEqual({ code: 1, stdout: "", stderr: "" });
  expect(batch[8]?.stdout).toBe("[/bin/sh] [0] [] []\n");
  expect(batch[9]).toEqual({ code: 0, stdout: "first\ntrap ran\n", stderr: "" });
  // Nothing the command before it set (variables, cd, limits, umask, options) is seen here.
  expect(batch[10]?.stdout).toMatch(/^unset unset \/.*\n0\d{3}\nnounset\s+off\nu\n$/);
});

test("a batch too large for an argument goes on stdin and answers the same, `$-` included", async () => {
  const padding = `# ${"x".repeat(BATCH_ARGUMENT_LIMIT)}\n`;
  // The command that reads stdin comes first: the script it could steal is still unread behind it.
  const texts = ['cat; echo "cat read: $?"', "echo second", `${padding}echo "[$-]"`];
  const expected = (await alone(texts)).map(answer);
  const connection = new SessionConnection(session);
  const batch = (await runBatch(connection, texts)).map(answer);
  expect(connection.sent[0]).toMatchObject({ text: "/bin/sh" });
  expect(batch).toEqual(expected);
  expect(batch.map((r) => r?.stdout)).toEqual(["cat read: 0\n", "second\n", "[]\n"]);
});

/** Run a batch script with /bin/sh here, as the host would, and split its output. */
function runScript(texts: readonly string[]): (ExecResult | undefined)[] {
  const prefix = "bosun-batch-test";
  // controller-tools: sh cat
  const r = spawnSync("/bin/sh", ["-c", batchScript(texts, prefix)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  return splitBatchOutput({ stdout: r.stdout, stderr: r.stderr }, texts.length, prefix);
}

test("a syntax error stays in its command: the commands after it still answer", async () => {
  const texts = ["echo before", "if then fi (", "echo 'unterminated", "cat <<END\nno end", "echo after"];
  const batch = runScript(texts);
  const expected = (await alone(texts)).map(answer);
  expect(expected[1]).toMatchObject({ code: 2, stdout: "" });
  expect(expected[2]).toMatchObject({ code: 2, stdout: "" });
  // dash names `eval` in a syntax error ("/bin/sh: 1: eval: Syntax error: ..."): that answer is not used.
  expect(batch.map(answer)).toEqual([expected[0], undefined, undefined, expected[3], expected[4]]);
  expect(batch[4]).toMatchObject({ code: 0, stdout: "after\n" });
});

test("an answer in which the shell names `eval` is not used; its neighbours are", async () => {
  const texts = ["nosuch-bosun-command", "cat </nonexistent-bosun-file", 'echo "${unset_bosun_var?is unset}"', "echo next"];
  const expected = (await alone(texts)).map(answer);
  expect(expected[0]).toMatchObject({ code: 127, stderr: "/bin/sh: 1: nosuch-bosun-command: not found\n" });
  expect(runScript(texts).map(answer)).toEqual([undefined, undefined, undefined, expected[3]]);
});

test("a command that ends the batch's shell leaves its answer and the later ones unanswered", () => {
  const batch = runScript(["echo one", "kill -TERM $$", "echo three"]);
  expect(batch.map(answer)).toEqual([{ code: 0, stdout: "one\n", stderr: "" }, undefined, undefined]);
});

test("each command is framed with the shell session's token lines, in a subshell reading /dev/null", () => {
  const script = batchScript(["echo 'a b'", "true"], "P");
  const tokenLines = (token: string) => framedCommand({ text: "x" }, token).replace("/bin/sh -c x </dev/null\n", "");
  expect(script).toContain(`( \${bosun_batch_sh:-eval} 'echo '\\''a b'\\''' ) </dev/null\n${tokenLines("P-0")}`);
  expect(script.endsWith(`( \${bosun_batch_sh:-eval} true ) </dev/null\n${tokenLines("P-1")}`)).toBe(true);
});

test("under bash the commands run in `/bin/sh -c` children, as under any shell that is not dash-like", () => {
  const texts = ['echo "[$0]"; nosuch-bosun-command', "echo two"];
  const prefix = "bosun-batch-test";
  // controller-tools: bash sh
  const r = spawnSync("bash", ["-c", batchScript(texts, prefix)], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
  const batch = splitBatchOutput({ stdout: r.stdout, stderr: r.stderr }, texts.length, prefix).map(answer);
  expect(batch).toEqual([
    { code: 127, stdout: "[/bin/sh]\n", stderr: "/bin/sh: 1: nosuch-bosun-command: not found\n" },
    { code: 0, stdout: "two\n", stderr: "" },
  ]);
});

test("splitBatchOutput: a token that never came makes that answer and the later ones undefined", () => {
  const out = { stdout: "a\nP-0 0\nb\n", stderr: "P-0\n" };
  expect(splitBatchOutput(out, 2, "P")).toEqual([{ code: 0, stdout: "a\n", stderr: "", durationMs: 0 }, undefined]);
});
