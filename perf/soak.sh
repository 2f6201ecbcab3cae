#!/usr/bin/env bash
# The long load run of issue 7: $CONNECTIONS keep-alive HTTPS connections of mixed SSE-C traffic
# (70 % GET / 30 % PUT of $SIZE objects) against the native AOT binary for $DURATION, with the
# server's RSS sampled every $EVERY seconds. Writes $OUT (Markdown: the load result and the RSS series).
#   perf/soak.sh                     DURATION=5m CONNECTIONS=512 SIZE=4KiB EVERY=5 OUT=perf/results/soak.md
set -euo pipefail
cd "$(dirname "$0")/.."
DURATION=${DURATION:-5m}
CONNECTIONS=${CONNECTIONS:-512}
SIZE=${SIZE:-4KiB}
EVERY=${EVERY:-5}
OUT=${OUT:-perf/results/soak.md}

source perf/lib/aot-server.sh
dotnet build perf/FastS3.Load -c Release -nologo -v q >/dev/null
L=perf/FastS3.Load/bin/Release/net10.0/fasts3-load

start=$(date +%s)
(
  while kill -0 "$pid" 2>/dev/null; do
    printf '%s %s\n' $(($(date +%s) - start)) "$(awk '/^VmRSS/ { print $2 }' "/proc/$pid/status")"
    sleep "$EVERY"
  done
) >"$work/rss.txt" &
sampler=$!

$L run --target "fasts3=$url,perfuser,perf-secret-key" --insecure --create-bucket --sse-c --scenario mixed \
  --size "$SIZE" --connections "$CONNECTIONS" --duration "$DURATION" --json "$work/soak.json" | grep -v '^\[.*\] *[0-9.]*s ' || true
kill "$sampler" 2>/dev/null || true

mkdir -p "$(dirname "$OUT")"
{
  echo "# Soak: $CONNECTIONS connections, mixed 70/30 SSE-C $SIZE, $DURATION"
  echo
  echo "- Date: $(date -u '+%Y-%m-%d %H:%M UTC'); $(nproc) cores; native AOT server, HTTPS on loopback, load tool on the same cores"
  echo "- Command: \`DURATION=$DURATION CONNECTIONS=$CONNECTIONS SIZE=$SIZE perf/soak.sh\`"
  echo
  python3 - "$work/soak.json" "$work/rss.txt" <<'PY'
import json, sys
r = json.load(open(sys.argv[1]))["results"][0]
print(f"| requests | req/s | p50 ms | p99 ms | p99.9 ms | max ms | errors |")
print(f"|---:|---:|---:|---:|---:|---:|---:|")
print(f"| {r['requests']} | {r['requestsPerSecond']:.0f} | {r['p50Ms']} | {r['p99Ms']} | {r['p999Ms']} | {r['maxMs']} | {r['errors']} {r['errorsByStatus'] or ''} |")
rss = [tuple(map(int, l.split())) for l in open(sys.argv[2]) if len(l.split()) == 2]
print()
print("Server RSS over the run (MiB):")
print()
print("| t (s) | " + " | ".join(str(t) for t, _ in rss[::max(1, len(rss) // 20)]) + " |")
print("|---|" + "---:|" * len(rss[::max(1, len(rss) // 20)]))
print("| RSS | " + " | ".join(str(k // 1024) for _, k in rss[::max(1, len(rss) // 20)]) + " |")
third = len(rss) // 3
if third:
    mids = max(k for _, k in rss[third:2 * third]) // 1024
    last = max(k for _, k in rss[2 * third:]) // 1024
    print(f"\nPeak RSS: first third {max(k for _, k in rss[:third]) // 1024} MiB, middle third {mids} MiB, last third {last} MiB.")
PY
} >"$OUT"
cat "$OUT"
