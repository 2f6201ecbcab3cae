#!/usr/bin/env bash
# Native AOT start-up: time from exec to the "listening" log line, and to the first answered HTTPS
# request, over RUNS starts (median and range). Publishes the binary first if it is missing.
#   perf/startup.sh            RUNS=30 BIN=path/to/fasts3 perf/startup.sh
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
BIN=${BIN:-artifacts/aot/fasts3}
[[ -x $BIN ]] || dotnet publish src/FastS3 -c Release -r linux-x64 -o artifacts/aot -nologo >/dev/null

work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
"$BIN" certgen --out "$work/certs" >/dev/null

listening=() answered=()
for ((i = 0; i < RUNS; i++)); do
  log="$work/log.$i"
  t0=$(date +%s%N)
  FASTS3_ROOT_USER=perfuser FASTS3_ROOT_PASSWORD=perf-secret "$BIN" server "$work/data" --address 127.0.0.1:0 --certs-dir "$work/certs" 2>"$log" &
  pid=$!
  for ((w = 0; w < 5000; w++)); do grep -q 'listening on' "$log" && break; sleep 0.001; done
  t1=$(date +%s%N)
  url=$(grep -o 'https://[0-9.:]*' "$log" | head -1)
  until curl -sk -o /dev/null "$url/"; do :; done
  t2=$(date +%s%N)
  kill -TERM "$pid"; wait "$pid" || true
  listening+=($(((t1 - t0) / 1000)))
  answered+=($(((t2 - t0) / 1000)))
done

stats() { sort -n | awk '{ v[NR] = $1 } END { printf "median %.1f ms (min %.1f, max %.1f, n=%d)\n", v[int((NR + 1) / 2)] / 1000, v[1] / 1000, v[NR] / 1000, NR }'; }
echo "binary: $BIN, $(stat -c %s "$BIN") bytes"
echo -n "exec -> listening:           "; printf '%s\n' "${listening[@]}" | stats
echo -n "exec -> first HTTPS answer:  "; printf '%s\n' "${answered[@]}" | stats
