#!/usr/bin/env python3
"""End-to-end runner: real Telegram client libraries against a live echod (stdlib only).

    python3 tests/e2e/run.py [--list] [--only NAME] [--keep] [--timeout S] [--verbose]

Builds echod (`cargo build -p echod`, or uses $ECHOD_BIN), prepares the client
virtualenvs (setup.sh), starts echod on free ports with a fresh temp data dir and
ECHO_DEV_CODES=1, runs every scenario of scenarios.py as a subprocess under the
client's own venv python, and ends with the line `N passed, N failed`
(exit status 1 if anything failed). See README.md for what each scenario checks.
"""

import argparse
import os
import random
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from cluster import Cluster
from echod_process import Echod, free_port, locate_echod, tail_text
from garbage import GarbageStorm
from scenarios import build_scenarios, phone_for, select, shared_phone_prefixes

E2E = Path(__file__).resolve().parent
# Bearer token of echod's admin API during the suite (a test value, not a secret).
ADMIN_TOKEN = "echo-e2e-admin-token"
CLIENT_SCRIPTS = {
    "telethon": E2E / "clients" / "telethon_flow.py",
    "pyrofork": E2E / "clients" / "pyrofork_flow.py",
    "kurigram": E2E / "clients" / "kurigram_flow.py",
    "tdlib": E2E / "clients" / "tdlib_flow.py",
    # Stdlib Python driving cargo and a Rust binary (tests/e2e/grammers), so no venv of its own.
    "grammers": E2E / "clients" / "grammers_flow.py",
}
# MTProxy secret echod accepts during the suite; TDLib reaches Echo only through that route
# (every other client connects without it, which must keep working).
PROXY_SECRET = "00112233445566778899aabbccddeeff"
CACHE = Path(os.environ.get("ECHO_E2E_CACHE", Path.home() / ".cache" / "echo-e2e"))
HOST = "127.0.0.1"
# The garbage keeps coming for at least this long, even if the real login is quicker.
STORM_MIN_SECONDS = 8.0


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--list", action="store_true", help="list scenarios and exit")
    parser.add_argument("--only", metavar="NAME", help="run NAME (and what it depends on)")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (logs, data)")
    parser.add_argument("--timeout", type=float, default=120.0, help="per scenario, seconds")
    parser.add_argument("--suite-timeout", type=float, default=1800.0, help="whole run, seconds")
    parser.add_argument("--no-build", action="store_true", help="do not run cargo build")
    parser.add_argument("--no-setup", action="store_true", help="do not run setup.sh")
    parser.add_argument("--mysql", action="store_true",
                        help="run echod on a fresh MariaDB/MySQL database (ECHO_E2E_MYSQL_URL, "
                        "default mysql://root@127.0.0.1:3306) instead of SQLite; dropped at the end")
    parser.add_argument("--skip", metavar="NAMES", default="",
                        help="comma-separated scenarios not to run (none may be a dependency)")
    parser.add_argument("--split", action="store_true",
                        help="run every echod role as its own process (cluster.py: etcd, "
                        "tansu, Redis, MariaDB; two gnetways) instead of `echod run`; "
                        "implies --mysql and needs echod built with --features cluster")
    parser.add_argument("--verbose", action="store_true",
                        help="debug logging in clients; print client output on success too")
    return parser.parse_args(argv)


# Where --mysql creates its database (echod creates it; this script drops it).
MYSQL_BASE = os.environ.get("ECHO_E2E_MYSQL_URL", "mysql://root@127.0.0.1:3306").rstrip("/")


