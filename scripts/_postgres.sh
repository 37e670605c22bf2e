# Starts the Debian PostgreSQL cluster and prints a URL for a fresh test role and database.
# The password is random per run and never written to the repository.
as_postgres() {
    if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else sudo -u postgres "$@"; fi
}

start_test_postgres() {
    local ver cluster pw
    ver="$(ls /usr/lib/postgresql | sort -n | tail -1)"
    if ! pg_lsclusters -h 2>/dev/null | grep -q .; then
        $SUDO pg_createcluster "$ver" main >/dev/null
    fi
    cluster="$(pg_lsclusters -h | head -1 | awk '{print $1" "$2}')"
    $SUDO pg_ctlcluster $cluster start >/dev/null 2>&1 || true
    local port
    port="$(pg_lsclusters -h | head -1 | awk '{print $3}')"
    pw="$(python3 -c 'import secrets; print(secrets.token_hex(16))')"
    PGOPTIONS="-c client_min_messages=warning" as_postgres psql -q -p "$port" -v ON_ERROR_STOP=1 >/dev/null <<SQL
DROP DATABASE IF EXISTS gcs_test;
DROP ROLE IF EXISTS gcs_test;
CREATE ROLE gcs_test LOGIN PASSWORD '$pw' CREATEDB;
CREATE DATABASE gcs_test OWNER gcs_test;
SQL
    echo "postgresql+psycopg://gcs_test:$pw@127.0.0.1:$port/gcs_test"
}
