// playbooks/ci-secrets.ts: being built by the ci-secrets engineer (issue 16, item 6:
// repository secrets from a playbook, GitHub sealed-box secrets and GitLab project variables).
// Claimed 2026-12-07 08:01 UTC; do not start a second version.
export {};
