# tests/pg.sh — a private PostgreSQL server for the demo and the tests. Source it:
#
#   . tests/pg.sh
#   pg_start DIR PORT     # init (first time) and start a cluster in DIR; reuse a running one
#   psql_q "SELECT 1"     # psql -XAtq -v ON_ERROR_STOP=1 against it; prints the result
#   pg_stop DIR           # fast shutdown (quiet, status 0, when nothing runs)
#   pg_running DIR        # status 0 when the cluster of DIR is running
#   pg_createdb NAME / pg_dropdb NAME   # on the running server (after pg_start)
#
# pg_start exports, for crmerge (libpq), psql and the scripts:
#   PGHOST      the server's private unix-socket directory (DIR/sock)
#   PGPORT      its port
#   PGUSER      postgres (the cluster's superuser, whoever runs it)
#   PGDATABASE  crmerge, or $PG_DATABASE when set; created if missing
#   PG_DIR      the directory actually used (differs from DIR after a fallback, below)
#   PG_BIN      the server binaries (/usr/lib/postgresql/NN/bin; override by setting it)
# and unsets PGHOSTADDR and PGSERVICE, which would send libpq elsewhere.
#
# Layout under DIR: data/ (the cluster), sock/ (socket, mode 0700), log/server.log.
# Access: trust authentication, local socket only. The server listens on no TCP address
# unless PG_LISTEN is set (e.g. PG_LISTEN=127.0.0.1; pg_hba then trusts 127.0.0.1/32 only).
# PG_FAST=1 starts the server with fsync, synchronous_commit and full_page_writes off:
# for throw-away test clusters only, never for data you keep.
#
# Users: PostgreSQL refuses to run as root. As root, the cluster is owned and run by the
# system user "postgres" (created if missing); DIR is chowned to it. As anyone else, the
# cluster runs as the calling user. Either way the superuser role is named postgres.
#
# Fallback: the server user must be able to reach DIR, and the socket path must fit the
# 107-byte limit of unix sockets. When either fails (a repository under /root, a 0700
# home, a very long path), the cluster goes to /tmp/crmerge-pg-<hash of DIR> instead;
# pg_start says so on stderr and writes the location to DIR/RELOCATED. The choice is
# deterministic, so pg_start and pg_stop with the same DIR find the same cluster.

# Pick the server binaries: $PG_BIN, else the newest /usr/lib/postgresql/NN/bin.
pg__bin() {
    if [ -n "${PG_BIN:-}" ]; then
        [ -x "$PG_BIN/initdb" ] || { echo "pg.sh: no initdb in PG_BIN=$PG_BIN" >&2; return 1; }
        return 0
    fi
    local d
    d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    if [ -z "$d" ] || [ ! -x "$d/initdb" ]; then
        echo "pg.sh: PostgreSQL server binaries not found under /usr/lib/postgresql" \
             "(install the postgresql package: ./run.sh deps)" >&2
        return 1
    fi
    PG_BIN=$d
    export PG_BIN
}

# Run a command as the server's user, from a directory that user can enter.
pg__as() {
    if [ "$(id -u)" -eq 0 ]; then
        (cd / && runuser -u postgres -- "$@")
    else
        (cd / && "$@")
    fi
}

pg__ensure_user() {
    [ "$(id -u)" -eq 0 ] || return 0
    id postgres >/dev/null 2>&1 && return 0
    echo "pg.sh: creating system user postgres" >&2
    useradd --system --user-group --home-dir /var/lib/postgresql --no-create-home \
            --shell /bin/bash postgres
}

