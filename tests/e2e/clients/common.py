"""Shared plumbing for the real-client e2e scenario scripts (stdlib only).

Every client script (telethon_flow.py, pyrofork_flow.py, kurigram_flow.py) runs in
its own virtualenv, so this module must not import anything outside the standard
library. It provides:

- the common command line (host, port, pem, phone, phase, session file, ...);
- reading Echo's PKCS#1 PEM and computing the Telegram RSA key fingerprint
  (https://core.telegram.org/mtproto/auth_key: lower 64 bits of SHA1 over the
  TL-serialized `bytes n` and `bytes e`, read as a little-endian signed int64);
- step bookkeeping: each step prints `STEP name ok|FAILED`, runs under a timeout,
  and the script ends with one `RESULT OK` / `RESULT FAIL: why` line that the
  runner looks for;
- a hard deadline so a client library stuck in its own reconnect loop cannot
  hang the suite.
"""

import argparse
import asyncio
import base64
import hashlib
import json
import logging
import os
import secrets
import struct
import sys
import threading
import time
import traceback

PHASES = ("signup", "login", "resume")
TELETHON_TRANSPORTS = ("full", "abridged", "intermediate", "obfuscated")

# Any values work against Echo; they only have to be well-formed.
API_ID = 611335
API_HASH = "d524b414d21f4d37f08684c1df41ac9c"

# The code Echo hands out for every phone when started with ECHO_DEV_CODES=1.
DEV_CODE = "12345"

EXIT_OK = 0
EXIT_FAIL = 1
EXIT_DEADLINE = 3


class ScenarioFailure(Exception):
    """A check of the scenario did not hold (as opposed to a crash in the script)."""


# ---------------------------------------------------------------- command line


def parse_args(client, with_transport=False, argv=None):
    parser = argparse.ArgumentParser(description=f"Echo e2e scenario for {client}")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("pem", help="path of Echo's server_public.pem (PKCS#1)")
    parser.add_argument("phone", help="digits only")
    parser.add_argument("phase", choices=PHASES)
    parser.add_argument("session_file", help="JSON file written by signup, read by login/resume")
    if with_transport:
        parser.add_argument("transport", nargs="?", default="full", choices=TELETHON_TRANSPORTS)
    parser.add_argument("--step-timeout", type=float, default=30.0)
    parser.add_argument("--deadline", type=float, default=100.0,
                        help="hard limit for the whole script, in seconds")
    parser.add_argument("--first-name", default="Echo")
    parser.add_argument("--last-name", default="Tester")
    args = parser.parse_args(argv)
    if not args.phone.isdigit():
        parser.error("phone must be digits only")
    return args


# ---------------------------------------------------------------- RSA key


def _der_read(data, pos, expected_tag):
    """Reads one DER TLV at `pos`; returns (value_bytes, next_pos)."""
    if pos + 2 > len(data):
        raise ValueError("truncated DER")
    tag = data[pos]
    if tag != expected_tag:
        raise ValueError(f"DER tag {tag:#x} where {expected_tag:#x} was expected")
    length = data[pos + 1]
    pos += 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or pos + count > len(data):
            raise ValueError("bad DER length")
        length = int.from_bytes(data[pos:pos + count], "big")
        pos += count
    if pos + length > len(data):
        raise ValueError("truncated DER value")
    return data[pos:pos + length], pos + length


def _rsa_public_key_from_pkcs1(der):
    body, _ = _der_read(der, 0, 0x30)
    n_bytes, pos = _der_read(body, 0, 0x02)
    e_bytes, _ = _der_read(body, pos, 0x02)
    return int.from_bytes(n_bytes, "big"), int.from_bytes(e_bytes, "big")


def rsa_public_key_from_pem(pem_text):
    """Returns (n, e) from a PKCS#1 `RSA PUBLIC KEY` or an SPKI `PUBLIC KEY` PEM."""
    lines = [line.strip() for line in pem_text.strip().splitlines()]
    if not lines or not lines[0].startswith("-----BEGIN "):
        raise ValueError("not a PEM file")
    label = lines[0][len("-----BEGIN "):].rstrip("-")
    der = base64.b64decode("".join(line for line in lines[1:] if not line.startswith("-----")))
    if label == "RSA PUBLIC KEY":
        return _rsa_public_key_from_pkcs1(der)
    if label == "PUBLIC KEY":
        spki, _ = _der_read(der, 0, 0x30)
        _, pos = _der_read(spki, 0, 0x30)  # AlgorithmIdentifier
        bits, _ = _der_read(spki, pos, 0x03)
        return _rsa_public_key_from_pkcs1(bits[1:])  # skip the unused-bits byte
    raise ValueError(f"unsupported PEM label {label!r}")


