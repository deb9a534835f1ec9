.PHONY: build run test e2e lint up down logs bench fuzz

build:
	cargo build --release -p echod

run:
	cargo run --release -p echod -- run

# The README's test command.
test:
	./scripts/test.sh

e2e:
	python3 tests/e2e/run.py

lint:
	cargo fmt --all -- --check
	cargo clippy --workspace --all-targets -- -D warnings

up:
	docker compose -f docker-compose-env.yaml -f docker-compose.yaml up -d --build

down:
	docker compose -f docker-compose-env.yaml -f docker-compose.yaml down

logs:
	docker compose -f docker-compose-env.yaml -f docker-compose.yaml logs -f

# Short load run of every scenario (echo-bench): bench/results/latest.json (+ latest.jsonl).
bench:
	cargo build --release -p echod -p echo-bench
	./target/release/echo-bench --spawn target/release/echod suite --out bench/results

# Every fuzz target for 30 s (scripts/fuzz.sh SECONDS for longer).
fuzz:
	./scripts/fuzz.sh 30