def drop_mysql_database(name):
    """Best effort: drop the run's database with the mysql client (root, no password)."""
    hostport = MYSQL_BASE.split("@")[-1]
    host, _, port = hostport.partition(":")
    user = MYSQL_BASE.split("//")[-1].split("@")[0] if "@" in MYSQL_BASE else "root"
    try:
        subprocess.run(["mysql", f"-u{user}", f"-h{host}", f"-P{port or '3306'}", "-e",
                        f"DROP DATABASE IF EXISTS `{name}`"], timeout=30,
                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    except (OSError, subprocess.TimeoutExpired):
        print(f"run.py: could not drop MySQL database {name}", flush=True)


class Outcome:
    def __init__(self, name, ok, reason="", seconds=0.0):
        self.name, self.ok, self.reason, self.seconds = name, ok, reason, seconds


class Runner:
    def __init__(self, args, workdir):
        self.args = args
        self.workdir = workdir
        self.run_tag = random.randrange(10000)
        self.started = time.monotonic()
        self.echod = None
        self.echod_problem = None
        self.start_failures = 0
        self.current_client = None
        self.venv_problem = {}
        self.outcomes = {}
        self.mysql_db = None
        self.retried = []

    # ------------------------------------------------------------ preparation

    def prepare(self):
        if not self.args.no_setup:
            done = subprocess.run(["bash", str(E2E / "setup.sh")], stdout=subprocess.PIPE,
                                  stderr=subprocess.STDOUT, text=True)
            print(done.stdout, end="", flush=True)
            if done.returncode != 0:
                print("run.py: setup.sh failed", flush=True)
        for client in CLIENT_SCRIPTS:
            if not self.venv_python(client).is_file():
                self.venv_problem[client] = f"no venv at {CACHE / client} (run setup.sh)"
        binary, why = locate_echod(not self.args.no_build, self.workdir / "build.log")
        if binary is None:
            print(f"run.py: echod unavailable: {why}", flush=True)
            self.echod_problem = "echod unavailable (see above)"
            return
        # The admin API is on for the admin scenarios (clients get the token in their env).
        extra_env = {"ECHO_ADMIN_TOKEN": ADMIN_TOKEN, "ECHO_PROXY_SECRET": PROXY_SECRET}
        if self.args.mysql or self.args.split:
            self.mysql_db = f"echo_e2e_{os.getpid()}_{self.run_tag}"
            extra_env["ECHO_DATABASE_URL"] = f"{MYSQL_BASE}/{self.mysql_db}"
            print(f"run.py: storage is MySQL database {self.mysql_db}", flush=True)
        if self.args.split:
            self.echod = Cluster(binary, self.workdir, self.workdir / "echod.log",
                                 extra_env.pop("ECHO_DATABASE_URL"), extra_env=extra_env)
            print(f"run.py: split deployment of {binary}: gnetways 127.0.0.1:{self.echod.port} "
                  f"and :{self.echod.port2}, admin HTTP 127.0.0.1:{self.echod.http_port}",
                  flush=True)
        else:
            self.echod = Echod(binary, self.workdir / "data", self.workdir / "echod.log",
                               free_port(), free_port(), extra_env=extra_env)
            while self.echod.http_port == self.echod.port:
                self.echod.http_port = free_port()
            print(f"run.py: echod {binary} MTProto 127.0.0.1:{self.echod.port} "
                  f"HTTP 127.0.0.1:{self.echod.http_port} data {self.echod.data_dir}",
                  flush=True)
        self.ensure_server()

    def venv_python(self, client):
        if client == "grammers":
            return Path(sys.executable)
        return CACHE / client / "bin" / "python"

    def ensure_server(self):
        """Starts echod if it is not running; remembers why it could not."""
        if self.echod is None or self.echod.alive():
            return
        if self.start_failures >= 2:
            return  # each failed start can cost a minute: stop trying
        offset = self.echod.log_offset()
        why = self.echod.start()
        if why is None:
            self.echod_problem = None
            return
        self.start_failures += 1
        self.echod.stop(grace=2)
        self.echod_problem = f"echod did not become ready: {why}"
        print(f"run.py: {self.echod_problem}\n--- echod log ---\n"
              f"{self.echod.log_since(offset, 40)}\n---", flush=True)

    # ------------------------------------------------------------ scenarios

    def remaining(self):
        return self.args.suite_timeout - (time.monotonic() - self.started)

    def session_file(self, scenario_name):
        return self.workdir / "sessions" / f"{scenario_name}.json"

    def client_command(self, scenario, timeout):
        script = (E2E / "clients" / scenario.script if scenario.script
                  else CLIENT_SCRIPTS[scenario.client])
        cmd = [str(self.venv_python(scenario.client)), "-u", str(script),
               HOST, str(self.echod.port), str(self.echod.pem_path),
               phone_for(self.run_tag, scenario.phone_slot), scenario.phase,
               str(self.session_file(scenario.session_of))]
        if scenario.client == "telethon":
            cmd.append(scenario.transport)
        if scenario.client == "tdlib":
            cmd += ["--secret", PROXY_SECRET]
        return cmd + ["--deadline", str(max(5.0, timeout - 10.0))]

    def start_client(self, scenario, timeout, log_path):
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        # For scenarios that also drive the admin API or the echod binary (admin_*.py).
        env.update(ECHO_E2E_HTTP=f"http://{HOST}:{self.echod.http_port}",
                   ECHO_E2E_ADMIN_TOKEN=ADMIN_TOKEN, ECHO_E2E_ECHOD_BIN=str(self.echod.binary),
                   ECHO_E2E_DATA_DIR=str(self.echod.data_dir))
        # A second gateway (split deployment): multi-user scenarios put their second user there.
        env["ECHO_E2E_PORT2"] = str(getattr(self.echod, "port2", self.echod.port))
        # The process serving media (the media role when split), for RSS measurements.
        media = self.echod.procs["media"].popen if isinstance(self.echod, Cluster) \
            else self.echod.proc
        if media is not None:
            env["ECHO_E2E_ECHOD_PID"] = str(media.pid)
        if self.args.verbose:
            env["ECHO_E2E_DEBUG"] = "1"
        log = open(log_path, "wb")
        try:
            self.current_client = subprocess.Popen(self.client_command(scenario, timeout), stdout=log,
                                    stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                    cwd=self.workdir, env=env, start_new_session=True)
            return self.current_client
        finally:
            log.close()

    @staticmethod
    def wait_client(proc, timeout):
        try:
            proc.wait(timeout)
            return None
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            return f"timed out after {timeout:.0f}s (killed)"

    def run_client(self, scenario, timeout, log_path, storm=None):
        """Runs one client script; returns None on success, else why it failed."""
        began = time.monotonic()
        if storm is not None:
            storm.start()
            time.sleep(1.0)  # let the garbage build up before the real client connects
        proc = self.start_client(scenario, timeout, log_path)
        if scenario.restart_role and isinstance(self.echod, Cluster):
            restarted = self.restart_mid_traffic(scenario.restart_role, proc, log_path, timeout)
            if restarted is not None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
                return restarted
        why = self.wait_client(proc, timeout)
        if storm is not None:
            storm.stop_event.wait(max(0.0, STORM_MIN_SECONDS - (time.monotonic() - began)))
            storm.stop()
            print(f"  {storm.summary()}", flush=True)
        output = log_path.read_text(errors="replace")
        if why is None and proc.returncode != 0:
            why = f"exit code {proc.returncode}"
        if why is None and "RESULT OK" not in output:
            why = "exited 0 without a RESULT OK line"
        if why is not None:
            results = [line for line in output.splitlines() if line.startswith("RESULT")]
            if results:
                why = f"{why}: {results[-1]}"
        return why

    def restart_mid_traffic(self, role, proc, log_path, timeout):
        """Waits for the client's TRAFFIC STARTED line, then SIGKILLs and restarts `role`."""
        deadline = time.monotonic() + timeout
        while "TRAFFIC STARTED" not in log_path.read_text(errors="replace"):
            if proc.poll() is not None or time.monotonic() > deadline:
                return None  # the client's own result says what went wrong
            time.sleep(0.05)
        why = self.echod.restart_role(role, kill=True)
        print(f"  {role} SIGKILLed and restarted mid-traffic", flush=True)
        return f"{role} did not come back: {why}" if why else None

    def run_restart(self):
        graceful, code, seconds = self.echod.stop(grace=10.0)
        problems = []
        if not graceful:
            problems.append("did not exit within 10s of SIGTERM (killed)")
        elif code != 0:
            problems.append(f"exited with code {code} after SIGTERM (expected 0)")
        print(f"  echod stopped in {seconds:.1f}s (exit code {code})", flush=True)
        self.ensure_server()
        if self.echod_problem:
            problems.append(self.echod_problem)
        return "; ".join(problems) or None

    def run_one(self, scenario):
        unmet = [d for d in scenario.depends if not self.outcomes.get(d, Outcome(d, False)).ok]
        if unmet:
            return f"not run: depends on {', '.join(unmet)} which did not pass", False
        if self.remaining() < 5:
            return "not run: suite timeout reached", False
        if scenario.kind == "restart":
            if self.echod is None:
                return self.echod_problem, False
            return self.run_restart(), True
        if scenario.client in self.venv_problem:
            return self.venv_problem[scenario.client], False
        self.ensure_server()
        if self.echod_problem:
            return self.echod_problem, False
        self.echod.note(f"scenario {scenario.name}")
        timeout = min(max(self.args.timeout, scenario.min_timeout), self.remaining())
        log_path = self.workdir / "logs" / f"{scenario.name}.log"
        storm = GarbageStorm(HOST, self.echod.port, max_seconds=timeout) \
            if scenario.kind == "garbage" else None
        why = self.run_client(scenario, timeout, log_path, storm)
        if not self.echod.alive():
            why = (why + "; " if why else "") + \
                f"echod died (exit code {self.echod.proc.returncode})"
        elif scenario.kind == "garbage" and not self.echod.healthz(timeout=5):
            why = (why + "; " if why else "") + "/healthz not OK after the garbage"
        return why, True

    def retry_after_replacing(self, scenario, why):
        """Split deployment: if a role stopped answering its health probe, it is replaced (its
        threads dumped to the log first) and the scenario runs once more: clients must then
        carry on with the replacement. Without an unhealthy role the failure stands."""
        replaced = self.echod.replace_unhealthy()
        if not replaced:
            return why
        print(f"  RETRY {scenario.name}: replaced unhealthy {', '.join(replaced)} "
              f"(first attempt: {why.splitlines()[0]}; stacks in the log)", flush=True)
        self.retried.append(f"{scenario.name} after replacing {', '.join(replaced)}")
        again, _ = self.run_one(scenario)
        return again

    def report_failure(self, scenario, why, log_offset, ran):
        print(f"FAIL {scenario.name}: {why}", flush=True)
        if not ran:
            return
        log_path = self.workdir / "logs" / f"{scenario.name}.log"
        if log_path.is_file():
            print(f"--- client output ({scenario.name}), last 60 lines ---")
            print(tail_text(log_path.read_text(errors="replace"), 60))
        if self.echod is not None:
            print("--- echod log during the scenario, last 60 lines ---")
            print(self.echod.log_since(log_offset, 60))
        print("---", flush=True)

    def run_all(self, scenarios):
        for directory in ("logs", "sessions"):
            (self.workdir / directory).mkdir(parents=True, exist_ok=True)
        for scenario in scenarios:
            print(f"RUN  {scenario.name}", flush=True)
            began = time.monotonic()
            offset = self.echod.log_offset() if self.echod else 0
            try:
                why, ran = self.run_one(scenario)
                if why is not None and ran and isinstance(self.echod, Cluster):
                    why = self.retry_after_replacing(scenario, why)
            except Exception as err:  # a bug in the harness must not stop the summary
                why, ran = f"runner error: {type(err).__name__}: {err}", False
            seconds = time.monotonic() - began
            self.outcomes[scenario.name] = Outcome(scenario.name, why is None, why or "", seconds)
            if why is None:
                print(f"PASS {scenario.name} ({seconds:.1f}s)", flush=True)
                log_path = self.workdir / "logs" / f"{scenario.name}.log"
                if self.args.verbose and log_path.is_file():
                    print(log_path.read_text(errors="replace"))
            else:
                self.report_failure(scenario, why, offset, ran)

    def shutdown(self):
        client = self.current_client
        if client is not None and client.poll() is None:
            os.killpg(client.pid, signal.SIGKILL)
            client.wait()
        if self.echod is not None and self.echod.alive():
            self.echod.stop(grace=10.0)
        if isinstance(self.echod, Cluster):
            self.echod.shutdown()
        if self.mysql_db is not None:
            drop_mysql_database(self.mysql_db)

    def summary(self, scenarios):
        print("\n=== e2e summary ===")
        for scenario in scenarios:
            outcome = self.outcomes.get(scenario.name)
            if outcome is None:
                print(f"FAIL {scenario.name}: not run")
            elif outcome.ok:
                print(f"PASS {scenario.name} ({outcome.seconds:.1f}s)")
            else:
                print(f"FAIL {scenario.name}: {outcome.reason.splitlines()[0]}")
        passed = sum(1 for s in scenarios if self.outcomes.get(s.name, Outcome("", False)).ok)
        failed = len(scenarios) - passed
        for retry in self.retried:
            print(f"RETRIED {retry}")
        print(f"{passed} passed, {failed} failed", flush=True)
        return failed


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    table = build_scenarios()
    shared = shared_phone_prefixes(Path(__file__).parent / "clients")
    if shared:
        print(f"run.py: phone prefixes used by more than one client script: {shared}",
              file=sys.stderr)
        return 2
    if args.list:
        for scenario in table:
            print(f"{scenario.name:32} {scenario.description}")
        return 0
    try:
        scenarios = select(table, args.only) if args.only else table
        skipped = {name for name in args.skip.split(",") if name}
        scenarios = [s for s in scenarios if s.name not in skipped]
    except KeyError:
        print(f"run.py: no scenario named {args.only!r} (see --list)", file=sys.stderr)
        return 2
    workdir = Path(tempfile.mkdtemp(prefix="echo-e2e-"))
    runner = Runner(args, workdir)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    try:
        runner.prepare()
        runner.run_all(scenarios)
    except KeyboardInterrupt:
        print("run.py: interrupted", flush=True)
    finally:
        runner.shutdown()
        if args.keep:
            print(f"run.py: kept {workdir}", flush=True)
        else:
            shutil.rmtree(workdir, ignore_errors=True)
        failed = runner.summary(scenarios)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
