#!/bin/bash
# phases.sh [ROUNDS [BIN...]] — memory and CPU of `tramdo run` per phase on loopback (nginx with
# config/nginx-speedtest.conf, as the tests start it), e.g. before/after a change:
#   bench/phases.sh 4 /tmp/old/tramdo build/tramdo       (SECS=6: max_seconds of each phase)
# Run as root it passes --allow-root. Traffic stays on 127.0.0.1.
set -u
cd "$(dirname "$0")/.." || exit 1
TRAMDO_SRCDIR=$PWD
. tests/integration/lib.sh
ROUNDS=${1:-3}
shift
[ $# -gt 0 ] || set -- "$PWD/build/tramdo"
NGINX_GARBAGE_MB=100
PORT=$(free_port)
start_nginx "$PORT" || exit 1
printf '[station]\nid = bench\n[test]\nmax_seconds = %s\n[gps]\nenabled = no\n[storage]\npath = %s/r.db\n' \
    "${SECS:-6}" "$T_TMP" > "$T_TMP/t.ini"
TMPDIR=$T_TMP python3 bench/phases.py "$T_TMP/t.ini" "http://127.0.0.1:$PORT/" "$ROUNDS" "$@"
