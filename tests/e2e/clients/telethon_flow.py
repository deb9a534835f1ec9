"""Echo e2e scenario driven by Telethon 1.45 (layer 229).

Usage: python telethon_flow.py HOST PORT PEM PHONE {signup,login,resume} SESSION_FILE
                               [{full,abridged,intermediate,obfuscated}]

Pointing Telethon at Echo (see /work/shared/clients.md):
- its RSA key table is `telethon.crypto.rsa._server_keys`: cleared, then Echo's
  PKCS#1 key added with `old=False`;
- the address lives in the session: `StringSession().set_dc(2, host, port)` before
  `connect()`, otherwise Telethon falls back to Telegram's own DC address;
- `client.sign_up()` is disabled in 1.4x, so the scenario sends
  `auth.signUp` itself and then calls `client._on_login(user)`, exactly what the
  library would have done.
"""

import asyncio

from common import (API_HASH, API_ID, DEV_CODE, ScenarioFailure, load_session, parse_args,
                    read_pem, run_main, save_session, unique_text)
from telethon import TelegramClient, errors, functions
from telethon.crypto import rsa
from telethon.network.connection import (ConnectionTcpAbridged, ConnectionTcpFull,
                                         ConnectionTcpIntermediate, ConnectionTcpObfuscated)
from telethon.sessions import StringSession

TRANSPORTS = {
    "full": ConnectionTcpFull,
    "abridged": ConnectionTcpAbridged,
    "intermediate": ConnectionTcpIntermediate,
    "obfuscated": ConnectionTcpObfuscated,
}
DC_ID = 2
CLIENT = "telethon"


def make_client(args, session):
    session.set_dc(DC_ID, args.host, args.port)
    return TelegramClient(
        session,
        API_ID,
        API_HASH,
        connection=TRANSPORTS[args.transport],
        # Fail fast against a broken server instead of retrying for minutes, but allow a
        # second key exchange: Telethon does not left-pad g_ab to 256 bytes, so about 1 in
        # 256 handshakes fails on its side (against Telegram too) and must be redone.
        connection_retries=3,
        retry_delay=1,
        timeout=10,
        request_retries=1,
        auto_reconnect=False,
    )


async def saved_texts(client, limit=20):
    return [m.message for m in await client.get_messages("me", limit=limit)]


async def check_round_trip(steps, client, phase):
    """Sends a text to Saved Messages and reads it back from the history."""
    text = unique_text(CLIENT, phase)
    sent = await steps.run("send_message(me)", client.send_message("me", text))
    steps.check(sent.message == text, f"sent message text {sent.message!r} != {text!r}")
    history = await steps.run("get_messages(me)", saved_texts(client))
    steps.check(history and history[0] == text,
                f"newest Saved Messages entry is {history[:1]!r}, expected {text!r}")
    return text


async def check_me(steps, client, args, user_id=None):
    me = await steps.run("get_me", client.get_me())
    steps.check(me is not None, "get_me returned None (not authorized)")
    steps.check(me.phone == args.phone, f"me.phone {me.phone!r} != {args.phone!r}")
    steps.check(me.is_self, "me.is_self is not set")
    if user_id is not None:
        steps.check(me.id == user_id, f"me.id {me.id} != user id {user_id} from signup")
    return me


async def connect_new_key(steps, client, args):
    await steps.run("connect (new auth key, initConnection)", client.connect())
    authorized = await steps.run("is_user_authorized", client.is_user_authorized())
    steps.check(not authorized, "a brand-new auth key claims to be authorized")
    sent = await steps.run("send_code_request", client.send_code_request(args.phone))
    steps.check(bool(sent.phone_code_hash), "auth.sentCode has an empty phone_code_hash")
    return sent


async def signup(steps, client, args):
    sent = await connect_new_key(steps, client, args)

    async def expect_unoccupied():
        try:
            user = await client.sign_in(args.phone, code=DEV_CODE)
        except errors.PhoneNumberUnoccupiedError:
            return
        raise ScenarioFailure(f"sign_in logged in as existing user {user.id}; "
                              "expected auth.authorizationSignUpRequired for a new phone")

    await steps.run("sign_in -> sign-up required", expect_unoccupied())
    result = await steps.run("auth.signUp", client(functions.auth.SignUpRequest(
        phone_number=args.phone,
        phone_code_hash=sent.phone_code_hash,
        first_name=args.first_name,
        last_name=args.last_name,
    )))
    await steps.run("_on_login (getState, getDifference)", client._on_login(result.user))
    me = await check_me(steps, client, args)
    steps.check(me.first_name == args.first_name,
                f"first_name {me.first_name!r} != {args.first_name!r}")
    text = await check_round_trip(steps, client, "signup")
    dialogs = await steps.run("get_dialogs", client.get_dialogs(limit=20))
    steps.check(any(d.entity is not None and d.entity.id == me.id for d in dialogs),
                f"Saved Messages (user {me.id}) not in dialogs {[d.name for d in dialogs]}")
    save_session(args.session_file, {
        "client": CLIENT,
        "phone": args.phone,
        "user_id": me.id,
        "texts": [text],
        "session": client.session.save(),
    })


async def login(steps, client, args):
    saved = load_session(args.session_file)
    await connect_new_key(steps, client, args)
    user = await steps.run("sign_in (existing user)", client.sign_in(args.phone, code=DEV_CODE))
    steps.check(user.id == saved["user_id"], f"logged in as {user.id}, signup made {saved['user_id']}")
    await check_me(steps, client, args, saved["user_id"])
    history = await steps.run("get_messages(me)", saved_texts(client))
    steps.check(saved["texts"][0] in history,
                f"signup message {saved['texts'][0]!r} not in Saved Messages {history!r}")


async def resume(steps, client, args):
    saved = load_session(args.session_file)
    await steps.run("connect (saved auth key)", client.connect())
    authorized = await steps.run("is_user_authorized", client.is_user_authorized())
    steps.check(authorized, "the saved auth key is no longer authorized after the restart")
    await check_me(steps, client, args, saved["user_id"])
    history = await steps.run("get_messages(me) before send", saved_texts(client))
    steps.check(saved["texts"][0] in history,
                f"signup message {saved['texts'][0]!r} lost across the restart: {history!r}")
    await check_round_trip(steps, client, "resume")


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    if args.phase == "resume":
        session = StringSession(load_session(args.session_file)["session"])
    else:
        session = StringSession()
    client = make_client(args, session)
    try:
        await {"signup": signup, "login": login, "resume": resume}[args.phase](steps, client, args)
    finally:
        try:
            await asyncio.wait_for(client.disconnect(), 10)
        except Exception as err:  # cleanup must not hide the real result
            print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args(CLIENT, with_transport=True)
    print(f"CLIENT telethon transport={args.transport}", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
