#!/usr/bin/env bash
# Static check of the compose files (no Docker engine runs on CI): both files must parse and
# merge, and every Echo role they start must be a subcommand of echod. Uses `docker compose`
# when present, else Debian's docker-compose (installed if missing).
set -euo pipefail
cd "$(dirname "$0")/.."
files=(-f docker-compose-env.yaml -f docker-compose.yaml)
if docker compose version >/dev/null 2>&1; then
  compose=(docker compose)
else
  if ! command -v docker-compose >/dev/null 2>&1; then
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq docker-compose >/dev/null
  fi
  compose=(docker-compose)
fi
"${compose[@]}" "${files[@]}" config | python3 -c '
import sys, yaml
services = yaml.safe_load(sys.stdin)["services"]
started = {s["command"][1] for s in services.values()
           if s.get("command") and s["command"][0] == "echod"}
missing = {"authsession", "msg", "media", "bff", "session", "sync", "gnetway", "migrate"} - started
sys.exit(f"compose: no service runs echod {sorted(missing)}" if missing else 0)
' 
echo "compose files OK ($("${compose[@]}" "${files[@]}" config --services | tr '\n' ' '))"
