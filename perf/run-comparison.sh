#!/usr/bin/env bash
# FastS3 beside its peers on this machine, all over HTTPS on loopback, driven by the same client
# (perf/FastS3.Load) in alternating rounds, then one report with charts in $OUT:
#   fasts3   the native AOT binary (Buffered writes: fdatasync before every 200)
#   rgw      Ceph RGW 16.2 from ../shared/peers/rgw (memstore), SSE-C
#   kestrel  a minimal Kestrel app answering every GET with a static 4 KiB body (perf/KestrelHello)
#   nginx    Debian nginx serving a static large file: the ceiling for large HTTPS downloads
# Scenarios: 4 KiB SSE-C GET and PUT at $SMALL_CONNECTIONS connections; $LARGE SSE-C PUT and GET on
# one connection. Installs radosgw/ceph and nginx with apt when missing (needs root).
#   perf/run-comparison.sh        ROUNDS=3 DURATION=10s SMALL_CONNECTIONS=32 LARGE=256MiB OUT=perf/results/comparison perf/run-comparison.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-10s}
SMALL_CONNECTIONS=${SMALL_CONNECTIONS:-32}
LARGE=${LARGE:-256MiB}
OUT=${OUT:-perf/results/comparison}
RGW=../shared/peers/rgw
KESTREL_PORT=${KESTREL_PORT:-18545}
NGINX_PORT=${NGINX_PORT:-18643}

if ! command -v radosgw >/dev/null || ! command -v nginx >/dev/null; then
  DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends radosgw ceph-mon ceph-osd ceph-common nginx >/dev/null
fi

source perf/lib/aot-server.sh
trap 'kill "$pid" "${kestrel:-}" "${nginx:-}" 2>/dev/null || true; wait 2>/dev/null || true; "$RGW/stop.sh" >/dev/null 2>&1 || true; rm -rf "$work"' EXIT

dotnet build perf/FastS3.Load -c Release -nologo -v q >/dev/null
dotnet build perf/KestrelHello -c Release -nologo -v q >/dev/null
L=perf/FastS3.Load/bin/Release/net10.0/fasts3-load

# One throwaway certificate for the two static servers.
"$BIN" certgen --host localhost,127.0.0.1 --out "$work/static-certs" >/dev/null
cert=$work/static-certs/public.crt key=$work/static-certs/private.key

HELLO_BODY_BYTES=4096 perf/KestrelHello/bin/Release/net10.0/KestrelHello --http $((KESTREL_PORT - 1)) --https "$KESTREL_PORT" \
  --cert "$cert" --key "$key" >"$work/kestrel.log" 2>&1 &
kestrel=$!

mkdir -p "$work/nginx/www" "$work/nginx/logs"
head -c "$(numfmt --from=iec-i "${LARGE%B}")" /dev/urandom > "$work/nginx/www/large.bin"
# Workers run as this user: the files live in a private temp dir.
cat > "$work/nginx/nginx.conf" <<CONF
user $(id -un);
worker_processes auto;
error_log $work/nginx/logs/error.log warn;
pid $work/nginx/nginx.pid;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  server {
    listen 127.0.0.1:$NGINX_PORT ssl;
    ssl_certificate $cert;
    ssl_certificate_key $key;
    root $work/nginx/www;
  }
}
CONF
nginx -p "$work/nginx" -c "$work/nginx/nginx.conf" -g 'daemon off;' &
nginx=$!

"$RGW/start.sh" >"$work/rgw.log" 2>&1
fasts3=(--target "fasts3=$url,perfuser,perf-secret-key")
rgw=(--target "rgw=https://127.0.0.1:7443,RGWPEERACCESSKEY0001,rgwpeerSecretKey0000000000000000000000001")
sleep 1

$L compare "${fasts3[@]}" "${rgw[@]}" --target "kestrel=static:https://127.0.0.1:$KESTREL_PORT/" --insecure --create-bucket --sse-c \
  --scenario get,put --size 4KiB --connections "$SMALL_CONNECTIONS" --rounds "$ROUNDS" --duration "$DURATION" --json "$work/small.json"
$L compare "${fasts3[@]}" "${rgw[@]}" --target "nginx=static:https://127.0.0.1:$NGINX_PORT/large.bin" --insecure --create-bucket --sse-c \
  --scenario put,get --size "$LARGE" --connections 1 --objects 1 --rounds "$ROUNDS" --duration 60s --requests 3 --json "$work/large.json"

mkdir -p "$OUT"
cp "$work/small.json" "$work/large.json" "$OUT/"
$L report "$OUT/small.json" "$OUT/large.json" --out "$OUT"
echo "report: $OUT/report.md"
