#!/bin/sh
# Shared by the CI job scripts (sourced, POSIX sh): install bosun, load the SSH key and the pinned
# known_hosts from CI variables, and run a playbook keeping its --json report and JUnit file.
#
# CI variables (GitLab: Settings > CI/CD > Variables, masked and protected; GitHub: repository or
# environment secrets):
#   BOSUN_SSH_PRIVATE_KEY      the deploy key: its text, or (GitLab "File" variable) the path of a file holding it
#   BOSUN_SSH_PRIVATE_KEY_B64  or the key base64-encoded on one line (`base64 -w0 < id_ed25519`), so it can be masked
#   BOSUN_SSH_KEY_PASSPHRASE   the key's passphrase, when it has one (never on a command line: ssh-add reads it
#                              through SSH_ASKPASS, bosun through `!env`)
#   BOSUN_SSH_KNOWN_HOSTS      known_hosts lines of the hosts (text or file path): `ssh-keyscan -H host` run
#                              once from a trusted machine, checked against the provider's console. Required:
#                              there is no StrictHostKeyChecking=no here.
#   BOSUN_SSH_MODE             agent (default: the key lives only in an ssh-agent of this job) or file
#                              (the key in a 0600 file of this job, given to bosun with -e @file)
#   BOSUN_INVENTORY            inventory name (inventory/<name>.yml) or path
#   BOSUN_PLAYBOOKS            directory of the playbooks (default: playbooks)
#   BOSUN_REPORT_DIR           where reports go (default: reports), kept as job artifacts
set -eu

BOSUN_PLAYBOOKS="${BOSUN_PLAYBOOKS:-playbooks}"
BOSUN_REPORT_DIR="${BOSUN_REPORT_DIR:-reports}"
BOSUN_SSH_MODE="${BOSUN_SSH_MODE:-agent}"

bosun_log() { printf '%s\n' "bosun-ci: $*" >&2; }
bosun_die() {
  bosun_log "error: $*"
  exit 1
}

# The text of a variable that may hold either the value or (GitLab file variables) a path to it.
bosun_var_text() {
  eval "bosun_value=\${$1:-}"
  if [ -n "$bosun_value" ] && [ "${bosun_value#/}" != "$bosun_value" ] && [ -f "$bosun_value" ]; then
    cat -- "$bosun_value"
  else
    printf '%s\n' "$bosun_value"
  fi
}

# npm dependencies of the checkout (bosun, tsx), unless a cache already brought them.
bosun_install() {
  if [ -f package.json ]; then
    if npm ls --depth=0 >/dev/null 2>&1; then
      bosun_log "dependencies already installed"
    elif [ -f package-lock.json ]; then
      npm ci --no-audit --no-fund
    else
      npm install --no-audit --no-fund
    fi
  else
    npm install --no-audit --no-fund --no-save bosun tsx
  fi
}

# Private files of this job (key, askpass helper, vars); removed when the job script exits.
bosun_private_dir() {
  if [ -z "${BOSUN_PRIVATE_DIR:-}" ]; then
    BOSUN_PRIVATE_DIR="$(mktemp -d "${TMPDIR:-/tmp}/bosun-ci.XXXXXX")"
    chmod 700 "$BOSUN_PRIVATE_DIR"
    trap bosun_cleanup EXIT
    trap 'exit 130' INT TERM
  fi
}

bosun_cleanup() {
  if [ -n "${BOSUN_AGENT_PID:-}" ]; then kill "$BOSUN_AGENT_PID" 2>/dev/null || true; fi
  if [ -n "${BOSUN_PRIVATE_DIR:-}" ]; then rm -rf -- "$BOSUN_PRIVATE_DIR"; fi
}

# known_hosts pinned from BOSUN_SSH_KNOWN_HOSTS into ~/.ssh/known_hosts (lines added, none removed),
# which bosun and ssh read for every connection, also promotion's reads of the staging hosts.
bosun_known_hosts() {
  pinned="$(bosun_var_text BOSUN_SSH_KNOWN_HOSTS | tr -d '\r')"
  [ -n "$(printf '%s' "$pinned" | tr -d ' \n')" ] ||
    bosun_die "BOSUN_SSH_KNOWN_HOSTS is empty: set it to the hosts' known_hosts lines (ssh-keyscan -H <host>, checked out of band)"
  umask 077
  mkdir -p "$HOME/.ssh"
  touch "$HOME/.ssh/known_hosts"
  printf '%s\n' "$pinned" | while IFS= read -r line; do
    [ -z "$line" ] || grep -qxF -- "$line" "$HOME/.ssh/known_hosts" || printf '%s\n' "$line" >>"$HOME/.ssh/known_hosts"
  done
  bosun_log "known_hosts pinned: $(printf '%s\n' "$pinned" | grep -c .) line(s)"
}

