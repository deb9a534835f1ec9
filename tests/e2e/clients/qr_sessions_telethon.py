"""Echo e2e: QR login (core.telegram.org/api/qr-login) and terminating sessions
(account.getAuthorizations / account.resetAuthorization) with real Telethon clients.

Usage: python qr_sessions_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Flow: device A signs up; device B (new key) exports a login token and waits; A accepts it
(auth.acceptLoginToken) and B, woken by updateLoginToken, logs in as A's user; A gets the
"New login" message from 777000; A lists two authorizations and terminates B's; B's next
call gets 401 AUTH_KEY_UNREGISTERED; A's list is back to one.
"""

import asyncio

from common import ScenarioFailure, parse_args, run_main
from security_common import expect_rpc_error, make_client, sign_up, use_echo_key
from telethon import functions
from telethon.sessions import StringSession


async def scenario(steps, args):
    use_echo_key(args)
    phone = "99969" + args.phone[5:]
    first = await sign_up(steps, args, phone, "Qra", "device A")
    me = await steps.run("device A: get_me", first.get_me())

    second = make_client(args, device="device B")
    await steps.run("device B: connect", second.connect())
    qr = await steps.run("device B: qr_login (auth.exportLoginToken)", second.qr_login())
    steps.check(qr.url.startswith("tg://login?token="), f"QR url {qr.url!r}")
    waiter = asyncio.ensure_future(qr.wait(timeout=20))
    await asyncio.sleep(0.5)
    await steps.run("device A: auth.acceptLoginToken",
                    first(functions.auth.AcceptLoginTokenRequest(token=qr.token)))
    user = await steps.run("device B: updateLoginToken, then loginTokenSuccess", waiter)
    steps.check(user.id == me.id, f"device B logged in as {user.id}, expected {me.id}")
    await expect_rpc_error(steps, "device A: accepting again -> AUTH_TOKEN_ALREADY_ACCEPTED",
                           first(functions.auth.AcceptLoginTokenRequest(token=qr.token)),
                           "AUTH_TOKEN")

    async def new_login_notice():
        for _ in range(50):
            try:
                messages = await first.get_messages(777000, limit=5)
            except ValueError:
                # Telethon knows 777000 only once a message from it has arrived; in the
                # split deployment the notice comes through the Inbox queue, a moment later.
                messages = []
            for m in messages:
                if m.message and m.message.startswith("New login."):
                    return m
            await asyncio.sleep(0.2)
        raise ScenarioFailure("no 'New login.' message from 777000 on device A")
    await steps.run("device A: 'New login' message from 777000", new_login_notice())

    listed = await steps.run("device A: account.getAuthorizations",
                             first(functions.account.GetAuthorizationsRequest()))
    auths = listed.authorizations
    steps.check(len(auths) == 2, f"{len(auths)} authorizations: {auths!r}")
    current = [a for a in auths if a.current]
    other = [a for a in auths if not a.current]
    steps.check(len(current) == 1 and len(other) == 1, f"current flags: {auths!r}")
    steps.check(other[0].device_model == "device B", f"other device {other[0].device_model!r}")
    saved_b = second.session.save()
    done = await steps.run("device A: account.resetAuthorization(device B)",
                           first(functions.account.ResetAuthorizationRequest(hash=other[0].hash)))
    steps.check(done is True, f"resetAuthorization answered {done!r}")

    async def next_call_is_401():
        # The server also closed B's connection; Telethon reconnects on its own, and if it
        # has given up, the same key on a new connection is the same device.
        client = second
        for attempt in range(2):
            try:
                await client(functions.updates.GetStateRequest())
            except ConnectionError:
                client = make_client(args, StringSession(saved_b), device="device B")
                await client.connect()
                continue
            except Exception as err:  # noqa: BLE001 - inspected below
                text = f"{type(err).__name__} {err}"
                if "AUTH_KEY_UNREGISTERED" in text or "AuthKeyUnregistered" in text:
                    if client is not second:
                        await client.disconnect()
                    return text
                raise ScenarioFailure(f"expected 401 AUTH_KEY_UNREGISTERED, got {text}")
            raise ScenarioFailure("device B still works after being terminated")
        raise ScenarioFailure("device B could not reach the server")
    await steps.run("device B: next call -> 401 AUTH_KEY_UNREGISTERED", next_call_is_401())
    listed = await steps.run("device A: one authorization left",
                             first(functions.account.GetAuthorizationsRequest()))
    steps.check(len(listed.authorizations) == 1 and listed.authorizations[0].current,
                f"after reset: {listed.authorizations!r}")
    await second.disconnect()
    await first.disconnect()


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
