#!/usr/bin/env bash
# Installs what the split deployment and its tests need on a fresh Debian machine, skipping
# what is already there: protoc (tonic / etcd-client builds), etcd, and tansu (a Kafka-protocol
# broker, built from crates.io: ~11 min cold on 2 cores, then cached in ~/.cargo/bin).
# MariaDB and Redis are expected to be running already (they are on our CI machines).
set -euo pipefail

need_apt=()
command -v protoc >/dev/null 2>&1 || need_apt+=(protobuf-compiler)
command -v etcd >/dev/null 2>&1 || need_apt+=(etcd-server)
if ((${#need_apt[@]})); then
  echo "cluster-deps: apt-get install ${need_apt[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >/dev/null
  apt-get install -y -qq "${need_apt[@]}" >/dev/null
  # The Debian package starts a system etcd on 2379; the tests run their own on free ports.
  if command -v systemctl >/dev/null 2>&1; then systemctl stop etcd >/dev/null 2>&1 || true; fi
fi

if ! command -v tansu >/dev/null 2>&1 && [ ! -x "$HOME/.cargo/bin/tansu" ]; then
  echo "cluster-deps: cargo install tansu@0.6.0 (about 11 minutes, once per machine)"
  cargo install tansu@0.6.0 --locked --features dynostore --quiet
fi
echo "cluster-deps: protoc $(protoc --version | cut -d' ' -f2), $(etcd --version | head -1), tansu ok"
