# Sourced by the perf scripts: builds the native AOT binary if missing and starts it on a free
# loopback port over HTTPS in a fresh temp dir ($work), with credentials perfuser / perf-secret-key.
# Sets $work, $pid and $url; the EXIT trap stops the server and removes $work.
SIZE_MIB=${SIZE_MIB:-1024}
ROUNDS=${ROUNDS:-3}
WRITE_MODE=${WRITE_MODE:-Buffered}
BIN=${BIN:-artifacts/aot/fasts3}
# The default binary is rebuilt whenever a source file is newer, so a measurement never runs stale code.
if [[ $BIN == artifacts/aot/fasts3 ]] && { [[ ! -x $BIN ]] || [[ -n $(find src -name '*.cs' -newer "$BIN" -print -quit) ]]; }; then
  dotnet publish src/FastS3 -c Release -r linux-x64 -o artifacts/aot -nologo >/dev/null
fi

work=$(mktemp -d)
trap 'kill "${pid:-}" 2>/dev/null || true; wait "${pid:-}" 2>/dev/null || true; rm -rf "$work"' EXIT
export FASTS3_ROOT_USER=perfuser FASTS3_ROOT_PASSWORD=perf-secret-key
"$BIN" server "$work/data" --address 127.0.0.1:0 --certs-dir "$work/certs" --write-mode "$WRITE_MODE" 2>"$work/log" &
pid=$!
for ((i = 0; i < 300; i++)); do grep -q 'listening on' "$work/log" && break; sleep 0.1; done
url=$(grep -o 'https://[0-9.:]*' "$work/log" | head -1)

median() { printf '%s\n' "$@" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }'; }
