#!/usr/bin/env bash
# The README's test command: unit + storage tests (SQLite and MariaDB) and the real-client
# end-to-end suite. Does its own set-up on a fresh machine (client venvs from PyPI; a fresh
# MariaDB database per run is created by the storage tests themselves).
set -euo pipefail
cd "$(dirname "$0")/.."

echo "== cargo test (workspace)"
cargo test --workspace --locked

echo "== end-to-end: real clients against echod"
cargo build -p echod --locked
bash tests/e2e/setup.sh
echo "== end-to-end on MariaDB (same suite, echod --database-url mysql://...)"
python3 tests/e2e/run.py --no-setup --no-build --mysql
echo "== end-to-end on SQLite (embedded default)"
python3 tests/e2e/run.py --no-setup --no-build
