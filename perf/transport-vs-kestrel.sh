#!/usr/bin/env bash
# FastS3.Http vs Kestrel on a 5-byte "hello", HTTP/1.1 over plain TCP and TLS, on 127.0.0.1.
#
# Builds perf/FastS3.Http.Hello and perf/KestrelHello in Release, makes a throwaway EC P-256
# certificate, starts both servers and runs `wrk -t1 -c32 -d10s` in alternating rounds:
#   FastS3 HTTP, Kestrel HTTP, FastS3 HTTPS, Kestrel HTTPS
# after one warm-up run per (server, scheme). Prints every run, the median per (server, scheme)
# and the FastS3/Kestrel ratio per scheme, and writes the same summary to $OUT.
#
# Environment (all optional):
#   ROUNDS=5  DURATION=10  WARMUP=3  THREADS=1  CONNECTIONS=32   (durations in seconds)
#   OUT=perf/results/transport-vs-kestrel.md
#   FASTS3_HTTP_PORT=18080 FASTS3_HTTPS_PORT=18443 KESTREL_HTTP_PORT=18081 KESTREL_HTTPS_PORT=18444
#   SKIP_BUILD=1   reuse the existing Release builds
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
ROUNDS="${ROUNDS:-5}"
DURATION="${DURATION:-10}"
WARMUP="${WARMUP:-3}"
THREADS="${THREADS:-1}"
CONNECTIONS="${CONNECTIONS:-32}"
OUT="${OUT:-$ROOT/perf/results/transport-vs-kestrel.md}"
FASTS3_HTTP_PORT="${FASTS3_HTTP_PORT:-18080}"
FASTS3_HTTPS_PORT="${FASTS3_HTTPS_PORT:-18443}"
KESTREL_HTTP_PORT="${KESTREL_HTTP_PORT:-18081}"
KESTREL_HTTPS_PORT="${KESTREL_HTTPS_PORT:-18444}"

for tool in dotnet wrk openssl curl timeout awk; do
    command -v "$tool" >/dev/null || { echo "error: $tool not found" >&2; exit 1; }
done
[[ "$ROUNDS" =~ ^[1-9][0-9]*$ && "$DURATION" =~ ^[1-9][0-9]*$ && "$WARMUP" =~ ^[1-9][0-9]*$ ]] \
    || { echo "error: ROUNDS, DURATION and WARMUP must be positive integers" >&2; exit 1; }

WORK="$(mktemp -d "${TMPDIR:-/tmp}/transport-vs-kestrel.XXXXXX")"
FASTS3_PID=""
KESTREL_PID=""

