#!/usr/bin/env bash
# Builds the harness, instruments FastS3.Http and fasts3 for AFL, and fuzzes one target.
#   tests/fuzz/run.sh TARGET [EXECS] [SECONDS]
# EXECS (default 1000000) stops afl-fuzz after that many executions, SECONDS (default 1800) after that
# long, whichever comes first. Set FUZZ_REUSE_BUILD=1 to skip the build when nothing changed.
# Everything goes under artifacts/fuzz/: bin/ (instrumented build), in/TARGET (starting inputs),
# findings/TARGET (afl-fuzz output: queue/, crashes/, hangs/, fuzzer_stats).
set -euo pipefail

target=${1:?usage: run.sh TARGET [EXECS] [SECONDS]}
execs=${2:-1000000}
seconds=${3:-1800}
here=$(cd "$(dirname "$0")" && pwd)
export PATH="$PATH:$HOME/.dotnet/tools"
root=$(cd "$here/../.." && pwd)
out=$root/artifacts/fuzz
bin=$out/bin

if [[ ${FUZZ_REUSE_BUILD:-0} != 1 || ! -f $bin/.instrumented ]]; then
  rm -rf "$bin"
  dotnet build "$here/FastS3.Fuzz" -c Release -o "$bin" -nologo -v quiet
  # Only the code under test is instrumented: the harness and the runtime stay as they are.
  sharpfuzz "$bin/FastS3.Http.dll"
  sharpfuzz "$bin/fasts3.dll"
  touch "$bin/.instrumented"
fi

# Starting inputs: the committed corpus plus freshly generated seeds.
rm -rf "$out/seeds" "$out/in/$target"
dotnet "$bin/FastS3.Fuzz.dll" seed "$out/seeds"
mkdir -p "$out/in/$target"
cp -r "$out/seeds/$target/." "$out/in/$target/"
if [[ -d $here/corpus/$target ]]; then
  cp -r "$here/corpus/$target/." "$out/in/$target/"
fi

dict=()
if [[ -f $here/dict/$target.dict ]]; then
  dict=(-x "$here/dict/$target.dict")
fi

rm -rf "$out/findings/$target"
mkdir -p "$out/findings"
# The harness is the fork server itself (SharpFuzz's in-process loop): no binary check, no memory
# limit for the .NET runtime, no CPU pinning on a shared machine.
export AFL_SKIP_BIN_CHECK=1 AFL_NO_AFFINITY=1 AFL_SKIP_CPUFREQ=1 AFL_NO_UI=1 \
  AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES=1 AFL_FORKSRV_INIT_TMOUT=30000
timeout --signal=INT "$((seconds + 60))" \
  afl-fuzz -i "$out/in/$target" -o "$out/findings/$target" -E "$execs" -V "$seconds" -t 2000 -m none "${dict[@]}" \
  -- "$bin/FastS3.Fuzz" "$target" || true

stats=$out/findings/$target/default/fuzzer_stats
grep -E '^(run_time|execs_done|execs_per_sec|corpus_count|saved_crashes|saved_hangs|stability) ' "$stats"