def tl_bytes(value):
    """TL serialization of `bytes` (https://core.telegram.org/mtproto/serialize)."""
    if len(value) <= 253:
        out = bytes([len(value)]) + value
    else:
        out = b"\xfe" + len(value).to_bytes(3, "little") + value
    return out + b"\x00" * (-len(out) % 4)


def _int_to_bytes(value):
    return value.to_bytes((value.bit_length() + 7) // 8, "big")


def rsa_fingerprint(n, e):
    digest = hashlib.sha1(tl_bytes(_int_to_bytes(n)) + tl_bytes(_int_to_bytes(e))).digest()
    return struct.unpack("<q", digest[-8:])[0]


def read_pem(path):
    with open(path, "r", encoding="ascii") as handle:
        return handle.read()


# ---------------------------------------------------------------- session file


def save_session(path, data):
    tmp = path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        json.dump(data, handle, indent=1)
    os.replace(tmp, path)


def load_session(path):
    try:
        with open(path, "r", encoding="utf-8") as handle:
            return json.load(handle)
    except FileNotFoundError:
        raise ScenarioFailure(f"session file {path} missing: did the signup phase pass?") from None


def unique_text(client, phase):
    return f"echo-e2e {client} {phase} {secrets.token_hex(6)}"


# ---------------------------------------------------------------- steps


def describe(err):
    """`Type: message`, with a hint for the errors a dead or silent server causes."""
    text = f"{type(err).__name__}: {err}" if str(err) else repr(err)
    if isinstance(err, (ConnectionError, OSError, EOFError)):
        text += " (connection refused, reset or closed by the server)"
    elif isinstance(err, KeyError) and err.args and isinstance(err.args[0], int):
        # Pyrogram's TL reader raises KeyError(constructor id) for ids it does not know.
        text += (f" (unknown TL constructor {err.args[0] & 0xFFFFFFFF:#010x} in the server's"
                 " answer; 0 usually means the connection was closed)")
    return text


class Steps:
    """Runs named steps with a timeout and prints one line per step."""

    def __init__(self, step_timeout):
        self.step_timeout = step_timeout
        self.current = "start"
        self.started = time.monotonic()

    async def run(self, name, awaitable, timeout=None):
        self.current = name
        began = time.monotonic()
        limit = timeout or self.step_timeout
        try:
            result = await asyncio.wait_for(awaitable, limit)
        except asyncio.TimeoutError:
            print(f"STEP {name} FAILED: no answer within {limit:.0f}s", flush=True)
            raise ScenarioFailure(f"{name}: timed out after {limit:.0f}s") from None
        except ScenarioFailure as err:
            print(f"STEP {name} FAILED: {err}", flush=True)
            raise
        except Exception as err:  # the library's own error: report it verbatim
            detail = describe(err)
            print(f"STEP {name} FAILED: {detail}", flush=True)
            raise ScenarioFailure(f"{name}: {detail}") from err
        print(f"STEP {name} ok ({time.monotonic() - began:.2f}s)", flush=True)
        return result

    def check(self, condition, message):
        if not condition:
            print(f"CHECK FAILED in {self.current}: {message}", flush=True)
            raise ScenarioFailure(f"{self.current}: {message}")


def arm_deadline(seconds, steps):
    """Kills the process if it is still running after `seconds` (libraries may loop)."""

    def fire():
        print(f"RESULT FAIL: deadline of {seconds:.0f}s exceeded during step {steps.current}",
              flush=True)
        os._exit(EXIT_DEADLINE)

    timer = threading.Timer(seconds, fire)
    timer.daemon = True
    timer.start()
    return timer


def run_main(coro_factory, args):
    """Runs `coro_factory(steps)` and turns the outcome into a RESULT line and exit code."""
    logging.basicConfig(
        level=logging.DEBUG if os.environ.get("ECHO_E2E_DEBUG") else logging.INFO,
        format="%(asctime)s %(levelname).1s %(name)s: %(message)s",
        stream=sys.stdout,
    )
    steps = Steps(args.step_timeout)
    arm_deadline(args.deadline, steps)
    print(f"SCENARIO phase={args.phase} phone={args.phone} server={args.host}:{args.port}",
          flush=True)
    try:
        asyncio.run(coro_factory(steps))
    except ScenarioFailure as err:
        print(f"RESULT FAIL: {err}", flush=True)
        sys.exit(EXIT_FAIL)
    except Exception as err:
        traceback.print_exc()
        print(f"RESULT FAIL: crashed in step {steps.current}: {type(err).__name__}: {err}",
              flush=True)
        sys.exit(EXIT_FAIL)
    print(f"RESULT OK ({time.monotonic() - steps.started:.1f}s)", flush=True)
    sys.stdout.flush()
    # Some libraries leave non-daemon executor threads behind; do not wait for them.
    os._exit(EXIT_OK)
