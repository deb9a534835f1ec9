"""Shared helpers of the account-security scenarios (issue 6), Telethon only.

Each scenario uses its own phone prefix (99968 2FA, 99969 QR + sessions, 99970 code flood)
with the slot's last digits, so no other scenario's account is touched.
"""

from common import API_HASH, API_ID, ScenarioFailure, read_pem
from telethon import TelegramClient, errors, functions
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import StringSession


def use_echo_key(args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)


def make_client(args, session=None, device="echo-e2e"):
    session = session or StringSession()
    session.set_dc(2, args.host, args.port)
    client = TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpFull,
                            connection_retries=3, retry_delay=1, timeout=10,
                            request_retries=1, device_model=device)
    # FLOOD_WAIT must reach the script, not be slept through.
    client.flood_sleep_threshold = 0
    return client


def rpc_message(err):
    """The raw Telegram error string of a Telethon RPCError (its class name may differ)."""
    return getattr(err, "message", None) or str(err)


async def expect_rpc_error(steps, name, awaitable, wanted, code=None):
    """Runs `awaitable`; it must fail with an RPC error whose text contains `wanted`."""
    async def attempt():
        try:
            result = await awaitable
        except errors.RPCError as err:
            text = f"{type(err).__name__} {rpc_message(err)} {err}"
            # Telethon names known errors by class (SESSION_PASSWORD_NEEDED ->
            # SessionPasswordNeededError) and may replace the message with a generic one.
            camel = "".join(w.capitalize() for w in wanted.split("_"))
            if (wanted not in text and camel not in text) or \
                    (code is not None and err.code != code):
                raise ScenarioFailure(f"got {text!r} (code {err.code}), expected {wanted}")
            return err
        raise ScenarioFailure(f"succeeded with {result!r}, expected {wanted}")
    return await steps.run(name, attempt())


async def sign_up(steps, args, phone, first_name, label):
    """A new account on a new key; returns the logged-in client."""
    client = make_client(args, device=f"{label} device")
    await steps.run(f"{label}: connect", client.connect())
    sent = await steps.run(f"{label}: send_code_request", client.send_code_request(phone))
    try:
        await client.sign_in(phone, code="12345", phone_code_hash=sent.phone_code_hash)
        raise ScenarioFailure(f"{label}: {phone} already has an account")
    except errors.PhoneNumberUnoccupiedError:
        pass
    result = await steps.run(f"{label}: auth.signUp", client(functions.auth.SignUpRequest(
        phone_number=phone, phone_code_hash=sent.phone_code_hash,
        first_name=first_name, last_name="")))
    logged = client._on_login(result.user)
    if hasattr(logged, "__await__"):
        await logged
    return client
