#!/usr/bin/env bash
# run.sh — the operator's entry point to crmerge. `./run.sh help` for the commands.
set -euo pipefail

# The customer-view rows `demo` shows after its run; adjust when the view's columns change.
DEMO_QUERY="SELECT customer_id, display_name, email, phone, company, city
            FROM crm.customer ORDER BY customer_id LIMIT 10"
DEMO_CONFIG=examples/pipeline.json
DEMO_PG_DIR=var/pg          # the demo's private PostgreSQL (tests/pg.sh)
DEMO_PG_PORT=54329

# Debian packages to build, run and test crmerge.
DEPS=(build-essential g++ pkg-config libcurl4-openssl-dev libxml2-dev libjansson-dev libpq-dev
      zlib1g-dev libutf8proc-dev libidn2-dev libphonenumber-dev postgresql python3 valgrind)
# (postgresql brings the server and the client, psql; libphonenumber-dev is C++ and brings
# libprotobuf, ICU, abseil and some Boost headers with it.)

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)

usage() {
    cat <<'EOF'
usage: ./run.sh COMMAND

  deps                 install the missing build/run/test packages (Debian/Ubuntu, apt-get)
  build                deps, then make
  demo                 build, then run crmerge on examples/ into PostgreSQL and show the
                       customer view. With no database configured (neither CRMERGE_DSN nor
                       PGHOST/PGDATABASE set), starts a private PostgreSQL in ./var/pg on
                       port 54329 (stop it: ./run.sh demo-stop)
  demo-stop            stop the demo's private PostgreSQL
  test                 build everything, run unit and end-to-end tests (a private throw-away
                       PostgreSQL); last line "N passed, N failed"; exit 1 on any failure
  nightly -c CONFIG [crmerge options]
                       for cron: `crmerge run -c CONFIG` under a lock (var/nightly.lock),
                       output to var/log/nightly-YYYYMMDD-HHMMSS.log; prints the log path;
                       exits with crmerge's exit code (7 also when another nightly runs;
                       see `crmerge run --help` for the codes). Database from the
                       environment: CRMERGE_DSN or PGHOST, PGPORT, PGUSER, PGDATABASE, ...
                       Logs older than NIGHTLY_KEEP_DAYS (default 30) are removed.
  help                 this text
EOF
}

die() { echo "run.sh: $*" >&2; exit 1; }

# ---- deps ----------------------------------------------------------------------------
missing_deps() {
    local p
    for p in "${DEPS[@]}"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
            echo "$p"
        fi
    done
}

cmd_deps() {
    command -v dpkg-query >/dev/null || die "not a Debian-like system: install by hand: ${DEPS[*]}"
    local missing
    missing=$(missing_deps | tr '\n' ' ')
    missing=${missing% }
    if [ -z "$missing" ]; then
        echo "deps: all installed"
        return 0
    fi
    echo "deps: missing: $missing"
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null; then
            sudo=(sudo)
        else
            die "not root and no sudo: as root, run: apt-get update && apt-get install -y $missing"
        fi
    fi
    export DEBIAN_FRONTEND=noninteractive
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update \
        || die "apt-get update failed"
    # shellcheck disable=SC2086  # word splitting of the package list is intended
    "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        $missing || die "apt-get install failed: $missing"
    missing=$(missing_deps | tr '\n' ' ')
    [ -z "$missing" ] || die "still missing after apt-get: $missing"
    echo "deps: installed"
}

# ---- build ---------------------------------------------------------------------------
njobs() { nproc 2>/dev/null || echo 2; }

build() {
    if ! make -C "$ROOT" -j"$(njobs)" "$@"; then
        echo >&2
        die "build failed (make $*); the compiler's errors are above"
    fi
}

