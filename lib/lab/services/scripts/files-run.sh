#!/bin/sh
# bosun lab file server, PID 1: busybox httpd on :80 serving /srv; stops at once on SIGTERM
# (busybox httpd as PID 1 ignores SIGTERM).
set -eu
httpd -f -p 80 -h /srv &
server=$!
trap 'kill "$server" 2>/dev/null; exit 0' TERM INT
echo "files.lab.test serving /srv on :80"
wait "$server"
