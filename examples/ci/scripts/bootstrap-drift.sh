#!/bin/sh
# CI job (scheduled): bootstrap in --check mode; fails (exit 3) when a host drifted from the playbook,
# and the JUnit report names each drifted host and task. Sharded under GitLab `parallel:` or a GitHub
# matrix (BOSUN_SHARD=i/n): each shard writes reports/bootstrap-drift-<i>.json for merge-reports.
set -eu
. "$(dirname "$0")/common.sh"
bosun_prepare
shard="$(bosun_shard_args)"
name=bootstrap-drift
if [ -n "$shard" ]; then name="bootstrap-drift-$(printf '%s' "${shard#--shard=}" | cut -d/ -f1)"; fi
bosun_run "$name" bootstrap.ts --check --fail-on-change ${shard:+"$shard"}
