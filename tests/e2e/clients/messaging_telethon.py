"""Echo e2e: private chats, live updates, multi-device sync and getDifference with Telethon 1.45.

Usage: python messaging_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Three clients in one process (core.telegram.org/api/updates): Ann, and Bob on two devices
(two auth keys). Ann imports Bob's phone and messages him; both of Bob's devices get it live
and he sees it in dialogs and history; Bob reads it and Ann gets the read receipt; Ann's
edit and revoking delete reach Bob live and show on re-fetch; what Bob sends from one device
shows live on the other; Bob's second device goes offline while Ann sends 120 messages and,
on the same auth key, catches up with updates.getDifference (slices of 100), in order,
nothing duplicated. Phones use the prefixes 99981/99982 (not used elsewhere).
"""

import asyncio
import os

from common import (API_HASH, API_ID, DEV_CODE, ScenarioFailure, parse_args, read_pem,
                    run_main)
from telethon import TelegramClient, errors, events, functions, types
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import StringSession

DC_ID = 2
OFFLINE_MESSAGES = 120
WAIT = 15.0


def derived_phone(phone, prefix):
    return prefix + phone[-5:]


def second_port(args):
    """The second gateway of a split deployment (run.py --split), else the same one."""
    return int(os.environ.get("ECHO_E2E_PORT2") or args.port)


def make_client(args, session="", port=None):
    session = StringSession(session)
    session.set_dc(DC_ID, args.host, port or args.port)
    return TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpFull,
                          connection_retries=3, retry_delay=1, timeout=10,
                          request_retries=1, auto_reconnect=False)


async def sign_up(client, phone, first_name):
    await client.connect()
    sent = await client.send_code_request(phone)
    try:
        await client.sign_in(phone, code=DEV_CODE)
        raise ScenarioFailure(f"{phone} already registered")
    except errors.PhoneNumberUnoccupiedError:
        pass
    result = await client(functions.auth.SignUpRequest(
        phone_number=phone, phone_code_hash=sent.phone_code_hash,
        first_name=first_name, last_name=""))
    await client._on_login(result.user)
    return result.user


async def log_in(client, phone):
    await client.connect()
    await client.send_code_request(phone)
    return await client.sign_in(phone, code=DEV_CODE)


class Inbox:
    """Collects events of one kind on one client; waits for a matching one."""

    def __init__(self):
        self.items = []
        self.changed = asyncio.Event()

    def add(self, item):
        self.items.append(item)
        self.changed.set()

    async def wait_for(self, predicate, what):
        async def loop():
            while True:
                for item in self.items:
                    if predicate(item):
                        return item
                self.changed.clear()
                await self.changed.wait()
        try:
            return await asyncio.wait_for(loop(), WAIT)
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"no live update: {what} (got {len(self.items)} others)") \
                from None


def watch(client):
    """Inboxes for new messages, edits, deletions and outbox reads of `client`."""
    boxes = {name: Inbox() for name in ("new", "edit", "delete", "read")}

    def handler(name, of_event):
        async def on_event(event):
            boxes[name].add(of_event(event))
        return on_event

    client.add_event_handler(handler("new", lambda e: e.message), events.NewMessage())
    client.add_event_handler(handler("edit", lambda e: e.message), events.MessageEdited())
    client.add_event_handler(handler("delete", lambda e: e), events.MessageDeleted())
    client.add_event_handler(handler("read", lambda e: e), events.MessageRead(inbox=False))
    return boxes


