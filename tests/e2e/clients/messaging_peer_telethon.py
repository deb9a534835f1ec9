"""Echo e2e helper: a Telethon (layer 229) Bob for messaging_pyrofork.py, run as its subprocess.

Usage: python messaging_peer_telethon.py HOST PORT PEM BOB_PHONE ANN_PHONE

Signs Bob up, imports Ann's phone, prints `READY <bob_id>`, answers Ann's "ping ..." message
with "pong: ping ...", waits for "bye ..." and prints `GOT <text>` for every message it
received (core.telegram.org/api/updates: the pushes arrive re-encoded for layer 229).
Exits 0 when done, 1 on any failure; the parent holds the deadline.
"""

import asyncio
import sys

from telethon import TelegramClient, errors, events, functions, types
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import StringSession

from common import API_HASH, API_ID, DEV_CODE, read_pem

WAIT = 30.0


async def main(host, port, pem, bob_phone, ann_phone):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(pem), old=False)
    session = StringSession()
    session.set_dc(2, host, int(port))
    bob = TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpFull,
                         connection_retries=3, retry_delay=1, timeout=10, request_retries=1,
                         auto_reconnect=False)
    await bob.connect()
    sent = await bob.send_code_request(bob_phone)
    try:
        await bob.sign_in(bob_phone, code=DEV_CODE)
    except errors.PhoneNumberUnoccupiedError:
        result = await bob(functions.auth.SignUpRequest(
            phone_number=bob_phone, phone_code_hash=sent.phone_code_hash,
            first_name="Bob229", last_name=""))
        await bob._on_login(result.user)
    me = await bob.get_me()
    imported = await bob(functions.contacts.ImportContactsRequest([types.InputPhoneContact(
        client_id=1, phone=ann_phone, first_name="Ann", last_name="")]))
    if not imported.users:
        print("FAIL Ann's phone not found", flush=True)
        return 1
    ann = types.InputPeerUser(imported.users[0].id, imported.users[0].access_hash)
    done = asyncio.Event()

    @bob.on(events.NewMessage(incoming=True))
    async def on_message(event):
        text = event.raw_text
        print(f"GOT {text}", flush=True)
        if text.startswith("ping"):
            await bob.send_message(ann, f"pong: {text}")
        elif text.startswith("bye"):
            done.set()

    print(f"READY {me.id}", flush=True)
    try:
        await asyncio.wait_for(done.wait(), WAIT)
    except asyncio.TimeoutError:
        print("FAIL no bye from Ann", flush=True)
        return 1
    finally:
        await bob.disconnect()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main(*sys.argv[1:6])))
