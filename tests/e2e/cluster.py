"""The split deployment under test: every echod role as its own process (stdlib only).

Starts etcd and a Kafka-protocol broker (tansu) on free loopback ports, then
authsession, msg, media, bff, two sessions, sync and two gnetways, all on MariaDB and the
machine's Redis, and offers the same interface as `echod_process.Echod` so run.py
can drive the real-client suite against it (`run.py --split`): `port` is gnetway 1,
`port2` gnetway 2, `http_port` the bff's admin API. All processes append to one log.

Needs: etcd (Debian etcd-server), tansu (scripts/cluster-deps.sh installs it) and an
echod built with `--features cluster`.
"""

import os
import shutil
import signal
import subprocess
import time
import urllib.error
import urllib.request
from pathlib import Path

from echod_process import LogView, free_port

# Two session instances (auth keys are spread over them) and two gateways.
ROLES = ("authsession", "msg", "media", "bff", "session1", "session2", "sync")
GATEWAYS = ("gnetway1", "gnetway2")


def find_tool(name):
    for candidate in (shutil.which(name), Path.home() / ".cargo" / "bin" / name):
        if candidate and Path(candidate).is_file():
            return str(candidate)
    return None


def _http_ok(port, path="/healthz", timeout=2.0):
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=timeout) as r:
            return r.status == 200
    except (urllib.error.URLError, OSError, ValueError):
        return False


def _port_open(port):
    import socket
    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


class Proc:
    def __init__(self, name, cmd, env, ready):
        self.name, self.cmd, self.env, self.ready = name, cmd, env, ready
        self.popen = None

    def alive(self):
        return self.popen is not None and self.popen.poll() is None


