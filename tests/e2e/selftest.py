#!/usr/bin/env python3
"""Self-tests of the e2e harness itself (stdlib unittest; no echod needed).

    python3 tests/e2e/selftest.py

Checks the RSA fingerprint code against a published key, the scenario table, the
garbage generator's bounds, and the runner end to end against fake_echod.py
(which speaks no MTProto, so every client scenario must fail cleanly while the
restart scenario passes).
"""

import base64
import os
import re
import socket
import subprocess
import sys
import threading
import unittest
from pathlib import Path

E2E = Path(__file__).resolve().parent
sys.path[:0] = [str(E2E), str(E2E / "clients")]

import common  # noqa: E402
import fake_echod  # noqa: E402
import garbage  # noqa: E402
import scenarios  # noqa: E402

CACHE = Path(os.environ.get("ECHO_E2E_CACHE", Path.home() / ".cache" / "echo-e2e"))
SUMMARY = re.compile(r"^(\d+) passed, (\d+) failed$")


def der(tag, body):
    if len(body) < 0x80:
        return bytes([tag, len(body)]) + body
    size = len(body).to_bytes((len(body).bit_length() + 7) // 8, "big")
    return bytes([tag, 0x80 | len(size)]) + size + body


class RsaKeyTest(unittest.TestCase):
    # Fingerprint printed next to this key in Telegram's published key list.
    KNOWN_FINGERPRINT = -3997872768018684475

    def test_pkcs1_fingerprint_matches_published_value(self):
        n, e = common.rsa_public_key_from_pem(fake_echod.TEST_PEM)
        self.assertEqual(e, 65537)
        self.assertEqual(n.bit_length(), 2048)
        self.assertEqual(common.rsa_fingerprint(n, e), self.KNOWN_FINGERPRINT)

    def test_spki_wrapping_gives_the_same_key(self):
        lines = fake_echod.TEST_PEM.strip().splitlines()[1:-1]
        pkcs1 = base64.b64decode("".join(lines))
        algorithm = der(0x30, der(0x06, bytes.fromhex("2a864886f70d010101")) + der(0x05, b""))
        spki = der(0x30, algorithm + der(0x03, b"\x00" + pkcs1))
        text = base64.encodebytes(spki).decode()
        pem = f"-----BEGIN PUBLIC KEY-----\n{text}-----END PUBLIC KEY-----\n"
        self.assertEqual(common.rsa_public_key_from_pem(pem),
                         common.rsa_public_key_from_pem(fake_echod.TEST_PEM))

    def test_malformed_pem_is_rejected(self):
        for bad in ("", "hello", "-----BEGIN RSA PUBLIC KEY-----\nAAAA\n-----END RSA PUBLIC KEY-----",
                    "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----"):
            with self.assertRaises(ValueError):
                common.rsa_public_key_from_pem(bad)

    def test_tl_bytes_padding_and_long_prefix(self):
        self.assertEqual(common.tl_bytes(b""), b"\x00\x00\x00\x00")
        self.assertEqual(common.tl_bytes(b"abc"), b"\x03abc")
        self.assertEqual(len(common.tl_bytes(b"x" * 253)), 256)
        long = common.tl_bytes(b"x" * 256)
        self.assertEqual(long[:4], b"\xfe\x00\x01\x00")
        self.assertEqual(len(long) % 4, 0)


class ScenarioTableTest(unittest.TestCase):
    def setUp(self):
        self.table = scenarios.build_scenarios()
        self.names = [s.name for s in self.table]

    def test_names_unique_and_dependencies_run_earlier(self):
        self.assertEqual(len(self.names), len(set(self.names)))
        for index, scenario in enumerate(self.table):
            for dep in scenario.depends + scenario.after:
                self.assertIn(dep, self.names[:index], f"{scenario.name} needs {dep} first")

    def test_every_client_has_signup_login_resume(self):
        for client in ("telethon", "pyrofork", "kurigram"):
            phases = {s.phase for s in self.table if s.client == client and s.kind == "client"}
            self.assertEqual(phases, {"signup", "login", "resume"}, client)
        transports = {s.transport for s in self.table
                      if s.client == "telethon" and s.phase == "signup"}
        self.assertEqual(transports, set(scenarios.TELETHON_TRANSPORTS))

    def test_signup_phones_are_distinct_test_numbers(self):
        signups = [s for s in self.table if s.phase == "signup"]
        phones = [scenarios.phone_for(42, s.phone_slot) for s in signups]
        self.assertEqual(len(phones), len(set(phones)))
        for phone in phones:
            self.assertRegex(phone, r"^99966\d{5}$")

    def test_select_pulls_in_dependencies_in_order(self):
        picked = [s.name for s in scenarios.select(self.table, "telethon_resume")]
        self.assertEqual(picked, [scenarios.TELETHON_BASE, "echod_restart", "telethon_resume"])
        picked = [s.name for s in scenarios.select(self.table, "kurigram_login")]
        self.assertEqual(picked, ["kurigram_signup", "kurigram_login"])
        with self.assertRaises(KeyError):
            scenarios.select(self.table, "nope")

    def test_client_args_validation(self):
        args = common.parse_args("telethon", with_transport=True,
                                 argv=["127.0.0.1", "1", "k.pem", "999", "signup", "s.json"])
        self.assertEqual(args.transport, "full")
        with self.assertRaises(SystemExit):
            common.parse_args("x", argv=["h", "1", "k.pem", "+999", "signup", "s.json"])


class GarbageTest(unittest.TestCase):
    def test_patterns_are_bounded(self):
        rng = garbage.random.Random(7)
        for _ in range(20):
            for name, chunks in garbage.pattern_payloads(rng):
                total = sum(len(c) for c in chunks if c is not None)
                self.assertLess(total, 8192, name)
        self.assertEqual(len(garbage.PATTERN_NAMES), len(set(garbage.PATTERN_NAMES)))

    def test_refuses_non_loopback_targets(self):
        with self.assertRaises(ValueError):
            garbage.GarbageStorm("10.0.0.1", 443)

    def test_storm_hits_a_local_listener_and_stops(self):
        listener = socket.create_server(("127.0.0.1", 0))
        port = listener.getsockname()[1]
        accepted = []

        def accept_loop():
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                accepted.append(1)
                conn.close()

        threading.Thread(target=accept_loop, daemon=True).start()
        storm = garbage.GarbageStorm("127.0.0.1", port, connections=3, max_rounds=4,
                                     hold_seconds=0.05)
        storm.start()
        for thread in storm.threads:
            thread.join(60)
        storm.stop()
        listener.close()
        self.assertFalse(any(t.is_alive() for t in storm.threads))
        self.assertGreater(len(accepted), 0)
        self.assertIn("garbage connections", storm.summary())


class RunnerAgainstFakeEchodTest(unittest.TestCase):
    def run_runner(self, only, echod_bin, mode="close"):
        env = dict(os.environ, ECHOD_BIN=str(echod_bin), FAKE_ECHOD_MODE=mode)
        done = subprocess.run([sys.executable, str(E2E / "run.py"), "--no-setup", "--no-build",
                               "--only", only, "--timeout", "60"],
                              stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                              env=env, timeout=300)
        last = done.stdout.strip().splitlines()[-1]
        match = SUMMARY.match(last)
        self.assertIsNotNone(match, f"last line {last!r} is not a summary:\n{done.stdout}")
        return done.returncode, int(match.group(1)), int(match.group(2)), done.stdout

    def test_restart_passes_against_fake(self):
        code, passed, failed, out = self.run_runner("echod_restart", E2E / "fake_echod.py")
        self.assertEqual((code, passed, failed), (0, 1, 0), out)

    def test_restart_fails_when_sigterm_is_ignored(self):
        code, passed, failed, out = self.run_runner("echod_restart", E2E / "fake_echod.py",
                                                    mode="ignore-term")
        self.assertEqual((code, passed, failed), (1, 0, 1), out)
        self.assertIn("did not exit within 10s of SIGTERM", out)

    def test_missing_echod_fails_everything_cleanly(self):
        code, passed, failed, out = self.run_runner("telethon_login", "/nonexistent/echod")
        self.assertEqual((code, passed, failed), (1, 0, 2), out)

    @unittest.skipUnless((CACHE / "telethon" / "bin" / "python").is_file(), "run setup.sh")
    def test_client_fails_with_a_connection_error(self):
        code, passed, failed, out = self.run_runner("telethon_signup_full", E2E / "fake_echod.py")
        self.assertEqual((code, passed, failed), (1, 0, 1), out)
        self.assertIn("RESULT FAIL: connect", out)


@unittest.skipUnless(all((CACHE / c / "bin" / "python").is_file() for c in ("telethon", "kurigram")),
                     "run setup.sh")
class RunnerAgainstMockServerTest(unittest.TestCase):
    """The whole suite against mock/mock_echod.py, a Python MTProto server (layer 229).

    Telethon and Kurigram scenarios must pass, which proves the client scripts and the
    runner work end to end. Pyrofork (layer 220) cannot parse the mock's layer-229
    objects, so its scenarios are not judged here.
    """

    def test_layer_229_clients_pass_against_the_mock(self):
        env = dict(os.environ, ECHOD_BIN=str(E2E / "mock" / "echod"))
        done = subprocess.run([sys.executable, str(E2E / "run.py"), "--no-setup", "--no-build",
                               "--timeout", "90"], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, env=env, timeout=900)
        summary = done.stdout[done.stdout.rfind("=== e2e summary ==="):]
        results = {name: verdict for verdict, name in
                   re.findall(r"^(PASS|FAIL) (\S+?)(?::| \()", summary, re.M)}
        judged = {name: v for name, v in results.items() if not name.startswith("pyrofork")}
        self.assertEqual(len(judged), 11, summary)
        self.assertEqual({n for n, v in judged.items() if v != "PASS"}, set(), done.stdout[-6000:])


if __name__ == "__main__":
    unittest.main(verbosity=2)
