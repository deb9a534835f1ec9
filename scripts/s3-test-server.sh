#!/usr/bin/env bash
# A real S3-protocol server for the dfs test suite (crates/dfs/tests/suite.rs): s3s-fs, which
# checks SigV4 signatures like MinIO does (MinIO itself cannot be installed here).
#
#   eval "$(scripts/s3-test-server.sh start)"   # installs s3s-fs if missing, starts it on a
#                                               # free loopback port, prints the env exports
#   scripts/s3-test-server.sh stop              # stops the server named by ECHO_TEST_S3_PID
#
# The exports are ECHO_TEST_S3_ENDPOINT / _ACCESS_KEY / _SECRET_KEY and ECHO_TEST_S3_PID;
# data lives in a fresh temp dir, removed by `stop`. Several servers may run at once (one per
# caller); each is remembered in STATE_DIR/<pid>.
set -euo pipefail

S3S_VERSION=0.14.1
ACCESS_KEY=echotest
SECRET_KEY=echotestsecret
STATE_DIR="${ECHO_S3_STATE_DIR:-${TMPDIR:-/tmp}/echo-s3-test-$(id -u)}"

install_if_missing() {
    if command -v s3s-fs >/dev/null 2>&1; then
        return
    fi
    echo "s3s-fs not found; installing s3s-fs@${S3S_VERSION} (about 2 minutes)" >&2
    cargo install "s3s-fs@${S3S_VERSION}" --locked --features binary >&2
}

free_port() {
    python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

start() {
    install_if_missing
    mkdir -p "$STATE_DIR"
    local data port pid
    data="$(mktemp -d "${TMPDIR:-/tmp}/echo-s3-data.XXXXXX")"
    port="$(free_port)"
    s3s-fs --host 127.0.0.1 --port "$port" --access-key "$ACCESS_KEY" \
        --secret-key "$SECRET_KEY" "$data" >"$data.log" 2>&1 &
    pid=$!
    for _ in $(seq 1 100); do
        if python3 -c "import socket,sys; socket.create_connection(('127.0.0.1', $port), 0.2)" 2>/dev/null; then
            break
        fi
        if ! kill -0 "$pid" 2>/dev/null; then
            echo "s3s-fs exited; log: $data.log" >&2
            cat "$data.log" >&2
            exit 1
        fi
        sleep 0.1
    done
    echo "$data" >"$STATE_DIR/$pid"
    echo "export ECHO_TEST_S3_ENDPOINT=http://127.0.0.1:$port"
    echo "export ECHO_TEST_S3_ACCESS_KEY=$ACCESS_KEY"
    echo "export ECHO_TEST_S3_SECRET_KEY=$SECRET_KEY"
    echo "export ECHO_TEST_S3_PID=$pid"
    echo "s3s-fs ${S3S_VERSION} on 127.0.0.1:$port (pid $pid, data $data)" >&2
}

stop() {
    local pid="${ECHO_TEST_S3_PID:-}" data
    if [ -z "$pid" ] || [ ! -f "$STATE_DIR/$pid" ]; then
        echo "nothing to stop (ECHO_TEST_S3_PID unset or not started by this script)" >&2
        return 0
    fi
    read -r data <"$STATE_DIR/$pid"
    # Only our own s3s-fs: the pid may have been reused since.
    if grep -q s3s-fs "/proc/$pid/cmdline" 2>/dev/null; then
        kill "$pid"
    fi
    rm -rf "$data" "$data.log"
    rm -f "$STATE_DIR/$pid"
}

case "${1:-}" in
    start) start ;;
    stop) stop ;;
    *) echo "usage: $0 start|stop" >&2; exit 2 ;;
esac
