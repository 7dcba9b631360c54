#!/bin/sh
# CI job: deploy the commit's image tag to the staging inventory (GitLab: main branch; GitHub: push to main).
# BOSUN_DEPLOY_TAG (default sha-<short commit>) must be an image tag your build stage pushed.
set -eu
. "$(dirname "$0")/common.sh"
commit="${CI_COMMIT_SHA:-${GITHUB_SHA:-}}"
tag="${BOSUN_DEPLOY_TAG:-}"
if [ -z "$tag" ]; then
  [ -n "$commit" ] || bosun_die "set BOSUN_DEPLOY_TAG (no CI_COMMIT_SHA or GITHUB_SHA to derive sha-<commit> from)"
  tag="sha-$(printf '%s' "$commit" | cut -c1-8)"
fi
bosun_prepare
bosun_run deploy-staging deploy.ts --tag "$tag" ${commit:+--sha "$commit"}
