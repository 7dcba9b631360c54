/**
 * HTTP seen from a host: one remote command that requests a URL until it answers as expected or
 * a deadline passes (with curl, wget or python3, whichever the host has), and reports what it
 * last saw. Headers travel on stdin into a 0600 temp file, never in argv.
 */
import { defineFact } from "../core/fact.js";
import { sh } from "../core/command.js";
import { reveal, type Secret } from "../core/secrets.js";

/** A client the host can make requests with. */
export type HttpClient = "curl" | "wget" | "python3";

/** What the answer's body must hold: a substring, or a POSIX extended regex (grep -E), optionally case-insensitive. */
export type BodyExpectation =
  { readonly kind: "text"; readonly value: string } | { readonly kind: "regex"; readonly value: string; readonly ignoreCase?: boolean };

/** Argument of {@link httpWait}. */
export interface HttpWaitQuery {
  /** URL to request. */
  readonly url: string;
  /** Status codes that count as ready. */
  readonly statuses: readonly number[];
  /** What the body must hold, if anything. */
  readonly body?: BodyExpectation;
  /** Give up after this many seconds. */
  readonly timeoutSeconds: number;
  /** Seconds between attempts. */
  readonly intervalSeconds: number;
  /** Client to use; `auto` picks curl, then wget, then python3. */
  readonly client: HttpClient | "auto";
  /** Accept any TLS certificate. */
  readonly insecure?: boolean;
  /** CA bundle on the host to verify TLS with. */
  readonly caFile?: string;
  /** Request headers (values may be secrets). */
  readonly headers?: Readonly<Record<string, string | Secret>>;
}

/** What the host saw. */
export interface HttpWaitState {
  /** ok: answered as expected; timeout: never did; noclient: no curl, wget or python3 (or not the one asked for). */
  readonly outcome: "ok" | "timeout" | "noclient";
  /** Last status code (0: no answer). */
  readonly status: number;
  /** Requests made. */
  readonly attempts: number;
  /** Seconds spent. */
  readonly seconds: number;
  /** Client used. */
  readonly client: string;
  /** The client's last error, one line (e.g. connection refused). */
  readonly error: string;
  /** The last body, at most 4 KiB. */
  readonly body: string;
}

/** Most bytes of the body reported back. */
export const BODY_EXCERPT_BYTES = 4096;

// Runs under `python3 -c`: one request, no redirects followed; status on stdout, body to $d/b.
const PYTHON_PROBE = `import ssl, sys, urllib.error, urllib.request
d, url, mt, tls = sys.argv[1], sys.argv[2], float(sys.argv[3]), sys.argv[4]
class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None
ctx = None
if url.startswith("https:"):
    ctx = ssl._create_unverified_context() if tls == "-insecure" else ssl.create_default_context(cafile=tls or None)
headers = {}
with open(d + "/h", encoding="utf-8") as f:
    for line in f:
        name, _, value = line.rstrip("\\r\\n").partition(":")
        if name:
            headers[name.strip()] = value.strip()
opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=ctx))
try:
    r = opener.open(urllib.request.Request(url, headers=headers), timeout=mt)
    code, body = r.status, r.read()
except urllib.error.HTTPError as e:
    code, body = e.code, e.read()
except Exception as e:
    sys.stderr.write(str(getattr(e, "reason", e)))
    print("000")
    sys.exit(0)
with open(d + "/b", "wb") as f:
    f.write(body)
print(code)
`;