# The deploy key from BOSUN_SSH_PRIVATE_KEY(_B64) into an ssh-agent (default) or a 0600 file.
bosun_ssh_key() {
  bosun_private_dir
  key="$BOSUN_PRIVATE_DIR/id_deploy"
  (
    umask 077
    if [ -n "${BOSUN_SSH_PRIVATE_KEY_B64:-}" ]; then
      printf '%s' "$BOSUN_SSH_PRIVATE_KEY_B64" | tr -d ' \r\n' | base64 -d >"$key" || bosun_die "BOSUN_SSH_PRIVATE_KEY_B64 is not base64"
    else
      bosun_var_text BOSUN_SSH_PRIVATE_KEY | tr -d '\r' >"$key"
    fi
  )
  grep -q "PRIVATE KEY-----" "$key" ||
    bosun_die "no SSH private key: set BOSUN_SSH_PRIVATE_KEY (text or file variable) or BOSUN_SSH_PRIVATE_KEY_B64"
  if [ -n "${GITHUB_ACTIONS:-}" ] && [ -n "${BOSUN_SSH_KEY_PASSPHRASE:-}" ]; then echo "::add-mask::$BOSUN_SSH_KEY_PASSPHRASE"; fi
  BOSUN_SSH_VARS="$BOSUN_PRIVATE_DIR/ssh-vars.yml"
  case "$BOSUN_SSH_MODE" in
    agent)
      eval "$(ssh-agent -s)" >/dev/null
      BOSUN_AGENT_PID="$SSH_AGENT_PID"
      askpass="$BOSUN_PRIVATE_DIR/askpass"
      # The passphrase stays in the environment: the helper prints it to ssh-add, never to argv or a log.
      printf '#!/bin/sh\nprintf "%%s\\n" "${BOSUN_SSH_KEY_PASSPHRASE:-}"\n' >"$askpass"
      chmod 700 "$askpass"
      SSH_ASKPASS="$askpass" SSH_ASKPASS_REQUIRE=force DISPLAY="${DISPLAY:-none}" ssh-add -q "$key" </dev/null ||
        bosun_die "ssh-add refused the key (wrong BOSUN_SSH_KEY_PASSPHRASE?)"
      rm -f -- "$key"
      export SSH_AUTH_SOCK SSH_AGENT_PID
      echo "{}" >"$BOSUN_SSH_VARS"
      bosun_log "SSH key loaded into ssh-agent ($(ssh-add -l | cut -d' ' -f2))"
      ;;
    file)
      {
        printf 'ansible_ssh_private_key_file: %s\n' "$key"
        if [ -n "${BOSUN_SSH_KEY_PASSPHRASE:-}" ]; then printf 'bosun_ssh_key_passphrase: !env BOSUN_SSH_KEY_PASSPHRASE\n'; fi
      } >"$BOSUN_SSH_VARS"
      bosun_log "SSH key in a job-private file"
      ;;
    *) bosun_die "BOSUN_SSH_MODE must be agent or file, not $BOSUN_SSH_MODE" ;;
  esac
}

# Everything a job needs before its run.
bosun_prepare() {
  [ -n "${BOSUN_INVENTORY:-}" ] || bosun_die "BOSUN_INVENTORY is not set (an inventory name such as staging, or a path)"
  if ! command -v ssh-agent >/dev/null 2>&1; then
    bosun_log "installing openssh-client"
    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openssh-client >/dev/null
  fi
  bosun_install
  bosun_known_hosts
  bosun_ssh_key
  mkdir -p "$BOSUN_REPORT_DIR"
}

# bosun_run NAME PLAYBOOK [ARGS...]: run a playbook with the job's SSH settings; its --json report
# goes to $BOSUN_REPORT_DIR/NAME.json, its JUnit file to NAME.xml; the recap goes to the log.
# Returns the run's exit code (0 ok, 2 failed, 3 drift with --fail-on-change, 4 unreachable).
bosun_run() {
  name="$1"
  playbook="$2"
  book="$BOSUN_PLAYBOOKS/$playbook"
  shift 2
  set +e
  npx --no-install tsx "$book" -i "$BOSUN_INVENTORY" -e "@$BOSUN_SSH_VARS" --json --junit "$BOSUN_REPORT_DIR/$name.xml" "$@" \
    >"$BOSUN_REPORT_DIR/$name.json"
  code=$?
  set -e
  if [ -s "$BOSUN_REPORT_DIR/$name.json" ]; then
    # The recap for the log (of this shard only, when sharded: --partial).
    npx --no-install bosun merge-reports --partial "$BOSUN_REPORT_DIR/$name.json" >&2 || true
  fi
  bosun_log "$playbook exited $code"
  return "$code"
}

# The shard of this job: BOSUN_SHARD (GitHub matrix: "1/4"), else GitLab parallel's CI_NODE_INDEX/CI_NODE_TOTAL.
bosun_shard_args() {
  if [ -n "${BOSUN_SHARD:-}" ]; then
    printf '%s\n' "--shard=$BOSUN_SHARD"
  elif [ "${CI_NODE_TOTAL:-1}" -gt 1 ]; then
    printf '%s\n' "--shard=${CI_NODE_INDEX}/${CI_NODE_TOTAL}"
  fi
}
