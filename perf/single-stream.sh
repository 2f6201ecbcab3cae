#!/usr/bin/env bash
# Single-stream PUT and GET of one large object with curl over HTTPS, through presigned SigV4 URLs,
# against the native AOT binary on loopback. Alternates PUT and GET for ROUNDS rounds and prints
# every run and the medians (MB/s = 10^6 bytes per second, as curl reports).
#   perf/single-stream.sh                 SIZE_MIB=1024 ROUNDS=3 WRITE_MODE=Buffered perf/single-stream.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source perf/lib/aot-server.sh

presign() {
  python3 - "$url" "$1" <<'PY'
import sys, warnings, boto3, botocore
warnings.filterwarnings("ignore")
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="perfuser", aws_secret_access_key="perf-secret-key",
                  region_name="us-east-1", verify=False, config=botocore.config.Config(signature_version="s3v4"))
if sys.argv[2] == "create":
    s3.create_bucket(Bucket="perf")
else:
    print(s3.generate_presigned_url(sys.argv[2], Params={"Bucket": "perf", "Key": "big"}, ExpiresIn=3600))
PY
}

presign create
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/source"
put_url=$(presign put_object)
get_url=$(presign get_object)
puts=() gets=()
for ((r = 1; r <= ROUNDS; r++)); do
  put=$(curl -sk --fail -T "$work/source" -o /dev/null -w '%{speed_upload}' "$put_url")
  get=$(curl -sk --fail -o /dev/null -w '%{speed_download}' "$get_url")
  puts+=("$(awk -v b="$put" 'BEGIN { printf "%.0f", b / 1e6 }')")
  gets+=("$(awk -v b="$get" 'BEGIN { printf "%.0f", b / 1e6 }')")
  echo "round $r: PUT ${puts[-1]} MB/s, GET ${gets[-1]} MB/s"
done
echo "${SIZE_MIB} MiB over HTTPS (curl, presigned), $WRITE_MODE writes, $(nproc) cores: PUT median $(median "${puts[@]}") MB/s [${puts[*]}], GET median $(median "${gets[@]}") MB/s [${gets[*]}]"
