"""Helpers for the media scenarios (stdlib only): test images, JPEG sizes, echod's RSS.

`png_image` writes a real PNG of any size (zlib, no PIL in the venvs); `jpeg_size` reads a
JPEG's dimensions from its SOF marker; `RssSampler` samples echod's resident memory from
/proc while a transfer runs (echod is found by the data dir the runner passes in
ECHO_E2E_DATA_DIR).
"""

import os
import struct
import threading
import time
import zlib


def png_image(path, width, height, seed=0):
    """Writes a width x height RGB PNG with a gradient (compressible, decodes anywhere)."""
    rows = bytearray()
    for y in range(height):
        rows.append(0)  # filter: none
        for x in range(width):
            rows += bytes(((x + seed) % 256, (y * 2) % 256, (x + y + seed * 7) % 256))

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    png = b"\x89PNG\r\n\x1a\n"
    png += chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(bytes(rows), 6))
    png += chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)
    return path


def jpeg_size(data):
    """(width, height) of a baseline or progressive JPEG, or None."""
    if data[:2] != b"\xff\xd8":
        return None
    at = 2
    while at + 4 <= len(data):
        if data[at] != 0xFF:
            return None
        marker = data[at + 1]
        length = struct.unpack(">H", data[at + 2:at + 4])[0]
        if marker in (0xC0, 0xC1, 0xC2):
            height, width = struct.unpack(">HH", data[at + 5:at + 9])
            return width, height
        at += 2 + length
    return None


def find_echod_pid():
    """The pid of the echod process serving media (ECHO_E2E_ECHOD_PID from the runner, else
    the `echod run` serving ECHO_E2E_DATA_DIR), or None."""
    if os.environ.get("ECHO_E2E_ECHOD_PID", "").isdigit():
        return int(os.environ["ECHO_E2E_ECHOD_PID"])
    data_dir = os.environ.get("ECHO_E2E_DATA_DIR")
    if not data_dir:
        return None
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                args = f.read().split(b"\0")
        except OSError:
            continue
        if b"run" in args and data_dir.encode() in args:
            return int(entry)
    return None


def rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return 0


class RssSampler:
    """Samples a process's RSS every 50 ms in a thread; `peak_kib` is the highest seen."""

    def __init__(self, pid):
        self.pid = pid
        self.peak_kib = rss_kib(pid) if pid else 0
        self.start_kib = self.peak_kib
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self):
        while not self._stop.is_set():
            try:
                self.peak_kib = max(self.peak_kib, rss_kib(self.pid))
            except OSError:
                return
            time.sleep(0.05)

    def __enter__(self):
        if self.pid:
            self._thread.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        if self.pid:
            self._thread.join(timeout=1)
