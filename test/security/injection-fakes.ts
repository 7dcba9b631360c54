/**
 * Stand-ins for programs the lab host does not have (docker, git, certbot, gitlab-runner, ufw,
 * nginx): each records exactly what it was given — argv, environment, working directory, stdin —
 * so a test can compare it with the literal values bosun was asked to pass, and answers just
 * enough for the task's check to go on. Installed in /usr/local/bin (first on root's PATH).
 */

/** Where the stand-ins write their records on the host. */
export const FAKE_RECORDS = "/var/tmp/bosun-fakebin";

/** The programs faked. */
export const FAKE_TOOLS = ["docker", "git", "certbot", "gitlab-runner", "ufw", "nginx"] as const;

/** A fixed commit id the fake git reports. */
export const FAKE_SHA = "0123456789abcdef0123456789abcdef01234567";

/**
 * The stand-in, one script for every tool (it looks at its own name). Records: `<tool>.XXXXXXXX` is
 * argv (NUL-separated), `.env` the environment (`env -0`), `.cwd` the working directory, `.stdin`
 * what it read (docker login), `.ssh` how a shell splits GIT_SSH_COMMAND (as git would run it).
 */
const SCRIPT = String.raw`#!/bin/sh
# bosun injection tests: a recording stand-in (see test/security/injection-fakes.ts)
n=${"$"}{0##*/}
first=$1
last=
for last; do :; done
mkdir -p ${FAKE_RECORDS}
f=$(mktemp ${FAKE_RECORDS}/"$n".XXXXXXXX) || exit 97
printf '%s\0' "$@" > "$f"
env -0 > "$f.env"
pwd > "$f.cwd"
case $n in
git)
  # How git itself runs GIT_SSH_COMMAND: through a shell.
  if [ -n "$GIT_SSH_COMMAND" ]; then eval "set -- $GIT_SSH_COMMAND" && printf '%s\0' "$@" > "$f.ssh"; fi
  case $first in
  ls-remote)
    tr '\0' '\n' < "$f" | sed -n '4,$p' | while IFS= read -r r; do
      case $r in HEAD) printf '%s\tHEAD\n' ${FAKE_SHA} ;; *'^{}') ;; refs/*) printf '%s\t%s\n' ${FAKE_SHA} "$r" ;; *) printf '%s\trefs/heads/%s\n' ${FAKE_SHA} "$r" ;; esac
    done ;;
  clone) mkdir -p -- "$last/.git" ;;
  -C) echo ${FAKE_SHA} ;;
  esac ;;
docker)
  # compose config (without -q) prints the project: composeDown reads its name from it.
  if grep -q -z -x -e config "$f" && ! grep -q -z -x -e -q "$f"; then echo "name: inj"; fi
  if grep -q -z -x -e login "$f"; then cat > "$f.stdin"; mkdir -p -- "$DOCKER_CONFIG" && echo '{}' > "$DOCKER_CONFIG/config.json"; fi ;;
esac
exit 0
`;

/** Shell that installs the stand-ins and the files their tasks look for (ufw's rules, nginx's and certbot's directories). */
export function installFakes(): string {
  const links = FAKE_TOOLS.map((t) => `ln -sf bosun-fake /usr/local/bin/${t}`).join(" && ");
  return [
    `cat > /usr/local/bin/bosun-fake <<'BOSUN_FAKE_EOF'\n${SCRIPT}BOSUN_FAKE_EOF`,
    `chmod 0755 /usr/local/bin/bosun-fake && ${links}`,
    `rm -rf ${FAKE_RECORDS} && mkdir -p ${FAKE_RECORDS}`,
    // ufw: installed, disabled, no rules.
    `mkdir -p /etc/ufw /etc/default && : > /etc/ufw/user.rules && : > /etc/ufw/user6.rules`,
    `printf 'IPV6=yes\\nDEFAULT_INPUT_POLICY="DROP"\\nDEFAULT_OUTPUT_POLICY="ACCEPT"\\nDEFAULT_FORWARD_POLICY="DROP"\\n' > /etc/default/ufw`,
    `printf 'ENABLED=no\\n' > /etc/ufw/ufw.conf`,
    // nginx: the site directories; certbot: one lineage to renew.
    `mkdir -p /etc/nginx/sites-available /etc/nginx/sites-enabled /etc/letsencrypt/renewal /etc/letsencrypt/live`,
    `printf 'authenticator = webroot\\n' > /etc/letsencrypt/renewal/inj.conf`,
  ].join("\n");
}

/** Shell that removes the stand-ins and their files. */
export function removeFakes(): string {
  return [
    `rm -f /usr/local/bin/bosun-fake ${FAKE_TOOLS.map((t) => `/usr/local/bin/${t}`).join(" ")}`,
    `rm -rf ${FAKE_RECORDS} /etc/ufw /etc/default/ufw /etc/nginx /etc/letsencrypt`,
  ].join("\n");
}

/** One recorded run of a stand-in. */
export interface FakeRun {
  /** Which tool. */
  readonly tool: string;
  /** Its arguments. */
  readonly argv: readonly string[];
  /** Its environment, `NAME=value` entries. */
  readonly env: readonly string[];
  /** Its working directory (without the final newline). */
  readonly cwd: string;
  /** What it read on stdin (docker login). */
  readonly stdin?: string;
  /** GIT_SSH_COMMAND as a shell splits it (git). */
  readonly ssh?: readonly string[];
}

/** Shell that creates a time stamp file; {@link readFakeRuns} then reads only the runs made after it. */
export function stampFake(stamp: string): string {
  return `mkdir -p ${FAKE_RECORDS}/stamps && touch ${FAKE_RECORDS}/stamps/${stamp}`;
}

/** Shell that prints every record of `tool` made since `stamp` (base64, one record per line group). */
export function readFakeRuns(tool: string, stamp: string): string {
  return `cd ${FAKE_RECORDS} 2>/dev/null || exit 0; for f in $(find . -maxdepth 1 -name '${tool}.????????' -newer stamps/${stamp} -printf '%f\\n'); do printf '@@run\\n'; for x in "" .env .cwd .stdin .ssh; do if [ -f "$f$x" ]; then base64 -w0 < "$f$x"; fi; printf '\\n'; done; done`;
}

/** Parse the output of {@link readFakeRuns}. */
export function parseFakeRuns(tool: string, stdout: string): FakeRun[] {
  const runs: FakeRun[] = [];
  const lines = stdout.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (lines[i] !== "@@run") continue;
    const [argv = "", env = "", cwd = "", stdin = "", ssh = ""] = lines.slice(i + 1, i + 6);
    const text = (b: string) => Buffer.from(b, "base64").toString("utf8");
    const list = (b: string) => (b ? text(b).split("\0").slice(0, -1) : []);
    runs.push({
      tool,
      argv: list(argv),
      env: list(env),
      cwd: text(cwd).replace(/\n$/, ""),
      ...(stdin ? { stdin: text(stdin) } : {}),
      ...(ssh ? { ssh: list(ssh) } : {}),
    });
    i += 5;
  }
  return runs;
}

/** Whether `needle` occurs in `argv` as consecutive elements. */
export function hasSequence(argv: readonly string[], needle: readonly string[]): boolean {
  for (let i = 0; i + needle.length <= argv.length; i++) if (needle.every((n, k) => argv[i + k] === n)) return true;
  return false;
}
