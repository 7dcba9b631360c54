#!/bin/sh
# bosun lab ACME CA: `acme-run pebble` or `acme-run challtestsrv`. State lives in /state (a bind
# mount of .lab/services/acme/): the CA of pebble's own HTTPS listener is made there once.
set -eu
state=/state

make_listener_cert() {
  [ -s "$state/pebble.pem" ] && [ -s "$state/pebble.key" ] && [ -s "$state/server-ca.pem" ] && return 0
  tmp=$(mktemp -d)
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 3650 \
    -subj "/CN=bosun lab ACME server CA" -keyout "$tmp/ca.key" -out "$tmp/ca.pem" \
    -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=acme.lab.test" \
    -keyout "$tmp/pebble.key" -out "$tmp/pebble.csr" 2>/dev/null
  cat > "$tmp/ext.cnf" <<EXT
subjectAltName=DNS:acme.lab.test,DNS:localhost,IP:127.0.0.1
basicConstraints=critical,CA:FALSE
keyUsage=critical,digitalSignature
extendedKeyUsage=serverAuth
subjectKeyIdentifier=hash
authorityKeyIdentifier=keyid
EXT
  openssl x509 -req -in "$tmp/pebble.csr" -CA "$tmp/ca.pem" -CAkey "$tmp/ca.key" -set_serial 1 \
    -days 825 -extfile "$tmp/ext.cnf" -out "$tmp/pebble.pem" 2>/dev/null
  mv "$tmp/ca.key" "$state/server-ca.key"
  mv "$tmp/pebble.key" "$state/pebble.key"
  mv "$tmp/pebble.pem" "$state/pebble.pem"
  mv "$tmp/ca.pem" "$state/server-ca.pem"
  rm -rf "$tmp"
  echo "made the CA of pebble's HTTPS listener: $state/server-ca.pem"
}

case "${1:-}" in
  pebble)
    make_listener_cert
    cat > /etc/pebble.json <<JSON
{
  "pebble": {
    "listenAddress": "0.0.0.0:14000",
    "managementListenAddress": "0.0.0.0:15000",
    "certificate": "$state/pebble.pem",
    "privateKey": "$state/pebble.key",
    "httpPort": ${PEBBLE_HTTP_PORT:-80},
    "tlsPort": ${PEBBLE_TLS_PORT:-443},
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false,
    "certificateValidityPeriod": ${PEBBLE_CERT_VALIDITY:-7776000}
  }
}
JSON
    exec pebble -config /etc/pebble.json -dnsserver "${PEBBLE_DNS:-challtest.lab.test:8053}" ;;
  challtestsrv)
    exec pebble-challtestsrv -management :8055 -dns01 :8053 -http01 "" -https01 "" -tlsalpn01 "" \
      -defaultIPv4 "${CHALLTEST_DEFAULT_IPV4:-127.0.0.1}" -defaultIPv6 "" ;;
  *)
    echo "Cannot start the ACME CA: expected 'pebble' or 'challtestsrv', got '${1:-}'" >&2
    exit 2 ;;
esac
