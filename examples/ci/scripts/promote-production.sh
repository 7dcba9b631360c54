#!/bin/sh
# CI job (manual): deploy to production exactly the release live on staging (--promote-from).
# BOSUN_PROMOTE_FROM: the source inventory (default staging); its hosts are read over SSH with the
# same key and known_hosts, so BOSUN_SSH_KNOWN_HOSTS must pin the staging hosts too.
set -eu
. "$(dirname "$0")/common.sh"
bosun_prepare
bosun_run promote-production deploy.ts --promote-from "${BOSUN_PROMOTE_FROM:-staging}"
