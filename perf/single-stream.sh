#!/usr/bin/env bash
# Single-stream PUT and GET of one large object with curl over HTTPS, through presigned SigV4 URLs,
# against the native AOT binary on loopback. Alternates PUT and GET for ROUNDS rounds and prints
# every run and the medians (MB/s = 10^6 bytes per second, as curl reports). SSE_C=1 sends the
# SSE-C triple (signed into the presigned URLs), so the object is encrypted on PUT and decrypted on GET.
#   perf/single-stream.sh                 SIZE_MIB=1024 ROUNDS=3 WRITE_MODE=Buffered SSE_C=1 perf/single-stream.sh
set -euo pipefail
cd "$(dirname "$0")/.."
source perf/lib/aot-server.sh

SSE_C=${SSE_C:-0}
key=$(head -c 32 /dev/urandom | base64)
sse=()
if [[ $SSE_C == 1 ]]; then
  sse=(-H "x-amz-server-side-encryption-customer-algorithm: AES256" -H "x-amz-server-side-encryption-customer-key: $key"
       -H "x-amz-server-side-encryption-customer-key-MD5: $(printf %s "$key" | base64 -d | openssl md5 -binary | base64)")
fi

presign() {
  python3 - "$url" "$1" "$SSE_C" "$key" <<'PY'
import sys, base64, warnings, boto3, botocore
warnings.filterwarnings("ignore")
s3 = boto3.client("s3", endpoint_url=sys.argv[1], aws_access_key_id="perfuser", aws_secret_access_key="perf-secret-key",
                  region_name="us-east-1", verify=False, config=botocore.config.Config(signature_version="s3v4"))
params = {"Bucket": "perf", "Key": "big"}
if sys.argv[3] == "1":
    params.update(SSECustomerAlgorithm="AES256", SSECustomerKey=base64.b64decode(sys.argv[4]))
if sys.argv[2] == "create":
    s3.create_bucket(Bucket="perf")
else:
    print(s3.generate_presigned_url(sys.argv[2], Params=params, ExpiresIn=3600))
PY
}

presign create
head -c $((SIZE_MIB * 1024 * 1024)) /dev/urandom > "$work/source"
put_url=$(presign put_object)
get_url=$(presign get_object)
puts=() gets=()
for ((r = 1; r <= ROUNDS; r++)); do
  put=$(curl -sk --fail "${sse[@]}" -T "$work/source" -o /dev/null -w '%{speed_upload}' "$put_url")
  get=$(curl -sk --fail "${sse[@]}" -o /dev/null -w '%{speed_download}' "$get_url")
  puts+=("$(awk -v b="$put" 'BEGIN { printf "%.0f", b / 1e6 }')")
  gets+=("$(awk -v b="$get" 'BEGIN { printf "%.0f", b / 1e6 }')")
  echo "round $r: PUT ${puts[-1]} MB/s, GET ${gets[-1]} MB/s"
done
echo "${SIZE_MIB} MiB over HTTPS (curl, presigned$([[ $SSE_C == 1 ]] && echo ", SSE-C")), $WRITE_MODE writes, $(nproc) cores: PUT median $(median "${puts[@]}") MB/s [${puts[*]}], GET median $(median "${gets[@]}") MB/s [${gets[*]}]"