stop_server() {
    local pid="$1"
    [[ -n "$pid" ]] || return 0
    kill -0 "$pid" 2>/dev/null || return 0
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    echo "warning: pid $pid ignored SIGTERM for 5 s; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
    local status=$?
    stop_server "$FASTS3_PID"
    stop_server "$KESTREL_PID"
    wait 2>/dev/null || true
    if [[ $status -ne 0 ]]; then
        echo "failed (exit $status); server logs:" >&2
        for log in "$WORK"/*.log; do
            [[ -f "$log" ]] && { echo "--- $log" >&2; tail -n 30 "$log" >&2; }
        done
    fi
    rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

build() {
    local project="$1" attempt
    for attempt in 1 2 3; do
        # A concurrent build of the shared projects can hold a file lock: retry.
        if timeout 600 dotnet build -c Release --nologo -v q "$ROOT/$project" >"$WORK/build.log" 2>&1; then
            return 0
        fi
        log "build of $project failed (attempt $attempt)"
        tail -n 20 "$WORK/build.log" >&2
        sleep 5
    done
    return 1
}

port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

wait_ready() {
    local name="$1" pid="$2" url="$3" body
    for _ in $(seq 150); do
        kill -0 "$pid" 2>/dev/null || { echo "error: $name exited during startup" >&2; return 1; }
        body="$(curl -sk --max-time 1 "$url" 2>/dev/null || true)"
        [[ "$body" == "hello" ]] && return 0
        sleep 0.2
    done
    echo "error: $name did not answer $url within 30 s" >&2
    return 1
}

# CPU seconds (user + system) used so far by a process.
cpu_seconds() {
    awk -v hz="$(getconf CLK_TCK)" '{ sub(/^.*\) /, ""); printf "%.2f", ($12 + $13) / hz }' "/proc/$1/stat"
}

if [[ "${SKIP_BUILD:-0}" != 1 ]]; then
    log "building perf/FastS3.Http.Hello and perf/KestrelHello (Release)"
    build perf/FastS3.Http.Hello
    build perf/KestrelHello
fi
FASTS3_BIN="$ROOT/perf/FastS3.Http.Hello/bin/Release/net10.0/FastS3.Http.Hello"
KESTREL_BIN="$ROOT/perf/KestrelHello/bin/Release/net10.0/KestrelHello"
[[ -x "$FASTS3_BIN" && -x "$KESTREL_BIN" ]] || { echo "error: server binaries missing" >&2; exit 1; }

for port in "$FASTS3_HTTP_PORT" "$FASTS3_HTTPS_PORT" "$KESTREL_HTTP_PORT" "$KESTREL_HTTPS_PORT"; do
    if port_busy "$port"; then echo "error: 127.0.0.1:$port is already in use" >&2; exit 1; fi
done

log "generating a throwaway EC P-256 certificate in $WORK"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 \
    -subj "/CN=localhost" -addext "subjectAltName=IP:127.0.0.1,DNS:localhost" \
    -keyout "$WORK/key.pem" -out "$WORK/cert.pem" >"$WORK/openssl.log" 2>&1

"$FASTS3_BIN" --http "$FASTS3_HTTP_PORT" --https "$FASTS3_HTTPS_PORT" \
    --cert "$WORK/cert.pem" --key "$WORK/key.pem" >"$WORK/fasts3.log" 2>&1 &
FASTS3_PID=$!
"$KESTREL_BIN" --http "$KESTREL_HTTP_PORT" --https "$KESTREL_HTTPS_PORT" \
    --cert "$WORK/cert.pem" --key "$WORK/key.pem" >"$WORK/kestrel.log" 2>&1 &
KESTREL_PID=$!

wait_ready FastS3 "$FASTS3_PID" "http://127.0.0.1:$FASTS3_HTTP_PORT/"
wait_ready FastS3 "$FASTS3_PID" "https://127.0.0.1:$FASTS3_HTTPS_PORT/"
wait_ready Kestrel "$KESTREL_PID" "http://127.0.0.1:$KESTREL_HTTP_PORT/"
wait_ready Kestrel "$KESTREL_PID" "https://127.0.0.1:$KESTREL_HTTPS_PORT/"
log "servers up: FastS3 pid $FASTS3_PID, Kestrel pid $KESTREL_PID"

url_of() {
    case "$1/$2" in
        FastS3/http) echo "http://127.0.0.1:$FASTS3_HTTP_PORT/" ;;
        FastS3/https) echo "https://127.0.0.1:$FASTS3_HTTPS_PORT/" ;;
        Kestrel/http) echo "http://127.0.0.1:$KESTREL_HTTP_PORT/" ;;
        Kestrel/https) echo "https://127.0.0.1:$KESTREL_HTTPS_PORT/" ;;
    esac
}
pid_of() { if [[ "$1" == FastS3 ]]; then echo "$FASTS3_PID"; else echo "$KESTREL_PID"; fi; }

RESULTS="$WORK/results.tsv"   # round server scheme rps p50 p99 non2xx socket_errors cpu_s cpu_us_per_req load1
: >"$RESULTS"
PROBLEMS="$WORK/problems.txt"
: >"$PROBLEMS"

# run_wrk SERVER SCHEME SECONDS ROUND   (ROUND "warmup" is not recorded)
run_wrk() {
    local server="$1" scheme="$2" seconds="$3" round="$4"
    local url pid out cpu_before cpu_after rps p50 p99 non2xx sockerr cpu requests load
    url="$(url_of "$server" "$scheme")"
    pid="$(pid_of "$server")"
    out="$WORK/wrk-$server-$scheme-$round.txt"
    kill -0 "$pid" 2>/dev/null || { echo "error: $server (pid $pid) is gone before round $round" >&2; exit 1; }
    load="$(cut -d' ' -f1 /proc/loadavg)"
    cpu_before="$(cpu_seconds "$pid")"
    if ! timeout --kill-after=5 $((seconds + 30)) \
        wrk -t"$THREADS" -c"$CONNECTIONS" -d"${seconds}s" --timeout 5s --latency "$url" >"$out" 2>&1; then
        echo "round $round $server $scheme: wrk failed or timed out" >>"$PROBLEMS"
    fi
    kill -0 "$pid" 2>/dev/null || { echo "error: $server (pid $pid) died during round $round" >&2; cat "$out" >&2; exit 1; }
    cpu_after="$(cpu_seconds "$pid")"
    [[ "$round" == warmup ]] && return 0

    rps="$(awk '/^Requests\/sec:/ { printf "%.0f", $2 }' "$out")"
    requests="$(awk '/ requests in / { print $1 }' "$out")"
    p50="$(awk '$1 == "50%" { print $2 }' "$out")"
    p99="$(awk '$1 == "99%" { print $2 }' "$out")"
    non2xx="$(awk '/Non-2xx or 3xx responses:/ { print $NF }' "$out")"
    sockerr="$(awk '/Socket errors:/ { sub(/^ *Socket errors: */, ""); gsub(/, /, ","); gsub(/ /, "="); print }' "$out")"
    [[ -n "$rps" ]] || { rps=0; echo "round $round $server $scheme: no Requests/sec in wrk output" >>"$PROBLEMS"; }
    [[ -n "$non2xx" ]] && echo "round $round $server $scheme: $non2xx non-2xx/3xx responses" >>"$PROBLEMS"
    [[ -n "$sockerr" ]] && echo "round $round $server $scheme: socket errors $sockerr" >>"$PROBLEMS"
    cpu="$(awk -v a="$cpu_before" -v b="$cpu_after" 'BEGIN { printf "%.2f", b - a }')"
    local per_req
    per_req="$(awk -v c="$cpu" -v n="${requests:-0}" 'BEGIN { if (n > 0) printf "%.1f", c * 1e6 / n; else print "-" }')"
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$round" "$server" "$scheme" "$rps" "${p50:--}" "${p99:--}" \
        "${non2xx:-0}" "${sockerr:-none}" "$cpu" "$per_req" "$load" >>"$RESULTS"
    log "round $round  $server $scheme: $rps req/s (server CPU ${cpu}s, ${per_req} us/req, load $load)"
}

