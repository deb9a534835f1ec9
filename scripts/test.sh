#!/usr/bin/env bash
# The README's test command: unit + storage tests (SQLite and MariaDB) and the real-client
# end-to-end suite, on `echod run` (SQLite, MariaDB) and on the split deployment. Does its own
# set-up on a fresh machine (protoc, etcd, tansu; client venvs from PyPI; a fresh MariaDB
# database per run is created by the storage tests themselves).
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/cluster-deps.sh

echo "== S3 test server for the dfs suite (scripts/s3-test-server.sh)"
eval "$(bash scripts/s3-test-server.sh start)"

# A throwaway etcd on free loopback ports for the discovery tests.
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
etcd_dir=$(mktemp -d)
etcd_port=$(free_port); etcd_peer=$(free_port)
etcd --name echo-test --data-dir "$etcd_dir" \
  --listen-client-urls "http://127.0.0.1:$etcd_port" --advertise-client-urls "http://127.0.0.1:$etcd_port" \
  --listen-peer-urls "http://127.0.0.1:$etcd_peer" --initial-advertise-peer-urls "http://127.0.0.1:$etcd_peer" \
  --initial-cluster "echo-test=http://127.0.0.1:$etcd_peer" >"$etcd_dir.log" 2>&1 &
etcd_pid=$!
trap 'kill $etcd_pid 2>/dev/null || true; rm -rf "$etcd_dir" "$etcd_dir.log"; bash scripts/s3-test-server.sh stop' EXIT

echo "== cargo test (workspace, every feature)"
# The Redis presence test uses the machine's Redis (database 15); discovery uses that etcd.
ECHO_TEST_REDIS_URL="${ECHO_TEST_REDIS_URL:-redis://127.0.0.1:6379/15}" \
ECHO_TEST_ETCD="127.0.0.1:$etcd_port" \
  cargo test --workspace --all-features --locked

echo "== end-to-end: real clients against echod"
# One binary for both deployments: `echod run` and the split roles.
cargo build -p echod --features cluster --locked
bash tests/e2e/setup.sh
echo "== end-to-end on MariaDB (same suite, echod --database-url mysql://...)"
# (the 200 MiB transfer runs on SQLite and on the split deployment; once more adds nothing)
python3 tests/e2e/run.py --no-setup --no-build --mysql --skip telethon_media_big
echo "== end-to-end on SQLite (embedded default)"
python3 tests/e2e/run.py --no-setup --no-build
echo "== end-to-end on the split deployment (every role its own process; etcd, tansu, Redis, MariaDB, S3)"
# Media files of the split deployment on the S3 test server.
ECHO_S3_ENDPOINT="$ECHO_TEST_S3_ENDPOINT" ECHO_S3_ACCESS_KEY="$ECHO_TEST_S3_ACCESS_KEY" \
ECHO_S3_SECRET_KEY="$ECHO_TEST_S3_SECRET_KEY" ECHO_S3_BUCKET_PREFIX="split-" \
  python3 tests/e2e/run.py --no-setup --no-build --split
