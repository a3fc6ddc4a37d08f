# Throwaway PostgreSQL cluster for tests and benchmarks. Source this file, then:
#   postgres_cluster_start   # installs Debian's postgresql if missing, starts a cluster, exports URLs
#   postgres_cluster_stop    # stops it and removes its directory (also run on EXIT by the caller's trap)
#
# The cluster belongs to a non-root user (initdb refuses root), listens on 127.0.0.1 on a free port
# only, uses SCRAM passwords, and lives in a fresh directory under /tmp. It has three roles:
#   postgres        superuser (tests that play a hostile DBA use it: PALISADE_TEST_POSTGRES_SUPERUSER_URL)
#   palisade_owner  CREATEDB; owns the test databases and Palisade's schema (PALISADE_TEST_POSTGRES_URL)
#   palisade_app    the application role: SELECT/INSERT only on ledger tables (PALISADE_TEST_POSTGRES_APP_URL)
# If anything fails, the function returns non-zero with a message: no test runs without its database.

postgres_cluster_bin() {
    local dir
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)
    [ -n "$dir" ] && [ -x "$dir/initdb" ] && echo "$dir"
}

postgres_cluster_start() {
    local bin
    bin=$(postgres_cluster_bin || true)
    if [ -z "$bin" ]; then
        echo "postgres-cluster: installing Debian's postgresql package (no default cluster)"
        mkdir -p /etc/postgresql-common/createcluster.d
        echo "create_main_cluster = false" >/etc/postgresql-common/createcluster.d/00-palisade-tests.conf
        apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
        bin=$(postgres_cluster_bin || true)
        [ -n "$bin" ] || { echo "postgres-cluster: postgresql is installed but initdb was not found" >&2; return 1; }
    fi

    local run=()
    PALISADE_PG_DIR=$(mktemp -d /tmp/palisade-pg.XXXXXX)
    if [ "$(id -u)" = 0 ]; then
        local user=palisade-pgtest
        id "$user" >/dev/null 2>&1 || useradd --system --no-create-home --shell /usr/sbin/nologin "$user"
        chown "$user" "$PALISADE_PG_DIR"
        run=(runuser -u "$user" --)
    fi
    chmod 700 "$PALISADE_PG_DIR"
    export PALISADE_PG_DIR

    local superuser_password owner_password app_password port
    superuser_password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    owner_password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    app_password=$(head -c 18 /dev/urandom | od -An -tx1 | tr -d ' \n')
    port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')

    printf '%s\n' "$superuser_password" | "${run[@]}" tee "$PALISADE_PG_DIR/pwfile" >/dev/null
    "${run[@]}" "$bin/initdb" -D "$PALISADE_PG_DIR/data" -U postgres --auth=scram-sha-256 --pwfile="$PALISADE_PG_DIR/pwfile" \
        --encoding=UTF8 --no-locale >"$PALISADE_PG_DIR/initdb.log" 2>&1 ||
        { echo "postgres-cluster: initdb failed:" >&2; cat "$PALISADE_PG_DIR/initdb.log" >&2; return 1; }
    "${run[@]}" "$bin/pg_ctl" -D "$PALISADE_PG_DIR/data" -l "$PALISADE_PG_DIR/server.log" -w -t 60 \
        -o "-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$PALISADE_PG_DIR -c max_connections=400 -c shared_buffers=256MB" \
        start >/dev/null ||
        { echo "postgres-cluster: the server did not start:" >&2; cat "$PALISADE_PG_DIR/server.log" >&2; return 1; }
    export PALISADE_PG_BIN="$bin" PALISADE_PG_RUN="${run[*]}"

    PGPASSWORD="$superuser_password" psql -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$port" -U postgres -d postgres <<SQL ||
CREATE ROLE palisade_owner LOGIN CREATEDB PASSWORD '$owner_password';
CREATE ROLE palisade_app LOGIN PASSWORD '$app_password';
SQL
        { echo "postgres-cluster: cannot create the test roles" >&2; return 1; }

    export PALISADE_TEST_POSTGRES_SUPERUSER_URL="postgres://postgres:$superuser_password@127.0.0.1:$port/postgres?sslmode=disable"
    export PALISADE_TEST_POSTGRES_URL="postgres://palisade_owner:$owner_password@127.0.0.1:$port/postgres?sslmode=disable"
    export PALISADE_TEST_POSTGRES_APP_URL="postgres://palisade_app:$app_password@127.0.0.1:$port/postgres?sslmode=disable"
    echo "postgres-cluster: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port ($PALISADE_PG_DIR)"
}

postgres_cluster_stop() {
    [ -n "${PALISADE_PG_DIR:-}" ] && [ -d "$PALISADE_PG_DIR" ] || return 0
    # shellcheck disable=SC2086
    $PALISADE_PG_RUN "$PALISADE_PG_BIN/pg_ctl" -D "$PALISADE_PG_DIR/data" -m fast -w stop >/dev/null 2>&1 || true
    rm -rf "$PALISADE_PG_DIR"
    unset PALISADE_PG_DIR
}
