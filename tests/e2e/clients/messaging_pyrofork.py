"""Echo e2e: a layer-220 client (Pyrofork) and a layer-229 client (Telethon) chat live.

Usage: python messaging_pyrofork.py HOST PORT PEM PHONE signup SESSION_FILE

Ann signs up with Pyrofork; Bob is Telethon 1.45 in a subprocess (messaging_peer_telethon.py,
run with the Telethon venv's python). Ann imports Bob, sends "ping ..." (layer 220 request,
re-encoded to the newest layer), Bob gets it live on layer 229 and answers "pong: ping ...",
which reaches Ann live (a layer-220 push) and in her history; Ann's "bye" ends it.
Phones use the prefixes 99983/99984 (not used elsewhere).
"""

import asyncio
import copy
import os
import random
import sys
from pathlib import Path

from common import ScenarioFailure, parse_args, run_main
from pyrofork_flow import Pyrofork
from pyrogram_common import close_client, finish_login

HERE = Path(__file__).resolve().parent
CACHE = Path(os.environ.get("ECHO_E2E_CACHE", Path.home() / ".cache" / "echo-e2e"))
WAIT = 20.0


def derived_phone(phone, prefix):
    return prefix + phone[-5:]


async def read_line(proc, prefix):
    while True:
        line = await proc.stdout.readline()
        if not line:
            raise ScenarioFailure(f"Telethon peer exited before {prefix!r}")
        text = line.decode(errors="replace").rstrip()
        print(f"peer: {text}", flush=True)
        if text.startswith("FAIL"):
            raise ScenarioFailure(f"Telethon peer: {text}")
        if text.startswith(prefix):
            return text[len(prefix):].strip()


async def scenario(steps, args):
    from pyrogram import filters, raw
    from pyrogram.handlers import MessageHandler

    fork = Pyrofork()
    fork.patch(args)
    ann_phone, bob_phone = derived_phone(args.phone, "99983"), derived_phone(args.phone, "99984")
    ann_args = copy.copy(args)
    ann_args.phone, ann_args.first_name = ann_phone, "Ann220"
    ann = fork.make_client(ann_args, None)
    peer = None
    try:
        await steps.run("Ann: connect", ann.connect())
        sent = await steps.run("Ann: send_code", ann.send_code(ann_phone))
        await steps.run("Ann: sign up", fork.sign_up(ann, ann_args, sent.phone_code_hash))
        await finish_login(steps, ann)
        received = asyncio.Queue()

        async def on_message(_client, message):
            await received.put(message.text or "")
        ann.add_handler(MessageHandler(on_message, filters.incoming))

        telethon_python = CACHE / "telethon" / "bin" / "python"
        peer = await asyncio.create_subprocess_exec(
            str(telethon_python), "-u", str(HERE / "messaging_peer_telethon.py"), args.host,
            str(args.port), args.pem, bob_phone, ann_phone, cwd=str(HERE),
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
        bob_id = int(await steps.run("Telethon Bob signs up (subprocess)",
                                     read_line(peer, "READY")))
        imported = await steps.run("Ann: contacts.importContacts(Bob)", ann.invoke(
            raw.functions.contacts.ImportContacts(contacts=[raw.types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        steps.check([u.id for u in imported.users] == [bob_id], f"import {imported!r}")
        bob = raw.types.InputPeerUser(user_id=bob_id, access_hash=imported.users[0].access_hash)

        ping = f"ping from layer 220 {args.phone[-5:]}"
        await steps.run("Ann (220): messages.sendMessage(Bob)", ann.invoke(
            raw.functions.messages.SendMessage(peer=bob, message=ping,
                                               random_id=random.getrandbits(63))))
        got = await steps.run("Bob (229) gets it live", read_line(peer, "GOT"))
        steps.check(got == ping, f"Bob got {got!r}")

        async def pong():
            while True:
                text = await received.get()
                if text == f"pong: {ping}":
                    return text
        await steps.run("Ann (220) gets Bob's (229) answer live", pong(), timeout=WAIT)
        history = await steps.run("Ann: messages.getHistory(Bob)", ann.invoke(
            raw.functions.messages.GetHistory(peer=bob, offset_id=0, offset_date=0,
                                              add_offset=0, limit=10, max_id=0, min_id=0,
                                              hash=0)))
        texts = [m.message for m in history.messages]
        steps.check(texts == [f"pong: {ping}", ping], f"Ann's history {texts!r}")
        steps.check(history.messages[0].out is False and history.messages[1].out is True,
                    "out flags in Ann's box")

        await steps.run("Ann: bye", ann.invoke(raw.functions.messages.SendMessage(
            peer=bob, message="bye", random_id=random.getrandbits(63))))
        await steps.run("Bob gets bye", read_line(peer, "GOT bye"))
        code = await steps.run("Telethon peer exits", peer.wait())
        steps.check(code == 0, f"Telethon peer exit code {code}")
        peer = None
    finally:
        if peer is not None and peer.returncode is None:
            peer.kill()
            await peer.wait()
        await close_client(ann)


def main():
    args = parse_args("pyrofork")
    import pyrogram

    print(f"CLIENT pyrofork {pyrogram.__version__} layer {pyrogram.raw.all.layer} + Telethon "
          "peer", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    sys.exit(main())
