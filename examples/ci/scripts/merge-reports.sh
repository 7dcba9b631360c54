#!/bin/sh
# CI job after a sharded one: the shards' reports as one run's recap, JSON document and JUnit file,
# with the exit code one run over all hosts would have had (a missing shard report is an error).
# Usage: merge-reports.sh NAME   (merges $BOSUN_REPORT_DIR/NAME-*.json into NAME.json and NAME.xml)
set -eu
. "$(dirname "$0")/common.sh"
name="${1:?usage: merge-reports.sh NAME}"
bosun_install
set +e
npx --no-install bosun merge-reports --output "$BOSUN_REPORT_DIR/$name.json" --junit "$BOSUN_REPORT_DIR/$name.xml" "$BOSUN_REPORT_DIR/$name"-*.json
code=$?
set -e
bosun_log "merged exit $code"
exit "$code"
