#!/usr/bin/env bash
# AWSSDK.S3 beside FastS3.Upstream (perf/FastS3.UpstreamBench) against the Ceph RGW test bed over HTTPS
# on loopback: 4 KiB GET, PUT and HEAD at CONC concurrent requests for DURATION seconds (after a 2 s
# warm-up), then one LARGE_MIB object PUT and GET, streamed both ways. ROUNDS rounds, the clients'
# order alternating from round to round, a fresh process per run; prints every run, then Markdown
# tables of the medians. The RGW (../shared/peers/rgw) is started if it is not up, and never stopped:
# others use it. The bench works in a bucket ub-<random> that it deletes at the end.
#   perf/upstream-client.sh        ROUNDS=3 DURATION=8 CONC=16 LARGE_MIB=64 AOT=1 perf/upstream-client.sh
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
DURATION=${DURATION:-8}
CONC=${CONC:-16}
LARGE_MIB=${LARGE_MIB:-64}
AOT=${AOT:-0}

rgw=$(../shared/peers/rgw/start.sh)
setting() { sed -n "s/^$1=//p" <<<"$rgw"; }
export S3_ENDPOINT=$(setting RGWPEER_HTTPS_URL) S3_ACCESS_KEY=$(setting RGWPEER_ACCESS_KEY)
export S3_SECRET_KEY=$(setting RGWPEER_SECRET_KEY) S3_CA_FILE=$(setting RGWPEER_CA_BUNDLE)
export S3_BUCKET=ub-$(openssl rand -hex 4)

# Built at low priority: the machine is shared.
if [[ $AOT == 1 ]]; then
  nice -n 10 dotnet publish perf/FastS3.UpstreamBench -c Release -r linux-x64 -o artifacts/upstream-bench-aot -nologo >/dev/null
  bin=artifacts/upstream-bench-aot/FastS3.UpstreamBench
else
  nice -n 10 dotnet build perf/FastS3.UpstreamBench -c Release -nologo >/dev/null
  bin=perf/FastS3.UpstreamBench/bin/Release/net10.0/FastS3.UpstreamBench
fi

results=$(mktemp)
trap 'timeout 120 "$bin" drop || echo "could not delete bucket $S3_BUCKET" >&2; rm -f "$results"' EXIT
timeout 120 "$bin" setup

run() {
  local line
  if line=$(timeout $((DURATION + 180)) "$bin" "$@" | grep '^RESULT'); then
    echo "round=$r $line" | tee -a "$results"
  else
    echo "round=$r failed: $*" >&2
  fi
}

for ((r = 1; r <= ROUNDS; r++)); do
  clients=(sdk own)
  ((r % 2)) || clients=(own sdk)
  for op in get put head; do
    for client in "${clients[@]}"; do run small "$client" "$op" "$DURATION" "$CONC"; done
  done
  for client in "${clients[@]}"; do
    run large "$client" put "$LARGE_MIB"
    run large "$client" get "$LARGE_MIB"
  done
done

python3 - "$results" "$([[ $AOT == 1 ]] && echo "native AOT" || echo JIT)" "$ROUNDS" "$DURATION" "$CONC" "$LARGE_MIB" <<'PY'
import re, statistics, sys
path, build, rounds, duration, conc, mib = sys.argv[1:]
rows = [dict(re.findall(r"(\w+)=(\S+)", line)) for line in open(path)]

def cell(op, key, fmt):
    values = [[float(r[key]) for r in rows if r["op"] == op and r["client"] == c] for c in ("sdk", "own")]
    return " / ".join(format(statistics.median(v), fmt) if v else "-" for v in values)

loads = [float(r["load"]) for r in rows]
print(f"\n{build}, AWSSDK.S3 / FastS3.Upstream, medians of {rounds} rounds; load average {min(loads):.1f}-{max(loads):.1f}; "
      f"errors {sum(int(r.get('errors', 0)) for r in rows)}\n")
print(f"| {build}, {conc} concurrent, {duration} s | req/s | p50 ms | p99 ms | client CPU µs/req | allocated B/req |")
print("|---|---:|---:|---:|---:|---:|")
for op, name in (("get", "GET 4 KiB"), ("put", "PUT 4 KiB"), ("head", "HEAD")):
    print(f"| {name} | {cell(op, 'rps', ',.0f')} | {cell(op, 'p50_ms', '.1f')} | {cell(op, 'p99_ms', '.1f')} "
          f"| {cell(op, 'cpu_us_per_req', '.0f')} | {cell(op, 'alloc_B_per_req', ',.0f')} |")
print(f"\n| {build}, one {mib} MiB object, streamed | MB/s | client CPU s/GiB | allocated MB | peak working set MB |")
print("|---|---:|---:|---:|---:|")
for op, name in (("large-put", "PUT"), ("large-get", "GET")):
    print(f"| {name} | {cell(op, 'MBps', '.0f')} | {cell(op, 'cpu_s_per_GiB', '.2f')} | {cell(op, 'alloc_MB', '.2f')} | {cell(op, 'peak_ws_MB', '.0f')} |")
PY