class Cluster(LogView):
    NOTE_PREFIX = "cluster"

    def __init__(self, binary, workdir, log_path, database_url, extra_env=None):
        self.binary = Path(binary)
        self.workdir = Path(workdir)
        self.data_dir = self.workdir / "data"
        self.log_path = Path(log_path)
        self.database_url = database_url
        self.extra_env = dict(extra_env or {})
        self.port, self.port2 = free_port(), free_port()
        self.http_port = free_port()
        self.etcd_port, self.etcd_peer, self.kafka_port = free_port(), free_port(), free_port()
        self.redis_url = f"redis://127.0.0.1:6379/{1 + os.getpid() % 15}"
        self.infra = []
        self.procs = {}
        self.starts = 0

    # ---------------------------------------------------------- Echod's interface

    @property
    def pem_path(self):
        return self.data_dir / "server_public.pem"

    @property
    def proc(self):
        """The first dead role (for its exit code), else gnetway 1."""
        for p in self.procs.values():
            if p.popen is not None and p.popen.poll() is not None:
                return p.popen
        return self.procs["gnetway1"].popen

    def alive(self):
        return bool(self.procs) and all(p.alive() for p in self.procs.values())

    def healthz(self, timeout=2.0):
        return all(_http_ok(p.ready, timeout=timeout) for p in self.procs.values())

    def start(self, ready_timeout=90.0):
        """Starts infrastructure (once) and every role; None when all are healthy."""
        self.data_dir.mkdir(parents=True, exist_ok=True)
        if not self.infra:
            why = self._start_infra(ready_timeout)
            if why:
                return why
        if not self.procs:
            self._plan_roles()
        self.starts += 1
        # Keys first, so the two gateways do not race to create them.
        subprocess.run([str(self.binary), "public-key", "--data-dir", str(self.data_dir)],
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
        for name in ROLES + GATEWAYS:
            why = self._spawn(self.procs[name], ready_timeout)
            if why:
                return why
        return None

    def stop(self, grace=10.0):
        """Stops the roles (infrastructure keeps running). Returns (graceful, code, s)."""
        began, graceful, code = time.monotonic(), True, 0
        for name in reversed(ROLES + GATEWAYS):
            g, c = self._stop_one(self.procs.get(name), grace)
            graceful, code = graceful and g, code if c in (0, None) else c
        return graceful, code, time.monotonic() - began

    def shutdown(self):
        self.stop(grace=5.0)
        for popen in self.infra:
            if popen.poll() is None:
                popen.terminate()
                try:
                    popen.wait(5)
                except subprocess.TimeoutExpired:
                    popen.kill()
        self.infra = []

    def replace_unhealthy(self):
        """Roles whose /healthz does not answer are replaced, as an orchestrator would: their
        threads go to the log (gdb), then SIGKILL and a fresh start. Returns their names."""
        replaced = []
        for name, proc in self.procs.items():
            if proc.alive() and _http_ok(proc.ready, timeout=3.0):
                continue
            if proc.alive():
                self._dump_threads(proc)
            self.note(f"{name} unhealthy: replacing it")
            why = self.restart_role(name, kill=True, down_seconds=0.0)
            replaced.append(name if why is None else f"{name} (restart failed: {why})")
        return replaced

    def restart_role(self, name, kill=True, down_seconds=2.0, ready_timeout=60.0):
        """SIGKILL (or SIGTERM) one role, leave it down a while, start it again."""
        proc = self.procs[name]
        if proc.alive():
            if kill:
                proc.popen.kill()
                proc.popen.wait()
                self.note(f"{name} killed (SIGKILL)")
            else:
                self._stop_one(proc, 10.0)
        time.sleep(down_seconds)
        return self._spawn(proc, ready_timeout)

    # ---------------------------------------------------------- internals

    def _env(self):
        env = dict(os.environ)
        env.setdefault("RUST_BACKTRACE", "1")
        env.setdefault("NO_COLOR", "1")
        env.update(self.extra_env)
        env.update(ECHO_DEV_CODES="1", ECHO_DATABASE_URL=self.database_url,
                   ECHO_ETCD=f"127.0.0.1:{self.etcd_port}", ECHO_REDIS_URL=self.redis_url,
                   ECHO_KAFKA_BROKERS=f"127.0.0.1:{self.kafka_port}",
                   ECHO_DATA_DIR=str(self.data_dir))
        return env

    def _plan_roles(self):
        for name in ROLES + GATEWAYS:
            grpc, http = free_port(), free_port()
            role = name.rstrip("12")
            env = self._env()
            env.update(ECHO_GRPC_LISTEN=f"127.0.0.1:{grpc}",
                       ECHO_HTTP=f"127.0.0.1:{self.http_port if name == 'bff' else http}")
            if role == "gnetway":
                port = self.port if name == "gnetway1" else self.port2
                env.update(ECHO_LISTEN=f"127.0.0.1:{port}",
                           ECHO_PUBLIC_ADDR=f"127.0.0.1:{port}")
            else:
                env["ECHO_PUBLIC_ADDR"] = f"127.0.0.1:{self.port}"
            ready = self.http_port if name == "bff" else http
            self.procs[name] = Proc(name, [str(self.binary), role], env, ready)

    def _spawn(self, proc, ready_timeout):
        self.note(f"start {proc.name}: {' '.join(proc.cmd)}")
        log = open(self.log_path, "ab")
        try:
            proc.popen = subprocess.Popen(proc.cmd, stdout=log, stderr=subprocess.STDOUT,
                                          stdin=subprocess.DEVNULL, env=proc.env,
                                          start_new_session=True)
        except OSError as err:
            return f"could not start {proc.name}: {err}"
        finally:
            log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if not proc.alive():
                return f"{proc.name} exited with code {proc.popen.returncode} before /healthz"
            if _http_ok(proc.ready):
                return None
            time.sleep(0.2)
        return f"{proc.name}: /healthz not 200 within {ready_timeout:.0f}s"

    def _stop_one(self, proc, grace):
        if proc is None or proc.popen is None or proc.popen.poll() is not None:
            return True, None
        proc.popen.send_signal(signal.SIGTERM)
        try:
            proc.popen.wait(grace)
            return True, proc.popen.returncode
        except subprocess.TimeoutExpired:
            self._dump_threads(proc)
            proc.popen.kill()
            proc.popen.wait()
            self.note(f"{proc.name} ignored SIGTERM: killed")
            return False, proc.popen.returncode

    def _dump_threads(self, proc):
        """Every thread's stack of a hung role, into the log (gdb, when installed)."""
        gdb = shutil.which("gdb")
        if not gdb:
            return
        try:
            out = subprocess.run([gdb, "-p", str(proc.popen.pid), "-batch", "-ex",
                                  "thread apply all bt 30"], capture_output=True, text=True,
                                 timeout=60).stdout
        except (OSError, subprocess.TimeoutExpired):
            return
        self.note(f"{proc.name} did not stop; its threads:\n{out}")

    def _start_infra(self, ready_timeout):
        etcd, tansu = find_tool("etcd"), find_tool("tansu")
        if not etcd or not tansu:
            return "etcd or tansu missing (run scripts/cluster-deps.sh)"
        log = open(self.log_path, "ab")
        etcd_dir = self.workdir / "etcd"
        self.infra.append(subprocess.Popen(
            [etcd, "--data-dir", str(etcd_dir), "--name", "echo-e2e",
             "--listen-client-urls", f"http://127.0.0.1:{self.etcd_port}",
             "--advertise-client-urls", f"http://127.0.0.1:{self.etcd_port}",
             "--listen-peer-urls", f"http://127.0.0.1:{self.etcd_peer}",
             "--initial-advertise-peer-urls", f"http://127.0.0.1:{self.etcd_peer}",
             "--initial-cluster", f"echo-e2e=http://127.0.0.1:{self.etcd_peer}"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        self.infra.append(subprocess.Popen(
            [tansu, "broker", "--listener-url", f"tcp://127.0.0.1:{self.kafka_port}",
             "--advertised-listener-url", f"tcp://127.0.0.1:{self.kafka_port}",
             "--storage-engine", "memory://tansu/"],
            stdout=log, stderr=subprocess.STDOUT, start_new_session=True))
        log.close()
        deadline = time.monotonic() + ready_timeout
        while time.monotonic() < deadline:
            if all(_port_open(p) for p in (self.etcd_port, self.kafka_port)):
                return None
            if any(p.poll() is not None for p in self.infra):
                return "etcd or tansu exited at start (see the log)"
            time.sleep(0.2)
        return "etcd or tansu did not listen in time"


if __name__ == "__main__":
    # Manual use: start the whole split deployment and keep it up until Ctrl-C.
    import sys
    import tempfile
    binary = sys.argv[1] if len(sys.argv) > 1 else "target/debug/echod"
    db = os.environ.get("ECHO_DATABASE_URL", "mysql://root@127.0.0.1:3306/echo_cluster")
    work = Path(tempfile.mkdtemp(prefix="echo-cluster-"))
    cluster = Cluster(binary, work, work / "cluster.log", db)
    why = cluster.start()
    print(why or f"up: gnetways 127.0.0.1:{cluster.port} and :{cluster.port2}, "
          f"admin http://127.0.0.1:{cluster.http_port}, log {cluster.log_path}", flush=True)
    try:
        while why is None:
            time.sleep(1)
    except KeyboardInterrupt:
        pass
    cluster.shutdown()
