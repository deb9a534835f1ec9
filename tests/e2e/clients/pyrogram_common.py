"""Scenario steps shared by the two Pyrogram forks (Pyrofork 2.3.69, Kurigram 2.2.26).

Both forks install a package named `pyrogram` with the same high-level API, so the
signup / login / resume flows are written once here. What differs per fork (how
to point it at Echo's address, how sign-up is done, how in-memory storage and
session strings are created) is supplied by the fork script as a `Fork` object.

The scenario mirrors what `Client.start()` does (connect, authorize, then
`updates.getState`, `get_me`, `initialize`) but drives the authorization itself,
since `start()` would prompt on stdin.
"""

import asyncio

from common import (DEV_CODE, ScenarioFailure, load_session, read_pem, rsa_fingerprint,
                    rsa_public_key_from_pem, save_session, unique_text)


class Fork:
    """Per-fork hooks. Subclasses implement every method."""

    name = "pyrogram"

    def patch(self, args):
        """Installs Echo's RSA key and address into the library (before any client exists)."""
        raise NotImplementedError

    def make_client(self, args, session_string):
        raise NotImplementedError

    async def sign_up(self, client, args, phone_code_hash):
        """Signs in a new phone: must observe sign-up-required, then register."""
        raise NotImplementedError


def install_rsa_key(pem_path):
    """Replaces the fork's built-in Telegram keys with Echo's key only."""
    from pyrogram.crypto import rsa

    n, e = rsa_public_key_from_pem(read_pem(pem_path))
    fingerprint = rsa_fingerprint(n, e)
    # Mutated in place: the handshake reads `rsa.server_public_keys` and
    # `rsa.encrypt` reads the same module-level dict.
    rsa.server_public_keys.clear()
    rsa.server_public_keys[fingerprint] = rsa.PublicKey(n, e)
    print(f"RSA key fingerprint {fingerprint} ({fingerprint & 0xFFFFFFFFFFFFFFFF:#018x})",
          flush=True)


def tighten_timeouts():
    """Makes a broken server fail the scenario in seconds, not minutes."""
    from pyrogram.connection import connection
    from pyrogram.session import auth, session

    connection.Connection.MAX_CONNECTION_ATTEMPTS = 1
    auth.Auth.MAX_RETRIES = 1
    session.Session.WAIT_TIMEOUT = 10


async def saved_texts(client, limit=20):
    return [m.text async for m in client.get_chat_history("me", limit=limit)]


async def list_dialogs(client, limit=20):
    return [d async for d in client.get_dialogs(limit=limit)]


async def finish_login(steps, client):
    """What `Client.start()` does after authorization."""
    from pyrogram import raw

    await steps.run("updates.getState", client.invoke(raw.functions.updates.GetState()))
    client.me = await steps.run("get_me", client.get_me())
    await steps.run("initialize (dispatcher)", client.initialize())
    return client.me


def check_me(steps, me, args, user_id=None):
    steps.check(me.phone_number == args.phone,
                f"me.phone_number {me.phone_number!r} != {args.phone!r}")
    steps.check(me.is_self, "me.is_self is not set")
    if user_id is not None:
        steps.check(me.id == user_id, f"me.id {me.id} != user id {user_id} from signup")


async def check_round_trip(steps, client, fork, phase):
    text = unique_text(fork.name, phase)
    sent = await steps.run("send_message(me)", client.send_message("me", text))
    steps.check(sent.text == text, f"sent message text {sent.text!r} != {text!r}")
    history = await steps.run("get_chat_history(me)", saved_texts(client))
    steps.check(history and history[0] == text,
                f"newest Saved Messages entry is {history[:1]!r}, expected {text!r}")
    return text


async def connect_new_key(steps, client, args):
    authorized = await steps.run("connect (new auth key, initConnection)", client.connect())
    steps.check(not authorized, "a brand-new session claims to be authorized")
    sent = await steps.run("send_code", client.send_code(args.phone))
    steps.check(bool(sent.phone_code_hash), "auth.sentCode has an empty phone_code_hash")
    return sent


async def signup(steps, client, fork, args):
    sent = await connect_new_key(steps, client, args)
    await steps.run("sign_in -> sign-up required -> auth.signUp",
                    fork.sign_up(client, args, sent.phone_code_hash))
    me = await finish_login(steps, client)
    check_me(steps, me, args)
    steps.check(me.first_name == args.first_name,
                f"first_name {me.first_name!r} != {args.first_name!r}")
    text = await check_round_trip(steps, client, fork, "signup")
    dialogs = await steps.run("get_dialogs", list_dialogs(client))
    steps.check(any(d.chat.id == me.id for d in dialogs),
                f"Saved Messages (user {me.id}) not in dialogs {[d.chat.id for d in dialogs]}")
    session_string = await steps.run("export_session_string", client.export_session_string())
    save_session(args.session_file, {
        "client": fork.name,
        "phone": args.phone,
        "user_id": me.id,
        "texts": [text],
        "session": session_string,
    })


async def login(steps, client, fork, args):
    saved = load_session(args.session_file)
    sent = await connect_new_key(steps, client, args)
    user = await steps.run("sign_in (existing user)",
                           client.sign_in(args.phone, sent.phone_code_hash, DEV_CODE))
    steps.check(getattr(user, "id", None) == saved["user_id"],
                f"sign_in returned {user!r}, expected user {saved['user_id']}")
    me = await finish_login(steps, client)
    check_me(steps, me, args, saved["user_id"])
    history = await steps.run("get_chat_history(me)", saved_texts(client))
    steps.check(saved["texts"][0] in history,
                f"signup message {saved['texts'][0]!r} not in Saved Messages {history!r}")


async def resume(steps, client, fork, args):
    saved = load_session(args.session_file)
    authorized = await steps.run("connect (saved auth key)", client.connect())
    steps.check(authorized, "session string lost its user id")
    me = await finish_login(steps, client)
    check_me(steps, me, args, saved["user_id"])
    history = await steps.run("get_chat_history(me) before send", saved_texts(client))
    steps.check(saved["texts"][0] in history,
                f"signup message {saved['texts'][0]!r} lost across the restart: {history!r}")
    await check_round_trip(steps, client, fork, "resume")


async def close_client(client):
    try:
        if client.is_initialized:
            await asyncio.wait_for(client.stop(), 10)
        elif client.is_connected:
            await asyncio.wait_for(client.disconnect(), 10)
    except Exception as err:  # cleanup must not hide the real result
        print(f"WARN close: {type(err).__name__}: {err}", flush=True)


async def scenario(steps, fork, args):
    fork.patch(args)
    session_string = None
    if args.phase == "resume":
        session_string = load_session(args.session_file)["session"]
        if not session_string:
            raise ScenarioFailure("signup saved an empty session string")
    client = fork.make_client(args, session_string)
    phases = {"signup": signup, "login": login, "resume": resume}
    try:
        await phases[args.phase](steps, client, fork, args)
    finally:
        await close_client(client)