# The directory the cluster lives in for DIR (absolute): DIR itself, or the /tmp fallback.
pg__resolve() {
    local dir=$1 reason=""
    # 107 bytes max for the socket path: DIR/sock/.s.PGSQL.NNNNN
    if [ $(( ${#dir} + 22 )) -gt 107 ]; then
        reason="its socket path would be too long for a unix socket"
    elif [ "$(id -u)" -eq 0 ]; then
        mkdir -p "$dir" 2>/dev/null || true
        if ! runuser -u postgres -- test -x "$dir" 2>/dev/null; then
            reason="user postgres cannot traverse it (a parent directory is not world-searchable)"
        fi
    fi
    if [ -z "$reason" ]; then
        rm -f "$dir/RELOCATED" 2>/dev/null
        printf '%s\n' "$dir"
        return 0
    fi
    local alt
    alt=/tmp/crmerge-pg-$(printf '%s' "$dir" | sha256sum | cut -c1-16)
    echo "pg.sh: cannot use $dir for PostgreSQL: $reason; using $alt instead" >&2
    mkdir -p "$dir" 2>/dev/null && printf '%s\n' "$alt" > "$dir/RELOCATED" 2>/dev/null
    printf '%s\n' "$alt"
}

# Make D exist, owned by the server user and private to it; refuse a foreign /tmp entry.
pg__own_dir() {
    local d=$1 owner
    owner=$([ "$(id -u)" -eq 0 ] && echo postgres || id -un)
    if [ -L "$d" ]; then
        echo "pg.sh: $d is a symlink; refusing it" >&2; return 1
    fi
    if [ ! -d "$d" ]; then
        mkdir -p -m 0755 "$d" || return 1
    fi
    if [ "$(id -u)" -eq 0 ]; then
        chown postgres:postgres "$d" || return 1
    fi
    local got
    got=$(stat -c %U "$d")
    if [ "$got" != "$owner" ]; then
        echo "pg.sh: $d belongs to $got, not $owner; refusing it" >&2; return 1
    fi
}

# pg_start DIR PORT — see the header. Returns non-zero with a message on failure.
pg_start() {
    if [ $# -ne 2 ]; then echo "usage: pg_start DIR PORT" >&2; return 2; fi
    local dir port=$2
    case $port in ''|*[!0-9]*) echo "pg_start: bad port '$port'" >&2; return 2;; esac
    dir=$(realpath -m -- "$1") || return 1
    pg__bin || return 1
    pg__ensure_user || return 1
    dir=$(pg__resolve "$dir") || return 1
    pg__own_dir "$dir" || return 1
    local d
    for d in data sock log; do
        pg__as mkdir -p "$dir/$d" || { echo "pg_start: cannot create $dir/$d" >&2; return 1; }
    done
    pg__as chmod 0700 "$dir/data" "$dir/sock"

    local data=$dir/data log=$dir/log/server.log
    # First use: create the cluster. initdb wants an empty directory.
    if [ ! -f "$data/PG_VERSION" ]; then
        if [ -n "$(ls -A "$data" 2>/dev/null)" ]; then
            echo "pg_start: $data is not empty but holds no cluster; remove it" >&2
            return 1
        fi
        # C.UTF-8: byte-order collation (stable test output), Unicode-aware ctype.
        local loc ok=0
        for loc in C.UTF-8 C; do
            if pg__as "$PG_BIN/initdb" -D "$data" -U postgres --auth=trust -E UTF8 \
                   --locale="$loc" >"$dir/log/initdb.log" 2>&1; then
                ok=1; break
            fi
            pg__as find "$data" -mindepth 1 -delete 2>/dev/null
        done
        if [ "$ok" != 1 ]; then
            echo "pg_start: initdb failed; last lines of $dir/log/initdb.log:" >&2
            tail -n 20 "$dir/log/initdb.log" >&2
            return 1
        fi
        pg__as sh -c 'cat > "$1/pg_hba.conf"' sh "$data" <<'EOF2'
# crmerge private cluster: the unix socket (a 0700 directory) and loopback only.
local   all          all                    trust
local   replication  all                    trust
host    all          all    127.0.0.1/32    trust
EOF2
        pg__as sh -c 'cat >> "$1/postgresql.conf"' sh "$data" <<'EOF2'

# crmerge: per-start settings written by tests/pg.sh
include_if_exists = 'crmerge.conf'
EOF2
    fi

    # Already running? Then reuse it, wherever it listens (postmaster.pid tells).
    if pg__as "$PG_BIN/pg_ctl" -D "$data" status >/dev/null 2>&1; then
        :
    else
        # Settings of this start (rewritten each time, so a new PORT applies).
        pg__as sh -c 'cat > "$1/crmerge.conf"' sh "$data" <<EOF
# written by tests/pg.sh at each start
port = $port
listen_addresses = '${PG_LISTEN:-}'
unix_socket_directories = '$dir/sock'
unix_socket_permissions = 0700
logging_collector = off
log_min_messages = warning
log_line_prefix = '%m [%p] %q%u@%d '
max_connections = 50
shared_buffers = 128MB
EOF
        local fast=()
        if [ "${PG_FAST:-0}" = 1 ]; then
            fast=(-o "-c fsync=off -c synchronous_commit=off -c full_page_writes=off")
        fi
        if ! pg__as "$PG_BIN/pg_ctl" -D "$data" -l "$log" -w -t 60 "${fast[@]}" start \
                >/dev/null 2>&1; then
            echo "pg_start: the server did not start; last lines of $log:" >&2
            tail -n 20 "$log" >&2 2>/dev/null
            return 1
        fi
    fi

    # Where does it listen? Lines 4 and 5 of postmaster.pid: port, socket directory.
    local pidf=$data/postmaster.pid rport rsock
    rport=$(sed -n 4p "$pidf" 2>/dev/null)
    rsock=$(sed -n 5p "$pidf" 2>/dev/null)
    [ -n "$rport" ] || rport=$port
    [ -n "$rsock" ] || rsock=$dir/sock
    if [ "$rport" != "$port" ]; then
        echo "pg_start: reusing the server already running in $dir on port $rport" >&2
    fi

    local i
    for i in $(seq 1 60); do
        "$PG_BIN/pg_isready" -q -h "$rsock" -p "$rport" -U postgres -d postgres && break
        sleep 0.5
    done
    if ! "$PG_BIN/pg_isready" -q -h "$rsock" -p "$rport" -U postgres -d postgres; then
        echo "pg_start: server in $dir not ready after 30 s; see $log" >&2
        return 1
    fi

    unset PGHOSTADDR PGSERVICE
    export PG_DIR=$dir PGHOST=$rsock PGPORT=$rport PGUSER=postgres
    export PGDATABASE=${PG_DATABASE:-crmerge}
    pg_createdb "$PGDATABASE"
}

# SQL against template1 with psql variable db=NAME (fed on stdin: -c does not interpolate).
pg__psql_admin() {
    printf '%s\n' "$2" |
        PGDATABASE=template1 PGOPTIONS="-c client_min_messages=warning" \
        "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -v db="$1"
}

# pg_createdb NAME — create database NAME if missing (connects to template1).
pg_createdb() {
    local db=$1 have
    have=$(pg__psql_admin "$db" "SELECT 1 FROM pg_database WHERE datname = :'db'") \
        || { echo "pg_createdb: cannot reach the server" >&2; return 1; }
    [ "$have" = 1 ] && return 0
    pg__psql_admin "$db" 'CREATE DATABASE :"db"' >/dev/null \
        || { echo "pg_createdb: cannot create database $db" >&2; return 1; }
}

# pg_dropdb NAME — drop database NAME if it exists (closing its connections).
pg_dropdb() {
    pg__psql_admin "$1" 'DROP DATABASE IF EXISTS :"db" WITH (FORCE)' >/dev/null
}

# pg__cluster DIR — where pg_start DIR put the cluster (follows DIR/RELOCATED).
pg__cluster() {
    local dir
    dir=$(realpath -m -- "$1") || return 1
    if [ -f "$dir/RELOCATED" ]; then
        dir=$(cat "$dir/RELOCATED")
    elif [ ! -d "$dir/data" ]; then
        dir=$(pg__resolve "$dir" 2>/dev/null)
    fi
    printf '%s\n' "$dir"
}

# pg_running DIR — succeeds when the cluster of pg_start DIR is running.
pg_running() {
    local dir
    pg__bin || return 1
    dir=$(pg__cluster "$1") || return 1
    [ -f "$dir/data/PG_VERSION" ] &&
        pg__as "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1
}

# pg_stop DIR — fast shutdown of the cluster pg_start DIR started; quiet if none runs.
pg_stop() {
    if [ $# -ne 1 ]; then echo "usage: pg_stop DIR" >&2; return 2; fi
    local dir
    pg__bin || return 1
    dir=$(pg__cluster "$1") || return 1
    [ -f "$dir/data/PG_VERSION" ] || return 0
    if pg__as "$PG_BIN/pg_ctl" -D "$dir/data" status >/dev/null 2>&1; then
        pg__as "$PG_BIN/pg_ctl" -D "$dir/data" -m fast -w -t 60 stop >/dev/null \
            || { echo "pg_stop: the server in $dir did not stop" >&2; return 1; }
    fi
}

# psql_q SQL [psql args...] — run SQL against $PGDATABASE; prints unaligned tuples only.
psql_q() {
    "${PG_BIN:+$PG_BIN/}psql" -XAtq -v ON_ERROR_STOP=1 -c "$1" "${@:2}"
}
