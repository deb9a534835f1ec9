#!/usr/bin/env bash
# Creates one virtualenv per real Telegram client library used by the e2e suite.
#
# Each client needs its own venv: Pyrofork and Kurigram both install the
# `pyrogram` package, so they cannot live side by side. A marker file inside each
# venv records the pinned requirement it was built for; when it matches, the venv
# is reused and this script does no network work at all.
#
# Cache dir: $ECHO_E2E_CACHE, default $HOME/.cache/echo-e2e/
set -euo pipefail

CACHE="${ECHO_E2E_CACHE:-$HOME/.cache/echo-e2e}"
PYTHON="${PYTHON:-python3}"
mkdir -p "$CACHE"

# name|requirements (space separated, passed to pip as-is)
VENVS=(
  "telethon|telethon==1.45.0 cryptg"
  "pyrofork|pyrofork==2.3.69 tgcrypto"
  "kurigram|kurigram==2.2.26 tgcrypto"
  "tdlib|tdjson==1.8.69"
)

for entry in "${VENVS[@]}"; do
  name="${entry%%|*}"
  reqs="${entry#*|}"
  venv="$CACHE/$name"
  marker="$venv/.echo-e2e-requirements"
  if [[ -x "$venv/bin/python" && -f "$marker" && "$(cat "$marker")" == "$reqs" ]]; then
    echo "setup: $name venv ready ($reqs)"
    continue
  fi
  echo "setup: creating $name venv at $venv ($reqs)"
  rm -rf "$venv"
  "$PYTHON" -m venv "$venv"
  # shellcheck disable=SC2086  # $reqs is intentionally word-split into packages
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check $reqs
  "$venv/bin/python" -c "import sys; print('setup:', sys.argv[1], 'ok')" "$name"
  printf '%s' "$reqs" > "$marker"
done
