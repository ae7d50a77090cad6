# tests/http/lib.sh — the loopback HTTP server (tests/http/server.py) for shell tests.
#
#   . "$ROOT/tests/http/lib.sh"
#   http_start "$ROOT/tests/http/scenarios/x.json" || exit 1    # extra args go to server.py
#   "$CRMERGE" run -c "$tmpdir/web.json"       # a config whose URLs use $HTTP_BASE
#   check_eq "two pages" "$(http_requests /v1/persons)" 2
#   http_stop                                   # also done on exit
#
# http_start SCENARIO [SERVER ARGS...]: starts the server in the background, waits up to
#   10 s for its port file and exports HTTP_BASE (http://127.0.0.1:PORT), HTTP_PORT,
#   HTTP_LOG (its request log, one JSON line per request) and HTTP_PID. Returns 1 (with
#   the server's stderr on ours) if it does not listen. One server at a time: a second
#   http_start stops the first. Files go under $tmpdir/http (tests/e2e/lib.sh's tmpdir)
#   or a fresh temporary directory.
# http_stop: stops it (idempotent). http_start chains it in front of the EXIT trap in
#   force, so a failing script never leaves the server behind (the server also exits
#   by itself after --idle-exit seconds, 60 by default).
# http_requests [PATH]: how many requests the log holds (to PATH only, when given).

http__root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
HTTP_PID=
http__dir=
http__trapped=
http__prev_exit=

http_stop() {
    if [ -n "${HTTP_PID:-}" ]; then
        kill "$HTTP_PID" 2>/dev/null
        wait "$HTTP_PID" 2>/dev/null
        HTTP_PID=
    fi
    if [ -n "$http__dir" ] && [ "${E2E_KEEP:-0}" != 1 ]; then
        rm -rf "$http__dir"
    fi
    http__dir=
}

http__on_exit() {
    local rc=$?
    http_stop
    (exit "$rc")
    eval "$http__prev_exit"
}

http_start() {
    local scenario=$1 i
    shift
    [ -r "$scenario" ] || { echo "http_start: $scenario: not readable" >&2; return 1; }
    http_stop
    if [ -n "${tmpdir:-}" ] && [ -d "$tmpdir" ]; then
        http__dir=$tmpdir/http
        rm -rf "$http__dir"
        mkdir -p "$http__dir" || return 1
    else
        http__dir=$(mktemp -d "${TMPDIR:-/tmp}/crmerge-http.XXXXXX") || return 1
    fi
    if [ -z "$http__trapped" ]; then
        local prev
        prev=$(trap -p EXIT)
        if [ -n "$prev" ]; then
            eval "set -- $prev \"\$@\""        # trap -- 'COMMAND' EXIT ARGS...
            http__prev_exit=$3
            shift 4
        fi
        trap http__on_exit EXIT
        http__trapped=1
    fi
    HTTP_LOG=$http__dir/requests.log
    python3 "$http__root/tests/http/server.py" --scenario "$scenario" \
        --port-file "$http__dir/port" --log "$HTTP_LOG" "$@" \
        </dev/null 2>"$http__dir/server.err" &
    HTTP_PID=$!
    for i in $(seq 1 100); do
        if [ -s "$http__dir/port" ]; then
            HTTP_PORT=$(cat "$http__dir/port")
            HTTP_BASE=http://127.0.0.1:$HTTP_PORT
            export HTTP_BASE HTTP_PORT HTTP_LOG HTTP_PID
            return 0
        fi
        kill -0 "$HTTP_PID" 2>/dev/null || break
        sleep 0.1
    done
    echo "http_start: the server did not listen within 10 s ($scenario)" >&2
    sed 's/^/  server: /' "$http__dir/server.err" >&2
    http_stop
    return 1
}

http_requests() {
    python3 - "$HTTP_LOG" "${1:-}" <<'PY'
import json, sys
log, path = sys.argv[1], sys.argv[2]
n = 0
with open(log, encoding="utf-8") as f:
    for line in f:
        if not path or json.loads(line).get("path") == path:
            n += 1
print(n)
PY
}
