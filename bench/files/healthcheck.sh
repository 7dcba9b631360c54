#!/bin/bash
# Exit 0 when the app answers on its port.
set -eu
port="${APP_PORT:-8080}"
exec 3<>"/dev/tcp/127.0.0.1/$port" 2>/dev/null || exit 1
