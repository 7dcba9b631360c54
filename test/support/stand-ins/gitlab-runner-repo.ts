/**
 * A local stand-in for packages.gitlab.com, built on a lab host: a signed apt repository (its own
 * GPG key, InRelease) holding fake `gitlab-runner` packages built with dpkg-deb, served on the
 * host's port 80. The fake `gitlab-runner` is a shell script that implements `register`, `list`,
 * `verify` and `--version` well enough to write config.toml the way the real one does, and logs
 * every argv (and a digest of the token it got from the environment) so that a test can prove the
 * token never travelled in argv.
 */

/** Versions the stand-in repository offers. */
export const STAND_IN_RUNNER_VERSIONS = ["16.11.0-1", "17.5.0-1"] as const;

/** Where the fake binary logs its calls on the host. */
export const FAKE_RUNNER_LOG = "/var/log/fake-gitlab-runner.log";

/** The fake `gitlab-runner` (POSIX sh). `@VERSION@` is replaced per package. */
export const FAKE_GITLAB_RUNNER = String.raw`#!/bin/sh
# Stand-in for gitlab-runner in bosun's tests (not the real program).
set -eu
log=${"${FAKE_RUNNER_LOG:-"}${FAKE_RUNNER_LOG}}
printf 'argv:' >> "$log"; for a in "$@"; do printf ' [%s]' "$a" >> "$log"; done; echo >> "$log"
config=/etc/gitlab-runner/config.toml
cmd=${"${1:-}"}
[ $# -gt 0 ] && shift
case $cmd in
--version|-v) echo "Version:      @VERSION@ (stand-in)"; exit 0 ;;
register)
  url=${"${CI_SERVER_URL:-}"}; name=$(hostname); executor=; image=; privileged=false; volumes=; tags=; untagged=; locked=; ni=0
  while [ $# -gt 0 ]; do
    case $1 in
    --non-interactive|-n) ni=1 ;;
    --config|-c) config=$2; shift ;;
    --url|-u) url=$2; shift ;;
    --name|--description) name=$2; shift ;;
    --executor) executor=$2; shift ;;
    --docker-image) image=$2; shift ;;
    --docker-privileged) privileged=true ;;
    --docker-privileged=*) privileged=${"${1#*=}"} ;;
    --docker-volumes) volumes="$volumes, \"$2\""; shift ;;
    --tag-list) tags=$2; shift ;;
    --run-untagged=*) untagged=${"${1#*=}"} ;;
    --locked=*) locked=${"${1#*=}"} ;;
    --token|-t|--registration-token|-r) echo "token given in argv" >> "$log"; shift ;;
    *) echo "FATAL: flag provided but not defined: $1" >&2; exit 1 ;;
    esac
    shift
  done
  [ "$ni" = 1 ] || { echo "FATAL: stand-in only supports --non-interactive" >&2; exit 1; }
  token=${"${CI_SERVER_TOKEN:-}"}; reg=${"${REGISTRATION_TOKEN:-}"}
  if [ -z "$token$reg" ]; then echo "FATAL: Registration token or runner authentication token missing" >&2; exit 1; fi
  if [ -n "$token" ] && [ -n "$tags$untagged$locked" ]; then
    echo "FATAL: Runner configuration other than name and executor configuration is reserved (specifically --locked, --access-level, --run-untagged, --maximum-timeout, --paused, --tag-list, and --maintenance-note) and cannot be specified when registering with a runner authentication token." >&2
    exit 1
  fi
  if [ -n "$reg" ]; then
    echo "env: REGISTRATION_TOKEN sha256=$(printf %s "$reg" | sha256sum | cut -d' ' -f1) tags=$tags run_untagged=$untagged locked=$locked" >> "$log"
    token="glrt-exchanged-$(printf %s "$reg" | sha256sum | cut -c1-16)"
  else
    echo "env: CI_SERVER_TOKEN sha256=$(printf %s "$token" | sha256sum | cut -d' ' -f1)" >> "$log"
  fi
  echo "Registering runner... succeeded                     runner=$(printf %s "$token" | cut -c1-8)" >&2
  mkdir -p -m 0700 "$(dirname "$config")"
  umask 077
  if ! [ -f "$config" ]; then
    printf 'concurrent = 1\ncheck_interval = 0\nshutdown_timeout = 0\n\n[session_server]\n  session_timeout = 1800\n' > "$config"
  fi
  cat >> "$config" <<EOF

[[runners]]
  name = "$name"
  url = "$url"
  id = 0
  token = "$token"
  token_obtained_at = $(date -u +%Y-%m-%dT%H:%M:%SZ)
  token_expires_at = 0001-01-01T00:00:00Z
  executor = "$executor"
  [runners.cache]
    MaxUploadedArchiveSize = 0
  [runners.docker]
    tls_verify = false
    image = "$image"
    privileged = $privileged
    disable_entrypoint_overwrite = false
    oom_kill_disable = false
    disable_cache = false
    volumes = ["/cache"$volumes]
    shm_size = 0
    network_mtu = 0
EOF
  echo "Runner registered successfully. Feel free to start it, but if it's running already the config should be automatically reloaded!" >&2
  ;;
list)
  echo "Listing configs                                     config=$config" >&2
  awk -F' = ' '/^  name = /{ gsub(/"/, "", $2); n = $2 } /^  executor = /{ gsub(/"/, "", $2); print n "  Executor=" $2 }' "$config" >&2
  ;;
verify)
  awk -F' = ' '/^  name = /{ gsub(/"/, "", $2); print "Verifying runner... is valid                        runner=" $2 }' "$config" >&2
  ;;
run) exec sleep infinity ;;
*) echo "stand-in gitlab-runner: unsupported command $cmd" >&2; exit 1 ;;
esac
`;

