"""Echo e2e: a 200 MiB document streams through echod with bounded memory (Telethon 1.45).

Usage: python media_big_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

One account (phone 99990 + the last 5 digits) uploads a 200 MiB file generated in a temp
dir (saveBigFilePart, 512 KiB parts) to Saved Messages and downloads it again; the copy must
be byte-identical (SHA-256). echod's resident memory is sampled from /proc during both
transfers: its growth must stay far below the file size (nothing holds the whole file).
Prints METRIC lines with the throughput and the peak RSS.
"""

import hashlib
import os
import tempfile
import time

from common import API_HASH, API_ID, ScenarioFailure, parse_args, read_pem, run_main
from media_common import RssSampler, find_echod_pid
from media_telethon import make_client, sign_up
from telethon.crypto import rsa

FILE_SIZE = 200 * 1024 * 1024
# Growth of echod's RSS allowed during a transfer: a few chunk buffers, not the file.
RSS_GROWTH_MAX_KIB = 96 * 1024


def write_file(path):
    digest = hashlib.sha256()
    with open(path, "wb") as f:
        for _ in range(FILE_SIZE // (1024 * 1024)):
            chunk = os.urandom(1024 * 1024)
            digest.update(chunk)
            f.write(chunk)
    return digest.hexdigest()


def sha256_of(path):
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    client = make_client(args)
    workdir = tempfile.mkdtemp(prefix="echo-media-big-")
    source = os.path.join(workdir, "big.bin")
    copy = os.path.join(workdir, "copy.bin")
    pid = find_echod_pid()
    steps.check(pid is not None, "echod's pid not found (ECHO_E2E_DATA_DIR)")
    try:
        await steps.run("sign up", sign_up(client, "99990" + args.phone[-5:], "Big"))
        expected = write_file(source)
        with RssSampler(pid) as up_rss:
            began = time.monotonic()
            sent = await steps.run("upload 200 MiB to Saved Messages",
                                   client.send_file("me", source, force_document=True),
                                   timeout=900)
            up_seconds = time.monotonic() - began
        steps.check(sent.file.size == FILE_SIZE, f"size {sent.file.size}")
        with RssSampler(pid) as down_rss:
            began = time.monotonic()
            await steps.run("download it again", client.download_media(sent, file=copy),
                            timeout=900)
            down_seconds = time.monotonic() - began
        steps.check(sha256_of(copy) == expected, "downloaded copy differs")
        mib = FILE_SIZE / (1024 * 1024)
        print(f"METRIC upload_mib_per_s={mib / up_seconds:.1f} "
              f"download_mib_per_s={mib / down_seconds:.1f}", flush=True)
        for what, rss in (("upload", up_rss), ("download", down_rss)):
            growth = rss.peak_kib - rss.start_kib
            print(f"METRIC {what} echod_rss_start_mib={rss.start_kib / 1024:.1f} "
                  f"peak_mib={rss.peak_kib / 1024:.1f} growth_mib={growth / 1024:.1f}",
                  flush=True)
            steps.check(growth < RSS_GROWTH_MAX_KIB,
                        f"echod grew by {growth / 1024:.0f} MiB during the {what}")
    finally:
        await client.disconnect()
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
