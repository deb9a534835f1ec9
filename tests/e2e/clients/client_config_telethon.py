"""Echo e2e: the Telethon snippet printed by `echod client-config` works as printed (issue 9).

Usage: python client_config_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]
Environment (set by run.py): ECHO_E2E_ECHOD_BIN, ECHO_E2E_DATA_DIR.

Runs `echod client-config --only telethon` for this server's data dir and address, saves the
output as a script and runs it with this Python (Telethon's venv): it must connect with the
printed key and address and print help.getConfig's this_dc. The full report must carry the
same fingerprint as the PEM the server wrote.
"""

import asyncio
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from common import parse_args, read_pem, rsa_fingerprint, rsa_public_key_from_pem, run_main

ECHOD = os.environ.get("ECHO_E2E_ECHOD_BIN", "")
DATA_DIR = os.environ.get("ECHO_E2E_DATA_DIR", "")


def run(cmd, timeout=60):
    done = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                          timeout=timeout)
    return done.returncode, done.stdout


async def scenario(steps, args):
    steps.check(ECHOD and DATA_DIR, "ECHO_E2E_ECHOD_BIN / ECHO_E2E_DATA_DIR not set by run.py")
    address = f"{args.host}:{args.port}"
    base = [ECHOD, "client-config", "--data-dir", DATA_DIR, "--public-addr", address]
    code, report = await steps.run("echod client-config", asyncio.to_thread(run, base))
    steps.check(code == 0, f"client-config exited {code}: {report[-500:]}")
    n, e = rsa_public_key_from_pem(read_pem(args.pem))
    fingerprint = rsa_fingerprint(n, e)
    steps.check(f"fingerprint:  {fingerprint} " in report,
                f"report does not show fingerprint {fingerprint}")
    for section in ("Android", "Telegram Desktop", "Telethon", "Pyrogram", "TDLib"):
        steps.check(f"==== {section}" in report, f"section {section} missing")
    code, snippet = await steps.run("client-config --only telethon",
                                    asyncio.to_thread(run, base + ["--only", "telethon"]))
    steps.check(code == 0, f"--only telethon exited {code}")
    with tempfile.TemporaryDirectory() as tmp:
        script = Path(tmp) / "echo_telethon.py"
        script.write_text(snippet)
        code, out = await steps.run("run the printed Telethon snippet",
                                    asyncio.to_thread(run, [sys.executable, str(script)]),
                                    timeout=90)
    print(out, flush=True)
    steps.check(code == 0, f"snippet exited {code}")
    steps.check(f"connected to Echo at {address}: this_dc=2" in out,
                "snippet did not report a connection with this_dc=2")


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
