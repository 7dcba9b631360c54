#!/bin/sh
# bosun lab demo app: answers one HTTP request on stdin/stdout (run by `nc -ll -e` per connection).
#   /health     200 "ok" while the process runs
#   /api/ready  200 "ready", or 500 when APP_BROKEN=1 (a release that starts but never becomes ready)
#   /version    200 and $APP_VERSION
cr=$(printf '\r')
read -t 10 -r method target _ || exit 0
while IFS= read -t 10 -r header; do
  header=${header%"$cr"}
  [ -z "$header" ] && break
done
path=${target%%\?*}

respond() {
  body="$2
"
  printf 'HTTP/1.0 %s\r\nContent-Type: text/plain\r\nContent-Length: %s\r\nConnection: close\r\n\r\n' "$1" "${#body}"
  [ "$method" = HEAD ] || printf '%s' "$body"
  echo "${APP_VERSION:-dev}: $method $path -> ${1%% *}" >&2
}

case "$path" in
  /health) respond "200 OK" ok ;;
  /version) respond "200 OK" "${APP_VERSION:-dev}" ;;
  /api/ready)
    if [ "${APP_BROKEN:-0}" = 1 ]; then respond "500 Internal Server Error" "not ready"
    else respond "200 OK" ready; fi ;;
  /) respond "200 OK" "bosun demo app ${APP_VERSION:-dev}" ;;
  *) respond "404 Not Found" "not found" ;;
esac
