#!/usr/bin/env bash
# `aws s3 cp` of one large file up and down (multipart: 8 MiB parts, 10 threads, aws-cli defaults)
# with and without SSE-C, against the native AOT binary over HTTPS on loopback. Alternates the four
# transfers for ROUNDS rounds, checks every download with cmp, and prints every run and the medians
# (MB/s = 10^6 bytes per second of wall time around the aws process).
#   perf/aws-cp.sh                        SIZE_MIB=1024 ROUNDS=3 WRITE_MODE=Buffered perf/aws-cp.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source perf/lib/aot-server.sh

export AWS_ACCESS_KEY_ID=perfuser AWS_SECRET_ACCESS_KEY=perf-secret-key AWS_DEFAULT_REGION=us-east-1
export AWS_CONFIG_FILE=/dev/null AWS_SHARED_CREDENTIALS_FILE=/dev/null PYTHONWARNINGS=ignore
s3() { aws --no-verify-ssl --only-show-errors --endpoint-url "$url" s3 "$@"; }
aws --no-verify-ssl --endpoint-url "$url" s3api create-bucket --bucket perf >/dev/null
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/source"
head -c 32 /dev/urandom > "$work/key"
ssec=(--sse-c AES256 --sse-c-key "fileb://$work/key")

# Runs the transfer given, prints MB/s.
timed() {
  local start end
  start=$(date +%s.%N)
  "$@"
  end=$(date +%s.%N)
  awk -v s="$start" -v e="$end" -v b=$((SIZE_MIB * 1024 * 1024)) 'BEGIN { printf "%.0f", b / (e - s) / 1e6 }'
}

up=() down=() upc=() downc=()
for ((r = 1; r <= ROUNDS; r++)); do
  up+=("$(timed s3 cp "$work/source" s3://perf/plain)")
  down+=("$(timed s3 cp s3://perf/plain "$work/plain.out")")
  cmp "$work/source" "$work/plain.out"
  upc+=("$(timed s3 cp "${ssec[@]}" "$work/source" s3://perf/ssec)")
  downc+=("$(timed s3 cp "${ssec[@]}" s3://perf/ssec "$work/ssec.out")")
  cmp "$work/source" "$work/ssec.out"
  rm -f "$work/plain.out" "$work/ssec.out"
  echo "round $r: plain up ${up[-1]} down ${down[-1]} MB/s; SSE-C up ${upc[-1]} down ${downc[-1]} MB/s"
done
echo "${SIZE_MIB} MiB aws s3 cp over HTTPS, $WRITE_MODE writes, $(nproc) cores, medians:" \
  "plain up $(median "${up[@]}") [${up[*]}] down $(median "${down[@]}") [${down[*]}];" \
  "SSE-C up $(median "${upc[@]}") [${upc[*]}] down $(median "${downc[@]}") [${downc[*]}] MB/s"