// The loop. Inputs are shell variables set (quoted) before it: url codes mode want limit_ms interval interval_ms client insecure cafile hdrs py.
const LOOP = `umask 077
d=$(mktemp -d) || exit 3
trap 'rm -rf -- "$d"' EXIT HUP INT TERM
: > "$d/h"
if [ "$hdrs" = 1 ]; then cat > "$d/h"; fi
if [ "$client" = auto ]; then
  client=-
  for c in curl wget python3; do if command -v "$c" >/dev/null 2>&1; then client=$c; break; fi; done
fi
if [ "$client" = - ] || ! command -v "$client" >/dev/null 2>&1; then echo "bosun-http noclient 0 0 0 $client"; exit 0; fi
probe() {
  : > "$d/b"; : > "$d/e"; st=
  case $client in
  curl)
    if [ -n "$cafile" ]; then set -- --cacert "$cafile"; elif [ "$insecure" = 1 ]; then set -- -k; else set --; fi
    st=$(curl -sS -o "$d/b" -w '%{http_code}' --max-time "$mt" "$@" -H @"$d/h" "$url" 2>"$d/e") ;;
  wget)
    if [ -n "$cafile" ]; then set -- --ca-certificate="$cafile"; elif [ "$insecure" = 1 ]; then set -- --no-check-certificate; else set --; fi
    sed 's/^/header = /' "$d/h" > "$d/rc"
    WGETRC="$d/rc" wget -nv -S -O "$d/b" --content-on-error --max-redirect=0 --tries=1 --timeout="$mt" "$@" "$url" 2>"$d/e"
    st=$(sed -n 's/^  HTTP\\/[0-9.]* \\([0-9][0-9]*\\).*/\\1/p' "$d/e" | tail -n 1) ;;
  python3)
    if [ -n "$cafile" ]; then t=$cafile; elif [ "$insecure" = 1 ]; then t=-insecure; else t=; fi
    st=$(python3 -c "$py" "$d" "$url" "$mt" "$t" 2>"$d/e") ;;
  esac
  case $st in ''|*[!0-9]*) st=000 ;; esac
}
ready() {
  case " $codes " in *" $st "*) ;; *) return 1 ;; esac
  case $mode in
  text) grep -qF -e "$want" "$d/b" ;;
  regex) grep -qE -e "$want" "$d/b" ;;
  iregex) grep -qiE -e "$want" "$d/b" ;;
  *) return 0 ;;
  esac
}
# Milliseconds since the epoch (GNU date; whole seconds where %N is not supported).
now() { t=$(date +%s%N); case $t in *N) echo $(( \${t%N} * 1000 )) ;; *) echo $(( t / 1000000 )) ;; esac; }
start=$(now); deadline=$((start + limit_ms)); n=0; r=timeout
while :; do
  n=$((n + 1))
  mt=$(( (deadline - $(now) + 999) / 1000 )); [ "$mt" -gt 10 ] && mt=10; [ "$mt" -lt 1 ] && mt=1
  probe
  if ready; then r=ok; break; fi
  [ $(($(now) + interval_ms)) -gt "$deadline" ] && break
  sleep "$interval"
done
echo "bosun-http $r $st $n $(( ($(now) - start) / 1000 )) $client"
grep -v '^  ' "$d/e" | tr '\\n' ' ' | head -c 500; echo
head -c ${BODY_EXCERPT_BYTES} "$d/b"`;

/** The header lines sent on stdin: `Name: value`. */
export function headerLines(headers: Readonly<Record<string, string | Secret>> = {}): string {
  return Object.entries(headers)
    .map(([k, v]) => `${k}: ${reveal(v)}\n`)
    .join("");
}

/** Wait on the host until `query.url` answers as expected or the timeout passes (one command). */
export const httpWait = defineFact<HttpWaitQuery, HttpWaitState>({
  id: "http.wait",
  command(q) {
    const lines = headerLines(q.headers);
    const mode = q.body === undefined ? "none" : q.body.kind === "text" ? "text" : q.body.ignoreCase ? "iregex" : "regex";
    const vars = sh`url=${q.url}; codes=${q.statuses.join(" ")}; mode=${mode}; want=${q.body?.value ?? ""}; limit_ms=${Math.round(q.timeoutSeconds * 1000)}; interval=${q.intervalSeconds}; interval_ms=${Math.round(q.intervalSeconds * 1000)}; client=${q.client}; insecure=${q.insecure ? 1 : 0}; cafile=${q.caFile ?? ""}; hdrs=${lines ? 1 : 0}; py=${PYTHON_PROBE}`;
    const text = `${vars.text}\n${LOOP}`;
    return { text, label: `wait for ${q.url}`, ...(lines ? { stdin: lines } : {}) };
  },
  parse(result) {
    const out = result.stdout;
    const first = out.indexOf("\n");
    const head = (first < 0 ? out : out.slice(0, first)).split(" ");
    if (head[0] !== "bosun-http") {
      throw new Error(`Cannot read the HTTP wait's output (exit ${result.code}): ${(result.stderr || out).trim().slice(0, 300)}`);
    }
    const rest = first < 0 ? "" : out.slice(first + 1);
    const second = rest.indexOf("\n");
    return {
      outcome: head[1] as HttpWaitState["outcome"],
      status: Number(head[2]) || 0,
      attempts: Number(head[3]) || 0,
      seconds: Number(head[4]) || 0,
      client: head[5] ?? "",
      error: (second < 0 ? rest : rest.slice(0, second)).trim(),
      body: second < 0 ? "" : rest.slice(second + 1),
    };
  },
});
