#!/bin/sh
# Deploy hook written by bosun (roles/certbot): certbot runs it after every certificate it obtains
# or renews, so nginx serves the new certificate. A stopped nginx is left alone.
set -e
if systemctl is-active --quiet nginx; then
    systemctl reload nginx
fi
