/**
 * What keeps ufw's `deny incoming` true for the ports docker publishes: docker's NAT sends a
 * connection to a published port through the FORWARD chain, where ufw's INPUT rules never see
 * it. As the widely used ufw-docker does, rules go into DOCKER-USER (which docker jumps to first):
 * here a chain `bosun-ufw-docker` holding ufw's own rules from /etc/ufw/user.rules, matched on the
 * port the client connected to (conntrack's original destination port, so `ufw allow 8080` opens
 * `-p 8080:80`), then a drop of everything else from outside to a container. Containers' own
 * traffic, replies and loopback pass. IPv4 only (docker publishes IPv6 only when configured to).
 */

import { DOCKER_FILTER_CHAIN, DOCKER_FILTER_SCRIPT } from "../../facts/ufw-docker-filter.js";

export { DOCKER_FILTER_CHAIN, DOCKER_FILTER_SCRIPT };

/** The unit that runs the script at boot and whenever docker starts. */
export const DOCKER_FILTER_SERVICE = "bosun-ufw-docker.service";

/** The unit that runs it again whenever ufw rewrites its rules or settings (`ufw allow ...` by hand included). */
export const DOCKER_FILTER_PATH = "bosun-ufw-docker.path";

/** Shell text: run the script when it is installed (after a ufw rule changed). */
export const DOCKER_FILTER_RESYNC = `if [ -x ${DOCKER_FILTER_SCRIPT} ]; then ${DOCKER_FILTER_SCRIPT}; fi`;

/** The script (POSIX sh, awk): no argument loads the rules, `--check` exits 1 when they are stale, `--remove` takes them out. */
export const DOCKER_FILTER_SCRIPT_TEXT = `#!/bin/sh
# Written by bosun (roles/firewall, ufw.dockerFilter): ufw's rules in front of the ports docker
# publishes. Docker's NAT sends connections to published ports through FORWARD, past ufw's INPUT
# rules; DOCKER-USER (first in FORWARD) jumps to ${DOCKER_FILTER_CHAIN}, filled here from
# /etc/ufw/user.rules and matched on the port the client connected to, then a drop of any other
# connection from outside to a container. Run at boot and when docker starts (${DOCKER_FILTER_SERVICE}),
# when ufw's rules change (${DOCKER_FILTER_PATH}) and by bosun's ufw tasks.
#   ${DOCKER_FILTER_SCRIPT}            load the rules
#   ${DOCKER_FILTER_SCRIPT} --check    exit 1 unless the loaded rules are the current ones
#   ${DOCKER_FILTER_SCRIPT} --remove   take the rules out (ufw's deny no longer covers published ports)
set -eu
CHAIN=${DOCKER_FILTER_CHAIN}
STATE=/run/bosun-ufw-docker.rules

rules() {
  printf '%s\\n' \\
    "-A $CHAIN -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN" \\
    "-A $CHAIN -i lo -j RETURN" \\
    "-A $CHAIN -i docker0 -j RETURN" \\
    "-A $CHAIN -i br-+ -j RETURN"
  if [ -f /etc/ufw/user.rules ]; then
    awk -v chain="$CHAIN" '
      $1 == "-A" && $2 == "ufw-user-input" {
        target = ""; proto = ""; src = ""; dst = ""; iface = ""; ports = ""
        for (i = 3; i < NF; i++) {
          if ($i == "-j") target = $(i + 1)
          else if ($i == "-p") proto = $(i + 1)
          else if ($i == "-s") src = $(i + 1)
          else if ($i == "-d") dst = $(i + 1)
          else if ($i == "-i") iface = $(i + 1)
          else if ($i == "--dport" || $i == "--dports") ports = $(i + 1)
        }
        if (target == "ACCEPT" || target == "ufw-user-limit-accept") verdict = "RETURN"
        else if (target == "DROP" || target == "REJECT") verdict = "DROP"
        else next
        n = (ports == "") ? 1 : split(ports, list, ",")
        for (k = 1; k <= n; k++) {
          r = "-A " chain
          if (iface != "") r = r " -i " iface
          if (src != "") r = r " -s " src
          if (proto != "") r = r " -p " proto
          if (ports != "" || dst != "") {
            r = r " -m conntrack"
            if (dst != "") r = r " --ctorigdst " dst
            if (ports != "") r = r " --ctorigdstport " list[k]
            r = r " --ctdir ORIGINAL"
          }
          print r " -j " verdict
        }
      }' /etc/ufw/user.rules
  fi
  # ufw enabled with a deny (or reject) incoming policy: nothing else from outside reaches a container.
  if grep -qs '^ENABLED=yes' /etc/ufw/ufw.conf && ! grep -qs '^DEFAULT_INPUT_POLICY="ACCEPT"' /etc/default/ufw; then
    printf '%s\\n' "-A $CHAIN -o docker0 -j DROP" "-A $CHAIN -o br-+ -j DROP"
  fi
}

case "\${1:-}" in
  --check)
    wanted=$(rules)
    [ -f "$STATE" ] && [ "$wanted" = "$(cat "$STATE")" ] || exit 1
    iptables -w -C DOCKER-USER -j "$CHAIN" 2>/dev/null || exit 1
    [ "$(iptables -w -S "$CHAIN" | wc -l)" -eq "$(($(printf '%s\\n' "$wanted" | wc -l) + 1))" ] || exit 1
    ;;
  --remove)
    while iptables -w -D DOCKER-USER -j "$CHAIN" 2>/dev/null; do :; done
    iptables -w -F "$CHAIN" 2>/dev/null || true
    iptables -w -X "$CHAIN" 2>/dev/null || true
    rm -f "$STATE"
    ;;
  "")
    wanted=$(rules)
    iptables -w -N DOCKER-USER 2>/dev/null || true
    printf '*filter\\n:%s - [0:0]\\n%s\\nCOMMIT\\n' "$CHAIN" "$wanted" | iptables-restore -w --noflush
    iptables -w -C DOCKER-USER -j "$CHAIN" 2>/dev/null || iptables -w -I DOCKER-USER 1 -j "$CHAIN"
    printf '%s\\n' "$wanted" > "$STATE"
    ;;
  *)
    echo "usage: $0 [--check | --remove]" >&2
    exit 2
    ;;
esac
`;

/** The service unit: the script at boot (after ufw) and each time docker starts. */
export const DOCKER_FILTER_SERVICE_TEXT = `[Unit]
Description=ufw's rules in front of the ports docker publishes (bosun)
After=ufw.service docker.service

[Service]
Type=oneshot
ExecStart=${DOCKER_FILTER_SCRIPT}

[Install]
WantedBy=multi-user.target docker.service
`;

/** The path unit: the script again whenever ufw rewrites its rules, is enabled or disabled, or changes its default policy. */
export const DOCKER_FILTER_PATH_TEXT = `[Unit]
Description=Reload bosun-ufw-docker when ufw's rules change (bosun)

[Path]
PathChanged=/etc/ufw/user.rules
PathChanged=/etc/ufw/ufw.conf
PathChanged=/etc/default/ufw
Unit=${DOCKER_FILTER_SERVICE}

[Install]
WantedBy=multi-user.target
`;
