#!/bin/sh
# Refresh the CRLs of the CNS issuers that nginx checks (ssl_crl). nginx refuses every card of an
# issuer whose CRL has expired, so run this more often than the issuers publish, e.g. from cron:
#   */30 * * * * cd /srv/aminder && deploy/refresh-cns-crl.sh deploy/tls && docker-compose exec -T nginx nginx -s reload
# Reads the CRL addresses (the CRL distribution points of the CAs in cns-ca.pem), one per line, from
# <tls dir>/cns-crl-urls.txt; accepts DER or PEM; checks each CRL's signature against cns-ca.pem; and
# replaces <tls dir>/cns-crl.pem only if every one of them was fetched and verified.
set -eu
TLS_DIR=${1:-deploy/tls}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
n=0
grep -v '^[[:space:]]*\(#\|$\)' "$TLS_DIR/cns-crl-urls.txt" | while read -r url; do
    n=$((n + 1))
    curl -fsS --max-time 60 -o "$work/$n.crl" "$url"
    openssl crl -in "$work/$n.crl" -inform DER -out "$work/$n.pem" 2>/dev/null \
        || openssl crl -in "$work/$n.crl" -inform PEM -out "$work/$n.pem"
    openssl crl -in "$work/$n.pem" -CAfile "$TLS_DIR/cns-ca.pem" -noout 2>&1 | grep -q 'verify OK' \
        || { echo "CRL non verificata: $url" >&2; exit 1; }
    cat "$work/$n.pem" >> "$work/all.pem"
done
test -s "$work/all.pem" || { echo "Nessuna CRL scaricata" >&2; exit 1; }
chmod 644 "$work/all.pem"
mv "$work/all.pem" "$TLS_DIR/cns-crl.pem.new"
mv "$TLS_DIR/cns-crl.pem.new" "$TLS_DIR/cns-crl.pem"
