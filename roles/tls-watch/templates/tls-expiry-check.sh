#!/bin/sh
# bosun tls-expiry-check (installed by tls-renew; roles/tls-watch): run daily by
# bosun-tls-expiry.timer. Reads the days to expiry of every certificate under
# /etc/letsencrypt/live (or CERTS), and when one has fewer than ALERT_DAYS left (or cannot be
# read), posts an alert to the webhook or Telegram chat configured by tls-renew. The webhook URL or
# bot token is read from a root-only file and handed to curl on stdin (-K -): it is in no unit
# file, on no command line and in no journal line. The outcome goes to STATE for the next
# tls-renew run to report. Exit: 0 all well or alert sent; 1 the alert could not be sent, or a
# certificate is below the threshold with no channel configured.
set -u
CONF=/etc/bosun/tls-watch/watch.conf
SECRET=/etc/bosun/tls-watch/secret
STATE_DIR=/var/lib/bosun/tls-watch
STATE=$STATE_DIR/last-result

ALERT_DAYS=14
HOST_LABEL=$(hostname)
CHANNEL=none
CHAT_ID_JSON=
API_BASE=https://api.telegram.org
CERTS=
# shellcheck source=/dev/null
. "$CONF"

mkdir -p "$STATE_DIR"
now=$(date +%s)

record() { # status summary
  tmp=$(mktemp "$STATE_DIR/.last-result.XXXXXX")
  {
    printf 'time=%s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)"
    printf 'status=%s\n' "$1"
    printf 'summary=%s\n' "$2"
  } >"$tmp"
  chmod 644 "$tmp"
  mv -f "$tmp" "$STATE"
}

json_text() { # stdin -> a JSON string (quotes, backslashes, tabs and newlines escaped)
  sed -e 's/\\/\\\\/g' -e 's/"/\\"/g' -e 's/\t/\\t/g' | awk 'BEGIN { ORS = "" } { if (NR > 1) print "\\n"; print } END { }' |
    { printf '"'; cat; printf '"'; }
}

[ -n "$CERTS" ] || CERTS=$(ls /etc/letsencrypt/live/*/cert.pem 2>/dev/null)
below=""
all=""
for cert in $CERTS; do
  name=$(basename "$(dirname "$cert")")
  [ "$name" = live ] && name=$(basename "$cert")
  end=$(openssl x509 -enddate -noout -in "$cert" 2>/dev/null | cut -d= -f2)
  end_s=$(date -d "$end" +%s 2>/dev/null)
  if [ -z "$end" ] || [ -z "$end_s" ]; then
    line="$name: unreadable ($cert)"
    below="$below$line
"
  else
    days=$(((end_s - now) / 86400))
    until=$(date -u -d "@$end_s" +%Y-%m-%d)
    if [ "$days" -lt 0 ]; then line="$name: EXPIRED $((-days)) day(s) ago (until $until)"; else line="$name: $days day(s) left (until $until)"; fi
    [ "$days" -lt "$ALERT_DAYS" ] && below="$below$line
"
  fi
  all="$all$line; "
  echo "$line"
done
[ -n "$all" ] || all="no certificates"

if [ -z "$below" ]; then
  record ok "all certificates have $ALERT_DAYS days or more: ${all%; }"
  exit 0
fi

text=$(printf '[%s] TLS certificates below %s days:\n%s' "$HOST_LABEL" "$ALERT_DAYS" "$(printf '%s' "$below" | sed 's/^/- /')")
count=$(printf '%s' "$below" | grep -c .)
if [ "$CHANNEL" = none ] || [ ! -s "$SECRET" ]; then
  echo "alert: $count certificate(s) below $ALERT_DAYS days, and no alert channel configured" >&2
  record below-no-channel "$count below $ALERT_DAYS days, no channel: ${all%; }"
  exit 1
fi

body=$(mktemp)
trap 'rm -f "$body"' EXIT
if [ "$CHANNEL" = telegram ]; then
  printf '{"chat_id":%s,"text":%s}' "$CHAT_ID_JSON" "$(printf '%s' "$text" | json_text)" >"$body"
  # The URL holds the token: curl reads it from its config on stdin, not from argv.
  config=$(printf 'url = "%s/bot%s/sendMessage"\n' "$API_BASE" "$(cat "$SECRET")")
else
  printf '{"text":%s}' "$(printf '%s' "$text" | json_text)" >"$body"
  config=$(printf 'url = "%s"\n' "$(cat "$SECRET")")
fi
if printf '%s\n' "$config" | curl -fsS --max-time 30 -o /dev/null -K - -X POST -H 'Content-Type: application/json' --data-binary "@$body"; then
  echo "alert sent ($CHANNEL): $count certificate(s) below $ALERT_DAYS days"
  record alerted "$count below $ALERT_DAYS days, alert sent ($CHANNEL): ${all%; }"
  exit 0
fi
echo "alert: could not send to $CHANNEL" >&2
record alert-failed "$count below $ALERT_DAYS days, the alert could not be sent ($CHANNEL): ${all%; }"
exit 1
