.PHONY: build run test e2e e2e-split cluster lint compose-check up down logs bench fuzz

# `docker compose` (plugin) or the standalone docker-compose.
COMPOSE ?= $(shell docker compose version >/dev/null 2>&1 && echo "docker compose" || echo docker-compose)
COMPOSE_FILES = -f docker-compose-env.yaml -f docker-compose.yaml

build:
	cargo build --release -p echod --features cluster

run:
	cargo run --release -p echod -- run

# The README's test command.
test:
	./scripts/test.sh

e2e:
	python3 tests/e2e/run.py

# The same suite with every role its own process (etcd, tansu, Redis, MariaDB on loopback).
e2e-split:
	./scripts/cluster-deps.sh
	python3 tests/e2e/run.py --split

# The split deployment on loopback without Docker, until Ctrl-C.
cluster:
	./scripts/cluster-deps.sh
	cargo build -p echod --features cluster
	cd tests/e2e && python3 cluster.py ../../target/debug/echod

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets --all-features -- -D warnings

compose-check:
	./scripts/check-compose.sh

# MySQL, Redis, Kafka (KRaft), etcd, MinIO + buckets, then every Echo role in its container.
up:
	$(COMPOSE) $(COMPOSE_FILES) up -d --build

down:
	$(COMPOSE) $(COMPOSE_FILES) down

logs:
	$(COMPOSE) $(COMPOSE_FILES) logs -f

# Short load run of every scenario (echo-bench): bench/results/latest.json (+ latest.jsonl).
bench:
	cargo build --release -p echod -p echo-bench
	./target/release/echo-bench --spawn target/release/echod suite --out bench/results

# Every fuzz target for 30 s (scripts/fuzz.sh SECONDS for longer).
fuzz:
	./scripts/fuzz.sh 30
