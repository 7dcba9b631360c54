#!/bin/sh
# bosun lab demo app, PID 1: serve HTTP on $APP_PORT (default 8080) and stop at once on SIGTERM.
set -eu
port=${APP_PORT:-8080}
nc -ll -p "$port" -e /app/handle &
server=$!
trap 'kill "$server" 2>/dev/null; exit 0' TERM INT
echo "bosun demo app ${APP_VERSION:-dev} listening on :$port"
wait "$server"