const POSTINST = `#!/bin/sh
set -e
id -u gitlab-runner >/dev/null 2>&1 || useradd --system --create-home --home-dir /home/gitlab-runner --shell /bin/bash gitlab-runner
mkdir -p -m 0700 /etc/gitlab-runner
`;

/** Single-quote for the build script (independent of bosun's quoting). */
function q(text: string): string {
  return `'${text.split("'").join(`'"'"'`)}'`;
}

/**
 * A root shell script for a lab host: build the packages and the signed repository under
 * /srv/stand-in/gitlab and serve it on port 80 (systemd unit `stand-in-gitlab`). The repository
 * is then `http://127.0.0.1/debian` from the host, its key `/gpgkey` on the host's port 80.
 */
export function buildGitlabRunnerRepoScript(suite = "bookworm"): string {
  const debs = STAND_IN_RUNNER_VERSIONS.map(
    (v) => `b=$(mktemp -d); mkdir -p "$b/DEBIAN" "$b/usr/bin"
printf '%s' ${q(FAKE_GITLAB_RUNNER.replace(/@VERSION@/g, v))} > "$b/usr/bin/gitlab-runner"; chmod 0755 "$b/usr/bin/gitlab-runner"
printf '%s' ${q(POSTINST)} > "$b/DEBIAN/postinst"; chmod 0755 "$b/DEBIAN/postinst"
printf 'Package: gitlab-runner\\nVersion: %s\\nArchitecture: all\\nMaintainer: bosun tests <tests@bosun.invalid>\\nDescription: stand-in for GitLab Runner (bosun tests)\\n' ${q(v)} > "$b/DEBIAN/control"
dpkg-deb --root-owner-group --build "$b" "$R/debian/pool/main/g/gitlab-runner/gitlab-runner_${v}_all.deb" >/dev/null; rm -rf "$b"`,
  );
  return `set -eu
R=/srv/stand-in/gitlab; systemctl stop stand-in-gitlab 2>/dev/null || true; rm -rf "$R"
mkdir -p "$R/debian/pool/main/g/gitlab-runner"
${debs.join("\n")}
arch=$(dpkg --print-architecture); D="$R/debian/dists/${suite}"; mkdir -p "$D/main/binary-$arch"
cd "$R/debian"
for f in pool/main/g/gitlab-runner/*.deb; do dpkg-deb -f "$f"; printf 'Filename: %s\\nSize: %s\\nSHA256: %s\\n\\n' "$f" "$(stat -c %s "$f")" "$(sha256sum < "$f" | cut -d' ' -f1)"; done > "$D/main/binary-$arch/Packages"
p="main/binary-$arch/Packages"
printf 'Origin: bosun stand-in\\nLabel: gitlab-runner\\nSuite: ${suite}\\nCodename: ${suite}\\nDate: %s\\nArchitectures: %s\\nComponents: main\\nSHA256:\\n %s %s %s\\n' "$(date -Ru)" "$arch" "$(sha256sum < "$D/$p" | cut -d' ' -f1)" "$(stat -c %s "$D/$p")" "$p" > "$D/Release"
export GNUPGHOME=$(mktemp -d)
gpg --batch --quiet --passphrase '' --quick-gen-key 'bosun stand-in <stand-in@bosun.invalid>' ed25519 sign never 2>/dev/null
gpg --batch --quiet --armor --export > "$R/gpgkey"
gpg --batch --quiet --clearsign -o "$D/InRelease" "$D/Release"
rm -rf "$GNUPGHOME"
systemd-run --quiet --unit=stand-in-gitlab --working-directory="$R" python3 -m http.server 80 --bind 0.0.0.0
for i in $(seq 50); do curl -fsS -o /dev/null http://127.0.0.1/gpgkey 2>/dev/null && exit 0; sleep 0.1; done
echo "stand-in repository did not start" >&2; exit 1
`;
}
