/**
 * A graceful nginx reload that is over when the task is: nginx reloads asynchronously, and for a
 * moment workers of the old configuration still accept connections (a request right after a plain
 * reload can get the old site). This waits until every old worker has stopped accepting (its title
 * turns to "worker process is shutting down"; it still finishes its requests), at most 10 s.
 */
import { raw } from "../../core/command.js";

/** Reload nginx, then wait until no worker of the old configuration accepts connections; exit 1 when it does not happen in 10 s. */
export const gracefulNginxReload =
  raw(`w() { for d in /proc/[0-9]*; do [ "$(tr '\\0' ' ' 2>/dev/null < "$d/cmdline" | sed 's/ *$//')" = "nginx: worker process" ] && echo "\${d#/proc/}"; done; }; old=$(w)
systemctl reload nginx 2>&1 || nginx -s reload || exit 1
n=0; busy=1; while [ $n -lt 200 ]; do busy=; for p in $old; do [ "$(tr '\\0' ' ' 2>/dev/null < "/proc/$p/cmdline" | sed 's/ *$//')" = "nginx: worker process" ] && busy=1; done; [ -z "$busy" ] && break; n=$((n + 1)); sleep 0.05; done
if [ -n "$busy" ]; then echo "nginx workers of the old configuration still accept connections after 10s" >&2; exit 1; fi`);
