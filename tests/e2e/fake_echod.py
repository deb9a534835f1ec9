#!/usr/bin/env python3
"""A stand-in for echod that speaks no MTProto, used to test the e2e harness itself.

    ECHOD_BIN=tests/e2e/fake_echod.py python3 tests/e2e/run.py ...

It honours echod's command line (`run --data-dir D --listen H:P --http H:P`),
serves `GET /healthz`, writes D/server_public.pem and exits 0 on SIGTERM, so the
runner's start / restart / report paths can be checked while the real server does
not work yet. Every client scenario must FAIL against it, with a clear error.

FAKE_ECHOD_MODE: "close" (default: accept MTProto connections and close them),
"silent" (accept and never answer), "ignore-term" (like close, ignores SIGTERM).
"""

import argparse
import http.server
import os
import signal
import socket
import sys
import threading
import time

# A public RSA key (Telegram's CDN DC 201 key); no private half is needed here.
TEST_PEM = """-----BEGIN RSA PUBLIC KEY-----
MIIBCgKCAQEAug6fETVb7NkXYYu5ueZuM0pqw1heuqUrZNYomQN0lS0o7i6mAWwb
1/FiscFK+y4LQSSEx+oUzXAhjmll9fmb4e7PbUiXo8MuXO0Rj3e5416DXfTiOYGW
XlFRV0aQzu8agy1epKwkFDidnmy7g5rJJV0q1+3eR+Jk2OEc/B6lMAOv3fBU6xhE
ZByN9gqc6fvkNo13PQ8JYZUSGttzLlYy76uFmvFBhRsJU+LNQ2+bsTHwafSffVYl
Z2boJOblvqbRWe453CzssaSWywGXOQmWvVbEe7F8q1ki/s7S8BxYWrhSLJ6bsu9V
ZWnIHD9vB34QF8IABPRE93mhCOHBqJxSBQIDAQAB
-----END RSA PUBLIC KEY-----
"""


def split_address(text):
    host, _, port = text.rpartition(":")
    return host, int(port)


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802 (http.server's naming)
        ok = self.path == "/healthz"
        self.send_response(200 if ok else 404)
        self.end_headers()
        self.wfile.write(b"ok\n" if ok else b"not found\n")

    def log_message(self, *_):
        pass


def serve_mtproto(listener, mode):
    while True:
        conn, _ = listener.accept()
        if mode == "silent":
            threading.Thread(target=lambda c=conn: (c.recv(65536), time.sleep(60), c.close()),
                             daemon=True).start()
        else:
            conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--http", required=True)
    args = parser.parse_args()
    mode = os.environ.get("FAKE_ECHOD_MODE", "close")

    os.makedirs(args.data_dir, exist_ok=True)
    pem = os.path.join(args.data_dir, "server_public.pem")
    if not os.path.exists(pem):
        with open(pem, "w", encoding="ascii") as handle:
            handle.write(TEST_PEM)

    listener = socket.create_server(split_address(args.listen), reuse_port=False)
    threading.Thread(target=serve_mtproto, args=(listener, mode), daemon=True).start()
    health = http.server.ThreadingHTTPServer(split_address(args.http), Health)
    threading.Thread(target=health.serve_forever, daemon=True).start()
    print(f"fake echod ({mode}) listening on {args.listen}, http {args.http}", flush=True)

    if mode == "ignore-term":
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
    else:
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
    while True:
        time.sleep(1)


if __name__ == "__main__":
    main()
