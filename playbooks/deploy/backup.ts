/**
 * backupDatabase: `pg_dump` from the postgres service of the compose project, gzipped to
 * `<app_dir>/backups/<date>-<tag>.sql.gz`, keeping the newest N dumps.
 */
import { defineTask, changed, skipped } from "../../lib/core/task.js";
import { sh, type Command } from "../../lib/core/command.js";
import { params, absPath, int, list, nonEmpty } from "../../lib/core/params.js";
import type { ExecResult } from "../../lib/core/connection.js";
import { parseSections, sectionLines } from "../../lib/facts/docker-sections.js";
import { TAG_PATTERN } from "./vars.js";

/** Parameters for {@link backupDatabase}. */
export interface BackupDatabaseParams {
  /** App dir (the compose project's directory); dumps go to `<appDir>/backups`. */
  readonly appDir: string;
  /** Compose files. */
  readonly files: readonly string[];
  /** Env files. */
  readonly envFiles: readonly string[];
  /** Compose project name. */
  readonly projectName: string;
  /** The postgres service. */
  readonly service: string;
  /** Database to dump. */
  readonly database: string;
  /** User pg_dump connects as (over the container's local socket). */
  readonly user: string;
  /** Tag in the file name: the release about to go live. */
  readonly tag: string;
  /** Dumps to keep (newest by name, i.e. by date). */
  readonly keep: number;
}

/** Output of {@link backupDatabase}. */
export interface BackupDatabaseOutput {
  /** Path of the new dump on the host. */
  readonly file?: string;
  /** Dumps removed by the rotation. */
  readonly removed: readonly string[];
}

/** The backups directory of an app dir. */
export function backupDir(appDir: string): string {
  return `${appDir}/backups`;
}

function compose(p: BackupDatabaseParams): Command {
  const words = ["-p", p.projectName, ...p.files.flatMap((f) => ["-f", f]), ...p.envFiles.flatMap((e) => ["--env-file", e])];
  return sh`cd -- ${p.appDir} && docker compose ${words}`;
}

/**
 * Dump a postgres database running in a compose service and keep the newest `keep` dumps. The
 * dump streams through gzip into a temp file that is renamed only when pg_dump succeeded (dash
 * has no pipefail: pg_dump's status travels through a file). When the service is not running
 * (a first deploy) there is nothing to back up: skipped. In check mode one read-only command
 * tells whether it would dump; otherwise ONE command checks and dumps.
 * @example backupDatabase({ appDir: "/srv/cfa", files: ["compose.yaml"], envFiles: [".env", "deploy.env"], projectName: "cfa", service: "postgres", database: "cfa", user: "cfa", tag: "sha-abc123", keep: 7 })
 */
export const backupDatabase = defineTask<BackupDatabaseParams, BackupDatabaseOutput>({
  id: "deploy.backupDatabase",
  description: "pg_dump a database from its compose service to <app_dir>/backups/<date>-<tag>.sql.gz, keeping the newest N.",
  title: (p) => `backup ${p.service}/${p.database}`,
  schema: params({
    appDir: absPath,
    files: list(nonEmpty),
    envFiles: list(nonEmpty),
    projectName: nonEmpty,
    service: nonEmpty,
    database: nonEmpty,
    user: nonEmpty,
    tag: { type: "string", pattern: TAG_PATTERN },
    keep: { ...int, minimum: 1 },
  }),
  async check(host, p) {
    const c = compose(p);
    const running = sh`[ -n "$(${c} ps --status running -q ${p.service} 2>/dev/null)" ]`;
    const dir = backupDir(p.appDir);
    if (host.checkMode) {
      const r = await host.exec(sh`if ${running}; then echo running; else echo stopped; fi`);
      if (r.stdout.trim() !== "running") return skipped(`${p.service} is not running: nothing to back up`);
      return changed([], { message: `would dump ${p.database} to ${dir}/<date>-${p.tag}.sql.gz` });
    }
    const dump = sh`if ! ${running}; then echo @@bosun:notrunning; exit 0; fi
d=${dir}; mkdir -p -- "$d" || exit 1
f="$d/$(date -u +%Y%m%dT%H%M%SZ)-"${p.tag}.sql.gz; t="$f.tmp"; s="$t.status"; rm -f -- "$s"
trap 'rm -f -- "$t" "$s"' EXIT HUP INT TERM
( ${c} exec -T ${p.service} pg_dump -U ${p.user} --no-owner ${p.database} || echo $? > "$s" ) | gzip > "$t" || exit 1
if [ -e "$s" ]; then echo "pg_dump failed (exit $(cat -- "$s"))" >&2; exit 1; fi
chmod 0600 -- "$t" && mv -f -- "$t" "$f" || exit 1
echo @@bosun:file; printf '%s\\n' "$f"
echo @@bosun:removed; ls -1 -- "$d" | grep '\\.sql\\.gz$' | sort -r | tail -n +${p.keep + 1} | while IFS= read -r old; do rm -f -- "$d/$old" && printf '%s\\n' "$d/$old"; done`;
    return changed<BackupDatabaseOutput>(
      [{ ...dump, label: `pg_dump ${p.service}/${p.database} | gzip > ${dir}/<date>-${p.tag}.sql.gz` }],
      {
        finish: (results) => {
          const s = parseSections((results[0] as ExecResult).stdout);
          if (s.has("notrunning"))
            return { changed: false, output: { removed: [] }, message: `${p.service} is not running: nothing to back up` };
          const file = sectionLines(s, "file")[0];
          const removed = sectionLines(s, "removed");
          return {
            output: { ...(file ? { file } : {}), removed },
            message: `dumped ${p.database} to ${file}${removed.length ? `; removed ${removed.length} old dump(s)` : ""}`,
          };
        },
      },
    );
  },
});
