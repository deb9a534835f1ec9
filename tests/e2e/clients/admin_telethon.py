"""Echo e2e: the admin HTTP API acting on a real Telethon client (issue 9).

Usage: python admin_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]
Environment (set by run.py): ECHO_E2E_HTTP (http://127.0.0.1:PORT), ECHO_E2E_ADMIN_TOKEN.

Flow: a wrong token is refused; the user is provisioned with POST /v1/users and logs in
with the code read from GET /v1/login-codes; its authorization (layer, device) is listed;
POST /v1/users/{id}/ban closes the live connection and logs the key out, and a fresh
client gets PHONE_NUMBER_BANNED from auth.sendCode; after unban the user logs in again and
POST /v1/messages/service puts a notice from 777000 in its dialogs, and
DELETE /v1/users/{id}/authorizations cuts that session too. Phones use the 99967 prefix so
no other scenario's account is touched.
"""

import asyncio
import json
import os
import urllib.error
import urllib.request

from common import API_HASH, API_ID, ScenarioFailure, parse_args, read_pem, run_main
from telethon import TelegramClient, errors, functions
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpAbridged
from telethon.sessions import StringSession

HTTP = os.environ.get("ECHO_E2E_HTTP", "")
TOKEN = os.environ.get("ECHO_E2E_ADMIN_TOKEN", "")


def admin(method, path, body=None, token=None):
    """One admin API call: (status, parsed JSON or text)."""
    # bytes are sent as they are (malformed JSON on purpose); anything else as JSON.
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    request = urllib.request.Request(HTTP + path, data=data, method=method)
    request.add_header("Authorization", f"Bearer {TOKEN if token is None else token}")
    if data is not None:
        request.add_header("Content-Type", "application/json")
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            status, raw = answer.status, answer.read()
    except urllib.error.HTTPError as err:
        status, raw = err.code, err.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


async def call(steps, name, method, path, body=None, expect=200, token=None):
    status, answer = await steps.run(name, asyncio.to_thread(admin, method, path, body, token))
    steps.check(status == expect, f"{method} {path}: HTTP {status} {answer!r}, expected {expect}")
    return answer


def make_client(args, session=None):
    session = session or StringSession()
    session.set_dc(2, args.host, args.port)
    return TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpAbridged,
                          connection_retries=3, retry_delay=1, timeout=10, request_retries=1,
                          auto_reconnect=False)


async def log_in(steps, args, phone, label):
    client = make_client(args)
    await steps.run(f"{label}: connect", client.connect())
    await steps.run(f"{label}: send_code_request", client.send_code_request(phone))
    code = await call(steps, f"{label}: GET /v1/login-codes", "GET", f"/v1/login-codes/{phone}")
    user = await steps.run(f"{label}: sign_in with the admin-read code",
                           client.sign_in(phone, code=code["code"]))
    return client, user


async def wait_disconnected(steps, client, label):
    async def gone():
        while client.is_connected():
            await asyncio.sleep(0.2)
    await steps.run(f"{label}: server closed the connection", gone(), timeout=15)


async def expect_banned(steps, args, phone):
    client = make_client(args)
    await steps.run("fresh client: connect", client.connect())

    async def refused():
        try:
            await client.send_code_request(phone)
        except errors.RPCError as err:
            if "PHONE_NUMBER_BANNED" in f"{type(err).__name__} {err}" or \
                    isinstance(err, errors.PhoneNumberBannedError):
                return
            raise ScenarioFailure(f"auth.sendCode failed with {err!r}, expected PHONE_NUMBER_BANNED")
        raise ScenarioFailure("auth.sendCode succeeded for a banned phone")

    try:
        await steps.run("fresh client: sendCode -> PHONE_NUMBER_BANNED", refused())
    finally:
        await client.disconnect()