async def catch_up(client, pts, date):
    """updates.getDifference from `pts` until done; returns (messages, slices)."""
    messages, slices = [], 0
    for _ in range(20):
        diff = await client(functions.updates.GetDifferenceRequest(pts=pts, date=date, qts=0))
        if isinstance(diff, types.updates.DifferenceSlice):
            slices += 1
            messages += diff.new_messages
            pts, date = diff.intermediate_state.pts, diff.intermediate_state.date
        elif isinstance(diff, types.updates.Difference):
            return messages + diff.new_messages, slices
        elif isinstance(diff, types.updates.DifferenceEmpty):
            return messages, slices
        else:
            raise ScenarioFailure(f"unexpected {type(diff).__name__}")
    raise ScenarioFailure("getDifference did not finish in 20 calls")


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99981"), derived_phone(args.phone, "99982")
    # Bob's devices on the second gateway when there is one: pushes cross processes.
    ann = make_client(args)
    bob, bob2 = make_client(args, port=second_port(args)), make_client(args, port=second_port(args))
    clients = [ann, bob, bob2]
    try:
        ann_user = await steps.run("sign up Ann", sign_up(ann, ann_phone, "Ann"))
        bob_user = await steps.run("sign up Bob (device 1)", sign_up(bob, bob_phone, "Bob"))
        await steps.run("Bob logs in on device 2 (second auth key)", log_in(bob2, bob_phone))
        live = {"ann": watch(ann), "bob": watch(bob), "bob2": watch(bob2)}
        for client in clients:
            await client.get_me()  # starts update handling

        imported = await steps.run("Ann: contacts.importContacts(Bob)", ann(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        steps.check([u.id for u in imported.users] == [bob_user.id], f"import {imported!r}")
        bob_for_ann = imported.users[0]

        text = f"hello Bob {args.phone[-5:]}"
        sent = await steps.run("Ann: send_message(Bob)", ann.send_message(bob_for_ann, text))
        got1 = await steps.run("Bob device 1 gets it live", live["bob"]["new"].wait_for(
            lambda m: m.raw_text == text and not m.out, "message on device 1"))
        await steps.run("Bob device 2 gets it live", live["bob2"]["new"].wait_for(
            lambda m: m.raw_text == text and not m.out, "message on device 2"))
        steps.check(got1.sender_id == ann_user.id, f"sender {got1.sender_id}")

        dialogs = await steps.run("Bob: get_dialogs", bob.get_dialogs())
        with_ann = [d for d in dialogs if d.id == ann_user.id]
        steps.check(with_ann and with_ann[0].unread_count == 1,
                    f"dialog with Ann: {[(d.id, d.unread_count) for d in dialogs]}")
        ann_for_bob = with_ann[0].entity
        history = await steps.run("Bob: get_messages(Ann)", bob.get_messages(ann_for_bob, 10))
        steps.check([m.raw_text for m in history] == [text], f"history {history!r}")

        await steps.run("Bob: read history", bob.send_read_acknowledge(ann_for_bob, history))
        await steps.run("Ann gets the read receipt live", live["ann"]["read"].wait_for(
            lambda e: e.max_id >= sent.id, "updateReadHistoryOutbox"))

        edited = f"{text} (edited)"
        await steps.run("Ann: edit", ann.edit_message(bob_for_ann, sent.id, edited))
        await steps.run("Bob sees the edit live", live["bob"]["edit"].wait_for(
            lambda m: m.raw_text == edited, "updateEditMessage"))
        again = await steps.run("Bob: re-fetch the edited message",
                                bob.get_messages(ann_for_bob, ids=got1.id))
        steps.check(again is not None and again.raw_text == edited, f"re-fetched {again!r}")

        await steps.run("Ann: delete for both (revoke)",
                        ann.delete_messages(bob_for_ann, [sent.id], revoke=True))
        await steps.run("Bob sees the deletion live", live["bob"]["delete"].wait_for(
            lambda e: got1.id in e.deleted_ids, "updateDeleteMessages"))
        gone = await steps.run("Bob: re-fetch the deleted message",
                               bob.get_messages(ann_for_bob, ids=got1.id))
        steps.check(gone is None, f"deleted message still there: {gone!r}")

        reply = f"from Bob's device 2 {args.phone[-5:]}"
        ann_on_bob2 = types.InputPeerUser(ann_user.id, ann_for_bob.access_hash)
        await steps.run("Bob device 2: send to Ann", bob2.send_message(ann_on_bob2, reply))
        await steps.run("Bob device 1 sees his own message live (out)",
                        live["bob"]["new"].wait_for(lambda m: m.raw_text == reply and m.out,
                                                    "outgoing copy on the other device"))
        await steps.run("Ann gets Bob's reply live", live["ann"]["new"].wait_for(
            lambda m: m.raw_text == reply and not m.out, "reply"))

        state = await steps.run("Bob device 2: updates.getState",
                                bob2(functions.updates.GetStateRequest()))
        bob2_session = bob2.session.save()
        await steps.run("Bob device 2 goes offline", bob2.disconnect())
        texts = [f"offline {i:03d}" for i in range(OFFLINE_MESSAGES)]

        async def burst():
            for t in texts:
                await ann.send_message(bob_for_ann, t)
        await steps.run(f"Ann sends {OFFLINE_MESSAGES} messages", burst(), timeout=90)

        bob2 = make_client(args, bob2_session)
        clients.append(bob2)
        await steps.run("Bob device 2 reconnects (same auth key)", bob2.connect())
        steps.check(await bob2.is_user_authorized(), "device 2 lost its authorization")
        missed, slices = await steps.run("Bob device 2: getDifference until done",
                                         catch_up(bob2, state.pts, state.date))
        got_texts = [m.message for m in missed if isinstance(m, types.Message)]
        steps.check(got_texts == texts,
                    f"caught up {len(got_texts)} messages (first {got_texts[:2]}), "
                    f"expected {len(texts)} in order")
        steps.check(slices >= 1, "no updates.differenceSlice for a gap over 100")
        print(f"NOTE caught up {len(got_texts)} messages in {slices + 1} calls", flush=True)
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon messaging", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