# ---- demo ----------------------------------------------------------------------------
cmd_demo() {
    cmd_deps
    build all
    cd "$ROOT"
    if [ -z "${CRMERGE_DSN:-}" ] && [ -z "${PGHOST:-}" ] && [ -z "${PGDATABASE:-}" ]; then
        . tests/pg.sh
        echo "demo: private PostgreSQL in $DEMO_PG_DIR, port $DEMO_PG_PORT"
        pg_start "$DEMO_PG_DIR" "$DEMO_PG_PORT" || die "could not start the private PostgreSQL"
        echo "demo: connect with: PGHOST=$PGHOST PGPORT=$PGPORT PGUSER=$PGUSER" \
             "PGDATABASE=$PGDATABASE psql"
    else
        echo "demo: using the database configured in the environment"
    fi
    echo "demo: ./crmerge run -c $DEMO_CONFIG"
    local rc=0
    ./crmerge run -c "$DEMO_CONFIG" || rc=$?
    if [ "$rc" -ne 0 ]; then
        die "crmerge run failed with exit code $rc"
    fi
    echo
    echo "demo: the customer view (first rows):"
    local conn=()
    [ -n "${CRMERGE_DSN:-}" ] && conn=(-d "$CRMERGE_DSN")
    "${PG_BIN:+$PG_BIN/}psql" -X -v ON_ERROR_STOP=1 "${conn[@]}" -c "$DEMO_QUERY"
}

cmd_demo_stop() {
    cd "$ROOT"
    . tests/pg.sh
    if pg_running "$DEMO_PG_DIR"; then
        pg_stop "$DEMO_PG_DIR" && echo "demo: PostgreSQL in $DEMO_PG_DIR stopped"
    else
        echo "demo: no PostgreSQL running in $DEMO_PG_DIR"
    fi
}

# ---- test ----------------------------------------------------------------------------
cmd_test() {
    cmd_deps
    build all tools
    "$ROOT/tests/run_all.sh"
}

# ---- nightly ---------------------------------------------------------------------------
cmd_nightly() {
    local config="" args=()
    while [ $# -gt 0 ]; do
        case $1 in
            -c|--config) [ $# -ge 2 ] || die "nightly: -c needs a file"; config=$2; shift 2;;
            -c*) config=${1#-c}; shift;;
            *) args+=("$1"); shift;;
        esac
    done
    [ -n "$config" ] || die "nightly: usage: ./run.sh nightly -c CONFIG [crmerge options]"
    [ -f "$config" ] || die "nightly: config file not found: $config"
    config=$(realpath -- "$config")
    [ -x "$ROOT/crmerge" ] || die "nightly: $ROOT/crmerge is not built; run ./run.sh build"

    mkdir -p "$ROOT/var/log"
    local lock=$ROOT/var/nightly.lock
    exec 9>>"$lock"
    if ! flock -n 9; then
        echo "run.sh: nightly: another nightly run holds $lock; not starting" >&2
        exit 7
    fi

    local log stamp n=1
    stamp=$(date +%Y%m%d-%H%M%S)
    log=$ROOT/var/log/nightly-$stamp.log
    while [ -e "$log" ]; do             # two runs in one second: keep both logs
        n=$((n + 1))
        log=$ROOT/var/log/nightly-$stamp-$n.log
    done
    local rc=0
    {
        echo "# crmerge nightly: $(date -Is) host $(uname -n) config $config"
        echo "# $ROOT/crmerge run -c $config ${args[*]:-}"
    } >>"$log"
    # Run from the repository root; the config's relative paths resolve from its own dir.
    (cd "$ROOT" && ./crmerge run -c "$config" "${args[@]}") >>"$log" 2>&1 9>&- || rc=$?
    echo "# finished $(date -Is), exit code $rc" >>"$log"

    find "$ROOT/var/log" -maxdepth 1 -name 'nightly-*.log' -mtime +"${NIGHTLY_KEEP_DAYS:-30}" \
         -delete 2>/dev/null || true
    if [ "$rc" -ne 0 ]; then
        echo "nightly: FAILED (exit code $rc); last lines of $log:" >&2
        tail -n 20 "$log" >&2
    fi
    echo "$log"
    exit "$rc"
}

# ---- main ----------------------------------------------------------------------------
cmd=${1:-help}
[ $# -gt 0 ] && shift
case $cmd in
    deps)      cmd_deps ;;
    build)     cmd_deps; build all ;;
    demo)      cmd_demo ;;
    demo-stop) cmd_demo_stop ;;
    test)      cmd_test ;;
    nightly)   cmd_nightly "$@" ;;
    help|-h|--help) usage ;;
    *) echo "run.sh: unknown command '$cmd'" >&2; usage >&2; exit 2 ;;
esac