log "warm-up: ${WARMUP}s per server and scheme"
for scheme in http https; do
    for server in FastS3 Kestrel; do
        run_wrk "$server" "$scheme" "$WARMUP" warmup
    done
done

for round in $(seq "$ROUNDS"); do
    for scheme in http https; do
        for server in FastS3 Kestrel; do
            run_wrk "$server" "$scheme" "$DURATION" "$round"
        done
    done
done

median() { sort -n | awk '{ v[NR] = $1 } END { if (NR == 0) print 0; else if (NR % 2) print v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }
column_of() { awk -F'\t' -v s="$1" -v m="$2" -v c="$3" '$2 == s && $3 == m { print $c }' "$RESULTS"; }

gc_line() { grep -o '(ServerGC=[^)]*)' "$1" | head -n 1 || true; }

SUMMARY="$WORK/summary.md"
{
    echo "# FastS3.Http vs Kestrel: 5-byte hello, HTTP/1.1"
    echo
    echo "- Date: $(date -u '+%Y-%m-%d %H:%M:%S UTC'); host: $(nproc) cores, load at end $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- JIT, Release; $(wrk --version 2>&1 | head -n 1 | cut -d' ' -f1-2 || true)"
    echo "- Load: \`wrk -t$THREADS -c$CONNECTIONS -d${DURATION}s --latency\`, $ROUNDS alternating rounds (FastS3 HTTP, Kestrel HTTP, FastS3 HTTPS, Kestrel HTTPS), one ${WARMUP}s warm-up per server and scheme first"
    echo "- GC, both apps (ServerGarbageCollection=false, ConcurrentGarbageCollection=false in both csproj): FastS3 $(gc_line "$WORK/fasts3.log"), Kestrel $(gc_line "$WORK/kestrel.log")"
    echo "- Kestrel: CreateSlimBuilder, logging cleared, raw middleware, Protocols=Http1; FastS3: two HttpServer instances (plain, TLS)"
    echo "- TLS: throwaway EC P-256 self-signed certificate, protocol/cipher negotiated by wrk's OpenSSL"
    echo "- server CPU = user+system seconds the server process used during the run (wrk shares the same $(nproc) cores)"
    echo
    echo "## All runs"
    echo
    echo "| round | server | scheme | req/s | p50 | p99 | non-2xx | socket errors | server CPU s | CPU us/req | load1 |"
    echo "|---|---|---|---:|---:|---:|---:|---|---:|---:|---:|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s | %s | %s | %s | %s | %s | %s | %s |\n", $1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11 }' "$RESULTS"
    echo
    echo "## Medians"
    echo
    echo "| scheme | FastS3 req/s | Kestrel req/s | FastS3/Kestrel | FastS3 CPU us/req | Kestrel CPU us/req |"
    echo "|---|---:|---:|---:|---:|---:|"
    for scheme in http https; do
        f="$(column_of FastS3 "$scheme" 4 | median)"
        k="$(column_of Kestrel "$scheme" 4 | median)"
        fc="$(column_of FastS3 "$scheme" 10 | { grep -v '^-$' || true; } | awk '{ printf "%.0f\n", $1 * 10 }' | median | awk '{ printf "%.1f", $1 / 10 }')"
        kc="$(column_of Kestrel "$scheme" 10 | { grep -v '^-$' || true; } | awk '{ printf "%.0f\n", $1 * 10 }' | median | awk '{ printf "%.1f", $1 / 10 }')"
        ratio="$(awk -v f="$f" -v k="$k" 'BEGIN { if (k > 0) printf "%.3f", f / k; else print "n/a" }')"
        echo "| ${scheme^^} | $f | $k | **$ratio** | $fc | $kc |"
    done
    echo
    echo "## Problems"
    echo
    if [[ -s "$PROBLEMS" ]]; then
        sed 's/^/- /' "$PROBLEMS"
    else
        echo "- none: every wrk run reported only 2xx responses and no socket errors"
    fi
} >"$SUMMARY"

# Shut the servers down now, so a crash or a slow stop shows up in the summary.
stop_server "$FASTS3_PID"
stop_server "$KESTREL_PID"
for name in fasts3 kestrel; do
    if grep -qiE 'unhandled|exception|fail' "$WORK/$name.log"; then
        { echo; echo "Server log ($name) mentions failures:"; echo '```'; tail -n 40 "$WORK/$name.log"; echo '```'; } >>"$SUMMARY"
    fi
done

mkdir -p "$(dirname "$OUT")"
cp "$SUMMARY" "$OUT"
cat "$SUMMARY"
log "summary written to $OUT"
