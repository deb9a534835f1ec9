#!/usr/bin/env python3
"""grammers (Rust, layer 230) e2e flow: builds tests/e2e/grammers with a patched grammers-mtproto.

    grammers_flow.py HOST PORT PEM PHONE signup|login SESSION_FILE --deadline S

grammers' RSA key table (`key_for_fingerprint` in grammers-mtproto's authentication.rs) is
private, so at test time this copies the grammers-mtproto crate from the cargo registry into
the cache, adds an arm for Echo's key (n, e and fingerprint read from PEM), and builds a copy of
tests/e2e/grammers with `[patch.crates-io]` pointing at it. Nothing from grammers is stored in
the repository. Cache: $ECHO_E2E_CACHE (default ~/.cache/echo-e2e): grammers-build/ (project
copy + patched crate) and grammers-target/ (CARGO_TARGET_DIR; the first build takes minutes).
Then runs the binary, which prints `RESULT OK` or `RESULT FAIL: why`. Stdlib only.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from common import read_pem, rsa_fingerprint, rsa_public_key_from_pem  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent / "grammers"
CACHE = Path(os.environ.get("ECHO_E2E_CACHE", Path.home() / ".cache" / "echo-e2e"))
BUILD = CACHE / "grammers-build"
TARGET = CACHE / "grammers-target"
MTPROTO = "grammers-mtproto"
# The line the patch inserts its arm after, in grammers-mtproto 0.11's key_for_fingerprint.
ANCHOR = "    Some(match fingerprint {\n"


def fail(why):
    print(f"RESULT FAIL: {why}", flush=True)
    sys.exit(1)


def write_if_changed(path, text):
    """Keeps mtimes stable so cargo does not rebuild an unchanged crate."""
    path.parent.mkdir(parents=True, exist_ok=True)
    if path.is_file() and path.read_text() == text:
        return
    path.write_text(text)


def run_cargo(args, cwd, timeout):
    log = BUILD / f"{args[0]}.log"
    env = dict(os.environ, CARGO_TARGET_DIR=str(TARGET))
    began = time.monotonic()
    try:
        done = subprocess.run(["cargo", *args], cwd=cwd, env=env, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        fail(f"cargo {args[0]} timed out after {timeout:.0f}s (log {log})")
    except OSError as err:
        fail(f"cannot run cargo: {err}")
    log.write_text(done.stdout + done.stderr)
    print(f"cargo {args[0]}: exit {done.returncode} in {time.monotonic() - began:.1f}s", flush=True)
    if done.returncode != 0:
        print("\n".join(done.stderr.splitlines()[-40:]), flush=True)
        fail(f"cargo {args[0]} failed (log {log})")
    return done.stdout


def copy_project(into, patch=""):
    """A copy of tests/e2e/grammers in `into`, as its own workspace, plus `patch` if given."""
    for rel in ("Cargo.lock", "src/main.rs"):
        source = PROJECT / rel
        if source.is_file():
            write_if_changed(into / rel, source.read_text())
    write_if_changed(into / "Cargo.toml",
                     (PROJECT / "Cargo.toml").read_text() + "\n[workspace]\n" + patch)


def registry_mtproto_dir(timeout):
    copy_project(BUILD / "probe")
    metadata = json.loads(run_cargo(["metadata", "--format-version", "1"], BUILD / "probe",
                                    timeout))
    for package in metadata["packages"]:
        if package["name"] == MTPROTO and package["source"] and "registry" in package["source"]:
            return Path(package["manifest_path"]).parent
    fail(f"{MTPROTO} from crates.io not in cargo metadata (patched already?)")


def patch_mtproto(source_dir, n, e):
    """Copies the crate to BUILD/grammers-mtproto and adds Echo's key to its key table."""
    patched = BUILD / MTPROTO
    auth_rs = source_dir / "src" / "authentication.rs"
    for path in source_dir.rglob("*"):
        # authentication.rs is written patched below; copying it first would touch its mtime.
        if path.is_file() and path.name != ".cargo-ok" and path != auth_rs:
            rel = path.relative_to(source_dir)
            target = patched / rel
            if not target.is_file() or target.read_bytes() != path.read_bytes():
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(path, target)
    text = auth_rs.read_text()
    if ANCHOR not in text or "fn key_for_fingerprint" not in text:
        fail(f"{auth_rs}: key_for_fingerprint not found (grammers-mtproto changed?): "
             "update the patch")
    arm = (f"        // Echo e2e: the test server's key.\n"
           f"        {rsa_fingerprint(n, e)} => rsa::Key::new(\"{n}\", \"{e}\").unwrap(),\n")
    head, tail = text.split("fn key_for_fingerprint", 1)
    write_if_changed(patched / "src" / "authentication.rs",
                     head + "fn key_for_fingerprint" + tail.replace(ANCHOR, ANCHOR + arm, 1))
    return patched


def build(pem_path, timeout):
    began = time.monotonic()
    n, e = rsa_public_key_from_pem(read_pem(pem_path))
    source_dir = registry_mtproto_dir(timeout)
    patched = patch_mtproto(source_dir, n, e)
    patch = f"\n[patch.crates-io]\n{MTPROTO} = {{ path = \"{patched}\" }}\n"
    copy_project(BUILD / "project", patch)
    run_cargo(["build", "--quiet"], BUILD / "project",
              max(30.0, timeout - (time.monotonic() - began)))
    binary = TARGET / "debug" / "echo-e2e-grammers"
    if not binary.is_file():
        fail(f"cargo build succeeded but {binary} is missing")
    print(f"grammers client built in {time.monotonic() - began:.1f}s "
          f"(Echo key fingerprint {rsa_fingerprint(n, e)})", flush=True)
    return binary


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("host", "port", "pem", "phone", "phase", "session"):
        parser.add_argument(name)
    parser.add_argument("--deadline", type=float, default=600.0)
    args = parser.parse_args()
    began = time.monotonic()
    binary = build(args.pem, args.deadline - 30.0)
    left = args.deadline - (time.monotonic() - began)
    if left < 10:
        fail(f"no time left to run the client after the build ({left:.0f}s)")
    run_seconds = min(left - 5.0, 90.0)
    try:
        done = subprocess.run([str(binary), args.host, args.port, args.phone, args.phase,
                               args.session, str(run_seconds)], timeout=run_seconds + 5.0,
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    except subprocess.TimeoutExpired:
        fail(f"the grammers client hung past its own {run_seconds:.0f}s deadline")
    print(done.stdout, end="", flush=True)
    if done.returncode != 0 and "RESULT FAIL" not in done.stdout:
        fail(f"the grammers client exited with {done.returncode} (panic?)")
    sys.exit(done.returncode)


if __name__ == "__main__":
    main()
