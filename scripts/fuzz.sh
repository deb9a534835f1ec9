#!/usr/bin/env bash
# Runs every fuzz target (fuzz/fuzz_targets) for SECONDS each (default 30) on its seed corpus
# (fuzz/corpus/TARGET, kept in the repo; `echo-bench fuzz-seeds` regenerates it). New inputs go
# to a scratch corpus, not the repo. Fails if any target finds a crash (fuzz/artifacts/TARGET/).
#
# cargo-fuzz needs nightly flags; only stable is installed, so RUSTC_BOOTSTRAP=1 unlocks them.
# Limits: -rss_limit_mb caps the process, -malloc_limit_mb any single allocation (a 2^31 length
# prefix must be refused, not allocated).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
targets=(transport tl_layers decrypt handshake)

if ! command -v cargo-fuzz >/dev/null 2>&1; then
  echo "== installing cargo-fuzz"
  cargo install cargo-fuzz --version 0.13.2 --locked
fi
if [ ! -d fuzz/corpus/transport ]; then
  echo "== writing seed corpora"
  cargo run -q -p echo-bench -- fuzz-seeds --out fuzz/corpus
fi

export RUSTC_BOOTSTRAP=1
echo "== building fuzz targets"
(cd fuzz && cargo fuzz build)

scratch="$(mktemp -d)"
trap 'rm -rf "$scratch"' EXIT
status=0
for target in "${targets[@]}"; do
  echo "== fuzz $target for ${seconds}s"
  mkdir -p "$scratch/$target"
  log="$scratch/$target.log"
  if (cd fuzz && cargo fuzz run "$target" "$scratch/$target" "corpus/$target" -- \
      -max_total_time="$seconds" -rss_limit_mb=2048 -malloc_limit_mb=128 -timeout=20 \
      -print_final_stats=1) >"$log" 2>&1; then
    grep -E "stat::number_of_executed_units|Done [0-9]+ runs" "$log" || true
  else
    echo "!! $target failed; crash input and log:"
    grep -E "artifact|panicked|SUMMARY|==[0-9]+==ERROR" "$log" | head -20 || true
    tail -40 "$log"
    status=1
  fi
done
exit "$status"
