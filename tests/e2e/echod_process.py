"""Starting, probing and stopping the `echod` server under test (stdlib only).

echod's contract, as used here:
    echod run --data-dir DIR --listen 127.0.0.1:PORT --http 127.0.0.1:HTTPPORT
- `GET /healthz` on the HTTP port answers 200 once the server is ready;
- `DIR/server_public.pem` (PKCS#1) is written on first start;
- ECHO_DEV_CODES=1 makes every login code 12345;
- SIGTERM shuts it down gracefully within a few seconds.
"""

import os
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]


def free_port():
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def tail_text(text, lines):
    return "\n".join(text.splitlines()[-lines:])


def locate_echod(build, log_path):
    """Returns (path, None) or (None, why): $ECHOD_BIN, else `cargo build -p echod` with the
    `cluster` feature (the same binary serves `echod run` and the split roles)."""
    override = os.environ.get("ECHOD_BIN")
    if override:
        path = Path(override)
        if not (path.is_file() and os.access(path, os.X_OK)):
            return None, f"ECHOD_BIN={override} is not an executable file"
        return path, None
    target = Path(os.environ.get("CARGO_TARGET_DIR", REPO / "target"))
    path = target / "debug" / "echod"
    if build:
        print("run.py: cargo build -p echod ...", flush=True)
        with open(log_path, "wb") as log:
            try:
                done = subprocess.run(["cargo", "build", "-p", "echod", "--features", "cluster"], cwd=REPO, stdout=log,
                                      stderr=subprocess.STDOUT, timeout=1800)
            except (OSError, subprocess.TimeoutExpired) as err:
                return None, f"cargo build -p echod could not run: {err}"
        if done.returncode != 0:
            output = Path(log_path).read_text(errors="replace")
            return None, f"cargo build -p echod failed:\n{tail_text(output, 40)}"
    if not path.is_file():
        return None, f"{path} does not exist (build it, or set ECHOD_BIN)"
    return path, None


class LogView:
    """The server log the runner reads back (shared by `Echod` and `cluster.Cluster`)."""

    log_path: Path
    NOTE_PREFIX = "run.py"

    def log_offset(self):
        try:
            return self.log_path.stat().st_size
        except FileNotFoundError:
            return 0

    def log_since(self, offset, lines=60):
        try:
            with open(self.log_path, "rb") as handle:
                handle.seek(offset)
                text = handle.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return "(no echod log)"
        return tail_text(text, lines) or "(echod printed nothing)"

    def note(self, message):
        with open(self.log_path, "ab") as log:
            log.write(f"=== {self.NOTE_PREFIX}: {message}\n".encode())


class Echod(LogView):
    """One echod process at a time, restartable on the same ports and data dir."""

    def __init__(self, binary, data_dir, log_path, port, http_port, extra_env=None):
        self.binary = Path(binary)
        self.data_dir = Path(data_dir)
        self.log_path = Path(log_path)
        self.port = port
        self.http_port = http_port
        self.extra_env = dict(extra_env or {})
        self.proc = None
        self.starts = 0

    @property
    def pem_path(self):
        return self.data_dir / "server_public.pem"

    def alive(self):
        return self.proc is not None and self.proc.poll() is None

    def healthz(self, timeout=2.0):
        url = f"http://127.0.0.1:{self.http_port}/healthz"
        try:
            with urllib.request.urlopen(url, timeout=timeout) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError, ValueError):
            return False

    def start(self, ready_timeout=60.0):
        """Starts echod; returns None when healthy with its PEM written, else why not."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = dict(os.environ)
        env.setdefault("RUST_BACKTRACE", "1")
        env.setdefault("RUST_LOG", "info")
        env.setdefault("NO_COLOR", "1")  # plain log lines in echod.log
        env["ECHO_DEV_CODES"] = "1"
        env.update(self.extra_env)
        cmd = [str(self.binary), "run", "--data-dir", str(self.data_dir),
               "--listen", f"127.0.0.1:{self.port}", "--http", f"127.0.0.1:{self.http_port}"]
        self.starts += 1
        self.note(f"start #{self.starts}: {' '.join(cmd)}")
        log = open(self.log_path, "ab")
        try:
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True)
        except OSError as err:
            return f"could not start {self.binary}: {err}"
        finally:
            log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if not self.alive():
                return f"echod exited with code {self.proc.returncode} before /healthz answered"
            if self.healthz():
                break
            time.sleep(0.2)
        else:
            return f"/healthz on port {self.http_port} not 200 within {ready_timeout:.0f}s"
        while not self.pem_path.is_file():
            if time.monotonic() > deadline:
                return f"{self.pem_path} not written within {ready_timeout:.0f}s"
            time.sleep(0.1)
        return None

    def stop(self, grace=10.0):
        """SIGTERM, then SIGKILL after `grace` s. Returns (graceful, exit_code, seconds)."""
        if self.proc is None:
            return True, None, 0.0
        began = time.monotonic()
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(grace)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
                self.note(f"echod ignored SIGTERM for {grace:.0f}s: killed")
                return False, self.proc.returncode, time.monotonic() - began
        code = self.proc.returncode
        self.note(f"echod exited with code {code}")
        return True, code, time.monotonic() - began