async def scenario(steps, args):
    steps.check(HTTP and TOKEN, "ECHO_E2E_HTTP / ECHO_E2E_ADMIN_TOKEN not set by run.py")
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    phone = "99967" + args.phone[5:]
    await call(steps, "wrong token -> 401", "GET", "/v1/users", expect=401, token="wrong")
    created = await call(steps, "POST /v1/users (provision)", "POST", "/v1/users",
                         {"phone": "+" + phone, "first_name": "Admin", "last_name": "Made"},
                         expect=201)
    user_id = created["id"]
    await call(steps, "duplicate POST -> 409", "POST", "/v1/users",
               {"phone": phone, "first_name": "X"}, expect=409)
    await call(steps, "malformed JSON -> 400", "POST", "/v1/users", b"{oops", expect=400)

    first, user = await log_in(steps, args, phone, "client A")
    steps.check(user.id == user_id, f"signed in as {user.id}, provisioned {user_id}")
    me = await steps.run("client A: get_me", first.get_me())
    steps.check(me.first_name == "Admin", f"first name {me.first_name!r}")
    auths = await call(steps, "GET authorizations", "GET", f"/v1/users/{user_id}/authorizations")
    steps.check(len(auths) == 1, f"authorizations: {auths!r}")
    steps.check(auths[0]["layer"] > 200 and auths[0]["device_model"],
                f"authorization lacks layer/device: {auths[0]!r}")
    stats = await call(steps, "GET /v1/stats", "GET", "/v1/stats")
    steps.check(stats["online_users"] >= 1 and stats["users"] >= 1, f"stats: {stats!r}")

    banned = await call(steps, "POST ban", "POST", f"/v1/users/{user_id}/ban")
    steps.check(banned["user"]["banned"] and banned["authorizations_logged_out"] == 1,
                f"ban answer: {banned!r}")
    steps.check(banned["sessions_closed"] >= 1, f"no live session was closed: {banned!r}")
    await wait_disconnected(steps, first, "client A")
    again = make_client(args, StringSession(first.session.save()))
    await steps.run("client A key: reconnect", again.connect())
    authorized = await steps.run("client A key: is_user_authorized", again.is_user_authorized())
    steps.check(not authorized, "the banned user's auth key is still logged in")
    await again.disconnect()
    await expect_banned(steps, args, phone)
    status, metrics = await asyncio.to_thread(admin, "GET", "/metrics")
    steps.check(status == 200 and 'error="PHONE_NUMBER_BANNED"' in metrics,
                "/metrics does not count the PHONE_NUMBER_BANNED sendCode")

    await call(steps, "POST unban", "POST", f"/v1/users/{user_id}/unban")
    second, user = await log_in(steps, args, phone, "client B")
    steps.check(user.id == user_id, f"after unban signed in as {user.id}, expected {user_id}")
    notice = f"echo-e2e service notice {user_id}"
    sent = await call(steps, "POST /v1/messages/service", "POST", "/v1/messages/service",
                      {"user_id": user_id, "text": notice})
    steps.check(sent["recipients"] == 1, f"service message answer: {sent!r}")

    async def notice_in_dialogs():
        for _ in range(25):
            dialogs = await second.get_dialogs(limit=20)
            for d in dialogs:
                if d.entity is not None and d.entity.id == 777000 and d.message is not None \
                        and d.message.message == notice:
                    return d
            await asyncio.sleep(0.2)
        raise ScenarioFailure(f"no dialog with 777000 ending in {notice!r}: "
                              f"{[(d.id, d.message and d.message.message) for d in dialogs]}")

    await steps.run("client B: the notice from 777000 is in its dialogs", notice_in_dialogs())
    cut = await call(steps, "DELETE authorizations", "DELETE",
                     f"/v1/users/{user_id}/authorizations")
    steps.check(cut["authorizations_logged_out"] == 1, f"terminate all: {cut!r}")
    await wait_disconnected(steps, second, "client B")
    await call(steps, "unknown user -> 404", "POST", "/v1/users/1/ban", expect=404)


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
