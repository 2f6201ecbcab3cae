#!/usr/bin/env bash
# This tree's benchmarks against another commit's, in one process (perf/FastS3.SideBySide), twice:
# once with each build loaded first, since the first-loaded build can come out a few percent ahead.
#   perf/side-by-side.sh REF [TYPE] [METHODS] [--param NAME=VALUE ...]
#   perf/side-by-side.sh 29b2f47 SmallGetPipelineBenchmarks GetObject4KiB,GetObject4KiB_SseC
# Environment: ROUNDS (60), BATCH (3000).
set -euo pipefail
cd "$(dirname "$0")/.."
REF=${1:?a commit to compare with}
TYPE=${2:-SmallGetPipelineBenchmarks}
METHODS=${3:-GetObject4KiB,GetObject4KiB_SseC,GetObject4KiB_ResponseOverrides}
shift $(( $# < 3 ? $# : 3 ))
extra=("$@")
old=$(mktemp -d)
trap 'git worktree remove --force "$old" >/dev/null 2>&1 || rm -rf "$old"' EXIT
git worktree add --detach "$old" "$REF" >/dev/null
dotnet build "$old/perf/FastS3.Benchmarks" -c Release -nologo -v q >/dev/null
dotnet build perf/FastS3.Benchmarks -c Release -nologo -v q >/dev/null
dotnet build perf/FastS3.SideBySide -c Release -nologo -v q >/dev/null
S=perf/FastS3.SideBySide/bin/Release/net10.0/fasts3-side-by-side
B=perf/FastS3.Benchmarks/bin/Release/net10.0
for order in "old=$old/$B new=$B" "new=$B old=$old/$B"; do
  read -r first second <<<"$order"
  "$S" --build "$first" --build "$second" --type "$TYPE" --methods "$METHODS" --rounds "${ROUNDS:-60}" --batch "${BATCH:-3000}" "${extra[@]}"
done
