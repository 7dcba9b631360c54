#!/usr/bin/env bash
# The fresh-machine check: clone this repository (its committed HEAD, or --ref) into a new temporary
# directory, `npm ci`, check that the tree is still clean, name every missing prerequisite of
# lib/lab/controller-tools.ts, install them the way `npm test` does, then run the unit tests and one
# end-to-end area. Run it as root on Debian 12 with Node 20 (the lab needs root).
#
#   scripts/fresh-check.sh [--no-install] [--keep] [--ref REF] [E2E_AREA]   (E2E_AREA: test/tasks/files)
#
#   --ref REF     check out REF (a commit, branch or tag) in the clone instead of HEAD
#   --no-install  stop after naming the missing prerequisites (exit 1 when any is missing)
#   --keep        keep the clone (its path is printed) instead of removing it
#
# On a shared machine, do not run it while someone runs the same e2e area: lab hosts are named by
# area, and the clone has a lab key of its own.
set -uo pipefail

repo="$(cd "$(dirname "$0")/.." && pwd)"
install=1
keep=0
ref=""
area="test/tasks/files"
while [ "$#" -gt 0 ]; do
  arg="$1"
  shift
  case "$arg" in
    --no-install) install=0 ;;
    --keep) keep=1 ;;
    --ref)
      ref="${1:?--ref needs a commit}"
      shift
      ;;
    -h | --help)
      sed -n '2,14p' "$0" | sed 's/^# \{0,1\}//'
      exit 0
      ;;
    -*)
      echo "fresh-check: unknown option $arg (see --help)" >&2
      exit 2
      ;;
    *) area="$arg" ;;
  esac
done

started=$SECONDS
failed=0
results=()
step() { printf '\n== %s\n' "$*"; }
record() { results+=("$(printf '%-44s %s (%d s)' "$1" "$2" "$3")"); }
summary() {
  printf '\n== fresh-check summary (%d s in all)\n' "$((SECONDS - started))"
  printf '  %s\n' "${results[@]}"
}

# 1. What is needed before the list can even be read: Node 20+, npm and git (lib/lab/controller-tools.ts lists them too).
step "prerequisites needed to clone and install"
missing=()
command -v git >/dev/null || missing+=("git (apt-get install git)")
command -v npm >/dev/null || missing+=("npm (comes with Node.js 20 or later)")
if ! command -v node >/dev/null; then
  missing+=("node (Node.js 20 or later)")
elif [ "$(node -p 'Number(process.versions.node.split(".")[0])')" -lt 20 ]; then
  missing+=("node 20 or later (found $(node --version))")
fi
if [ "$(id -u)" -ne 0 ]; then missing+=("root (the lab runs debootstrap and docker)"); fi
if [ "${#missing[@]}" -gt 0 ]; then
  printf 'missing: %s\n' "${missing[@]}"
  exit 1
fi
echo "node $(node --version), npm $(npm --version), $(git --version), root"

# 2. A clone of the committed HEAD in a new directory, installed as the README says.
work="$(mktemp -d -t bosun-fresh.XXXXXX)"
cleanup() { if [ "$keep" = 1 ]; then echo "kept the clone: $work"; else rm -rf "$work"; fi; }
trap cleanup EXIT
unset BOSUN_LAB_DIR BOSUN_LAB_RUN_ID # the clone's lab state is its own
step "git clone $repo $work/bosun"
t=$SECONDS
if ! git clone -q "$repo" "$work/bosun"; then
  record "git clone" FAILED $((SECONDS - t))
  summary
  exit 1
fi
cd "$work/bosun" || exit 1
if [ -n "$ref" ] && ! git checkout -q "$ref"; then
  record "git checkout $ref" FAILED 0
  summary
  exit 1
fi
record "git clone ($(git rev-parse --short HEAD))" ok $((SECONDS - t))

step "npm ci"
t=$SECONDS
if ! npm ci --no-audit --no-fund; then
  record "npm ci" FAILED $((SECONDS - t))
  summary
  exit 1
fi
record "npm ci" ok $((SECONDS - t))
dirty="$(git status --porcelain)"
if [ -n "$dirty" ]; then
  echo "npm ci changed the tree:"
  echo "$dirty"
  record "tree clean after npm ci" "FAILED ($(echo "$dirty" | wc -l) path(s))" 0
  failed=1
else
  record "tree clean after npm ci" ok 0
fi

# 3. Every controller tool of lib/lab/controller-tools.ts, named when missing, then installed as `npm test` would.
step "controller tools (lib/lab/controller-tools.ts)"
t=$SECONDS
check="$(npx tsx lib/lab/cli.ts prerequisites --check)"
echo "$check"
absent="$(echo "$check" | sed -n 's/^missing: \([^ ]*\).*/\1/p' | tr '\n' ' ')"
if [ -z "$absent" ]; then
  record "controller tools" "all present" $((SECONDS - t))
elif [ "$install" = 0 ]; then
  record "controller tools" "MISSING: $absent" $((SECONDS - t))
  summary
  exit 1
elif npx tsx lib/lab/cli.ts prerequisites; then
  record "controller tools" "installed the missing: $absent" $((SECONDS - t))
else
  record "controller tools" "INSTALL FAILED; missing: $absent" $((SECONDS - t))
  summary
  exit 1
fi

# 4. The unit tests, then one end-to-end area.
step "npm run test:unit -- ."
t=$SECONDS
if npm run test:unit -- .; then record "unit tests" ok $((SECONDS - t)); else record "unit tests" FAILED $((SECONDS - t)) && failed=1; fi

step "npm run test:e2e -- $area"
t=$SECONDS
if npm run test:e2e -- "$area"; then record "e2e $area" ok $((SECONDS - t)); else record "e2e $area" FAILED $((SECONDS - t)) && failed=1; fi

summary
exit "$failed"
