#!/bin/sh
# Every container of the image starts here. Prometheus's multiprocess files live in a fresh folder:
# the root filesystem is read-only, /tmp is a tmpfs (compose) or an emptyDir (Kubernetes).
set -eu
if [ -n "${PROMETHEUS_MULTIPROC_DIR:-}" ]; then
    mkdir -p "$PROMETHEUS_MULTIPROC_DIR"
    rm -f "$PROMETHEUS_MULTIPROC_DIR"/*.db
fi
exec "$@"
