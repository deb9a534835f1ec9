"""Hostile-traffic generator for the MTProto port (stdlib only).

While a real client logs in, `GarbageStorm` keeps up to N concurrent TCP
connections to 127.0.0.1 that send malformed transport traffic
(https://core.telegram.org/mtproto/mtproto-transports): random bytes, oversized
length prefixes for each transport, frames cut in half and left hanging,
obfuscated2-looking init blocks followed by junk, unknown auth_key_ids and
unencrypted messages whose inner length lies. The server must neither crash nor
stall the real client.

Everything is bounded: a fixed number of threads, a cap on rounds per thread,
a wall-clock limit, and only the loopback address is ever contacted.
"""

import os
import random
import socket
import struct
import threading
import time


def _random_bytes(rng, low, high):
    return rng.randbytes(rng.randint(low, high))


def _unencrypted(rng, inner_length):
    """auth_key_id 0 + msg_id + a message_length field that may lie."""
    body = _random_bytes(rng, 4, 40)
    return struct.pack("<qqI", 0, int(time.time()) << 32, inner_length) + body


def pattern_payloads(rng):
    """Names and byte chunks of every garbage pattern; a chunk of None means 'hold'."""
    yield "random", [_random_bytes(rng, 1, 4096)]
    yield "abridged-huge-length", [b"\xef\x7f\xff\xff\xff" + _random_bytes(rng, 0, 64), None]
    yield "intermediate-huge-length", [b"\xee\xee\xee\xee" + struct.pack("<I", 0x7FFFFFF0),
                                       _random_bytes(rng, 0, 256), None]
    yield "padded-huge-length", [b"\xdd\xdd\xdd\xdd" + struct.pack("<I", 0xFFFFFFFF), None]
    yield "full-huge-length", [struct.pack("<Ii", 0x7FFFFFFF, 0) + _random_bytes(rng, 0, 64), None]
    yield "full-bad-crc", [struct.pack("<Ii", 40, 0) + _random_bytes(rng, 28, 28) + b"\0\0\0\0"]
    yield "full-tiny-length", [struct.pack("<Ii", 4, 0) + b"\0" * 4]
    yield "intermediate-half-frame", [b"\xee\xee\xee\xee" + struct.pack("<I", 1000)
                                      + _random_bytes(rng, 500, 500), None]
    yield "abridged-half-frame", [b"\xef\x40" + _random_bytes(rng, 100, 100), None]
    yield "obfuscated2-junk", [_random_bytes(rng, 64, 64), _random_bytes(rng, 16, 2048)]
    yield "obfuscated2-half-init", [_random_bytes(rng, 30, 30), None]
    yield "unknown-auth-key", [b"\xee\xee\xee\xee" + struct.pack("<I", 88)
                               + _random_bytes(rng, 88, 88)]
    yield "unencrypted-lying-length", [b"\xee\xee\xee\xee", struct.pack("<I", 64)
                                       + _unencrypted(rng, 0xFFFFFFF0)[:64]]
    yield "req-pq-garbage", [b"\xef" + bytes([16]) + _unencrypted(rng, 20)[:64]]
    yield "http-get", [b"GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"]
    yield "connect-close", []
    yield "slow-bytes", [bytes([b]) for b in b"\xee\xee\xee\xee\x10\x00\x00\x00"]


PATTERN_NAMES = [name for name, _ in pattern_payloads(random.Random(0))]


class GarbageStorm:
    """Runs `connections` threads hammering host:port until stopped or `max_seconds`."""

    def __init__(self, host, port, connections=20, max_seconds=90.0, max_rounds=40,
                 hold_seconds=2.0):
        if host not in ("127.0.0.1", "localhost", "::1"):
            raise ValueError("the garbage storm only targets the loopback address")
        self.host = host
        self.port = port
        self.connections = connections
        self.max_seconds = max_seconds
        self.max_rounds = max_rounds
        self.hold_seconds = hold_seconds
        self.stop_event = threading.Event()
        self.threads = []
        self.lock = threading.Lock()
        self.sent = {}
        self.refused = 0

    def _count(self, name):
        with self.lock:
            self.sent[name] = self.sent.get(name, 0) + 1

    def _one_connection(self, name, chunks):
        try:
            sock = socket.create_connection((self.host, self.port), timeout=3)
        except OSError:
            with self.lock:
                self.refused += 1
            return
        try:
            sock.settimeout(1.0)
            for chunk in chunks:
                if self.stop_event.is_set():
                    break
                if chunk is None:
                    # Leave a partial frame hanging; the server must not block on it.
                    self.stop_event.wait(self.hold_seconds)
                    continue
                sock.sendall(chunk)
                if len(chunk) == 1:
                    time.sleep(0.1)
            try:
                sock.recv(4096)  # whatever the server answers (error code, close)
            except OSError:
                pass
        except OSError:
            pass  # the server closing on us is the expected outcome
        finally:
            sock.close()
        self._count(name)

    def _worker(self, seed):
        rng = random.Random(seed)
        deadline = time.monotonic() + self.max_seconds
        for _ in range(self.max_rounds):
            if self.stop_event.is_set() or time.monotonic() > deadline:
                return
            name, chunks = rng.choice(list(pattern_payloads(rng)))
            self._one_connection(name, chunks)

    def start(self):
        base = int.from_bytes(os.urandom(4), "little")
        for index in range(self.connections):
            thread = threading.Thread(target=self._worker, args=(base + index,), daemon=True)
            thread.start()
            self.threads.append(thread)

    def stop(self, join_timeout=10.0):
        self.stop_event.set()
        deadline = time.monotonic() + join_timeout
        for thread in self.threads:
            thread.join(max(0.0, deadline - time.monotonic()))

    def summary(self):
        with self.lock:
            total = sum(self.sent.values())
            kinds = len(self.sent)
            return f"{total} garbage connections ({kinds} patterns), {self.refused} refused"
