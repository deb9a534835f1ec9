"""Echo e2e: contacts, usernames, blocking, access hashes and privacy with Telethon 1.45.

Usage: python contacts_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Three accounts in one process (core.telegram.org/api/contacts, /api/privacy):
Ann and Bob sign up; Ann imports Bob's phone (found) and Cid's (not registered yet);
Cid signs up and appears in Ann's contacts; Ann takes a username and Bob resolves it;
Ann blocks and unblocks Cid (getBlocked); a forged access hash is USER_ID_INVALID;
Ann's phone is visible to her contact Bob until she sets phone privacy to nobody; a second
device asking for Ann's login code makes 777000 send it to her logged-in device live.
Phones are derived from PHONE with the prefixes 99971/99972/99973 (not used elsewhere).
"""

import asyncio

from common import (API_HASH, API_ID, DEV_CODE, ScenarioFailure, parse_args, read_pem,
                    run_main)
from telethon import TelegramClient, errors, events, functions, types
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import StringSession

DC_ID = 2


def derived_phone(phone, prefix):
    return prefix + phone[-5:]


def make_client(args):
    session = StringSession()
    session.set_dc(DC_ID, args.host, args.port)
    return TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpFull,
                          connection_retries=3, retry_delay=1, timeout=10,
                          request_retries=1, auto_reconnect=False)


async def sign_up(client, phone, first_name):
    """New key, sendCode, signIn (sign-up required), signUp; returns the user."""
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


def rpc_message(err):
    """The raw Telegram error string (Telethon may replace it with a class name)."""
    return getattr(err, "message", "") or str(err)


async def expect_error(awaitable, wanted):
    try:
        result = await awaitable
    except errors.RPCError as err:
        # Telethon turns errors it knows into classes named after them (USER_ID_INVALID ->
        # UserIdInvalidError) with a prose message; unknown ones keep the raw string.
        class_name = "".join(w.capitalize() for w in wanted.split("_")) + "Error"
        if type(err).__name__ != class_name and wanted not in (rpc_message(err), str(err)):
            raise ScenarioFailure(f"expected {wanted}, got {type(err).__name__}: {err}")
        return
    raise ScenarioFailure(f"expected {wanted}, got {result!r}")


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    phones = {name: derived_phone(args.phone, prefix)
              for name, prefix in (("ann", "99971"), ("bob", "99972"), ("cid", "99973"))}
    ann, bob, cid = make_client(args), make_client(args), make_client(args)
    clients = [ann, bob, cid]
    try:
        ann_user = await steps.run("sign up Ann", sign_up(ann, phones["ann"], "Ann"))
        bob_user = await steps.run("sign up Bob", sign_up(bob, phones["bob"], "Bob"))

        imported = await steps.run("Ann: contacts.importContacts(Bob, Cid)", ann(
            functions.contacts.ImportContactsRequest([
                types.InputPhoneContact(client_id=1, phone="+" + phones["bob"],
                                        first_name="Bobby", last_name="B"),
                types.InputPhoneContact(client_id=2, phone=phones["cid"],
                                        first_name="Cee", last_name=""),
            ])))
        steps.check([(i.user_id, i.client_id) for i in imported.imported] == [(bob_user.id, 1)],
                    f"imported {imported.imported!r}, expected Bob with client_id 1")
        steps.check([u.id for u in imported.users] == [bob_user.id],
                    f"users {[u.id for u in imported.users]!r}")
        seen_bob = imported.users[0]
        steps.check(seen_bob.contact and seen_bob.first_name == "Bobby",
                    f"Bob as Ann sees him: contact={seen_bob.contact} name={seen_bob.first_name!r}")
        steps.check([p.client_id for p in imported.popular_invites] == [2],
                    f"popular_invites {imported.popular_invites!r}, expected Cid's client_id 2")

        cid_user = await steps.run("sign up Cid (imported before)", sign_up(cid, phones["cid"], "Cid"))
        contacts = await steps.run("Ann: contacts.getContacts",
                                   ann(functions.contacts.GetContactsRequest(hash=0)))
        ids = sorted(c.user_id for c in contacts.contacts)
        steps.check(ids == sorted([bob_user.id, cid_user.id]),
                    f"Ann's contacts {ids}, expected Bob {bob_user.id} and Cid {cid_user.id}")
        names = {u.id: u.first_name for u in contacts.users}
        steps.check(names.get(cid_user.id) == "Cee", f"Cid saved as {names.get(cid_user.id)!r}")

        username = f"ann_e2e_{args.phone[-5:]}"
        await steps.run("Ann: account.checkUsername", ann(
            functions.account.CheckUsernameRequest(username)))
        await steps.run("Ann: account.updateUsername",
                        ann(functions.account.UpdateUsernameRequest(username)))
        await steps.run("Ann: updateUsername again -> USERNAME_NOT_MODIFIED", expect_error(
            ann(functions.account.UpdateUsernameRequest(username)), "USERNAME_NOT_MODIFIED"))
        await steps.run("Bob: checkUsername(taken) -> USERNAME_OCCUPIED", expect_error(
            bob(functions.account.CheckUsernameRequest(username.upper())), "USERNAME_OCCUPIED"))
        resolved = await steps.run("Bob: contacts.resolveUsername", bob(
            functions.contacts.ResolveUsernameRequest(username)))
        steps.check(getattr(resolved.peer, "user_id", None) == ann_user.id,
                    f"resolved {resolved.peer!r}, expected Ann {ann_user.id}")
        ann_for_bob = resolved.users[0]
        # Default phone privacy: Ann's contacts (Bob) see her number.
        steps.check(ann_for_bob.phone == phones["ann"],
                    f"Bob sees Ann's phone {ann_for_bob.phone!r} under the default rules")
        entity = await steps.run("Bob: get_entity(@username)", bob.get_entity("@" + username))
        steps.check(entity.id == ann_user.id, f"get_entity gave {entity.id}")
        found = await steps.run("Bob: contacts.search", bob(
            functions.contacts.SearchRequest(q=username[:6], limit=10)))
        steps.check(any(getattr(p, "user_id", None) == ann_user.id for p in found.results),
                    f"search {username[:6]!r} did not find Ann: {found.results!r}")

        forged = types.InputUser(ann_for_bob.id, ann_for_bob.access_hash ^ 0x5A5A)
        await steps.run("Bob: users.getFullUser(forged access_hash) -> USER_ID_INVALID",
                        expect_error(bob(functions.users.GetFullUserRequest(forged)),
                                     "USER_ID_INVALID"))
        got = await steps.run("Bob: users.getUsers(forged access_hash)",
                              bob(functions.users.GetUsersRequest([forged])))
        steps.check(not got, f"a forged access hash revealed {got!r}")
        forged_peer = types.InputPeerUser(ann_for_bob.id, ann_for_bob.access_hash ^ 0x5A5A)
        await steps.run("Bob: contacts.block(forged) -> PEER_ID_INVALID", expect_error(
            bob(functions.contacts.BlockRequest(forged_peer)), "PEER_ID_INVALID"))

        cid_peer = await steps.run("Ann: get_input_entity(Cid)", ann.get_input_entity(cid_user.id))
        await steps.run("Ann: contacts.block(Cid)", ann(functions.contacts.BlockRequest(cid_peer)))
        blocked = await steps.run("Ann: contacts.getBlocked", ann(
            functions.contacts.GetBlockedRequest(offset=0, limit=10)))
        steps.check([b.peer_id.user_id for b in blocked.blocked] == [cid_user.id],
                    f"blocked list {blocked.blocked!r}, expected Cid")
        await steps.run("Ann: contacts.unblock(Cid)",
                        ann(functions.contacts.UnblockRequest(cid_peer)))
        blocked = await steps.run("Ann: contacts.getBlocked (empty)", ann(
            functions.contacts.GetBlockedRequest(offset=0, limit=10)))
        steps.check(not blocked.blocked, f"still blocked: {blocked.blocked!r}")

        rules = await steps.run("Ann: account.setPrivacy(phone, disallowAll)", ann(
            functions.account.SetPrivacyRequest(types.InputPrivacyKeyPhoneNumber(),
                                                [types.InputPrivacyValueDisallowAll()])))
        steps.check(any(isinstance(r, types.PrivacyValueDisallowAll) for r in rules.rules),
                    f"rules {rules.rules!r}")
        got = await steps.run("Ann: account.getPrivacy(phone)", ann(
            functions.account.GetPrivacyRequest(types.InputPrivacyKeyPhoneNumber())))
        steps.check([type(r) for r in got.rules] == [types.PrivacyValueDisallowAll],
                    f"getPrivacy {got.rules!r}")
        ann_input = types.InputUser(ann_user.id, ann_for_bob.access_hash)
        again = await steps.run("Bob: users.getUsers(Ann)",
                                bob(functions.users.GetUsersRequest([ann_input])))
        steps.check(again and again[0].phone is None,
                    f"Ann's phone {again[0].phone if again else None!r} still shown to Bob")
        me = await steps.run("Ann: get_me", ann.get_me())
        steps.check(me.phone == phones["ann"], "Ann no longer sees her own phone")
        service = await steps.run("Ann: users.getUsers(777000)", ann(
            functions.users.GetUsersRequest([types.InputUser(777000, 0x0777000777000777)])))
        steps.check(service and service[0].verified and service[0].first_name == "Telegram",
                    f"service user {service!r}")

        # A second device asks for Ann's code: 777000 sends it to her logged-in device, live.
        got_code = asyncio.Event()

        async def on_message(event):
            if event.sender_id == 777000 and "Login code" in (event.raw_text or ""):
                got_code.set()

        ann.add_event_handler(on_message, events.NewMessage(incoming=True))
        second = make_client(args)
        clients.append(second)
        await steps.run("second device: connect", second.connect())
        await steps.run("second device: send_code_request(Ann)",
                        second.send_code_request(phones["ann"]))
        await steps.run("Ann: login code from 777000 arrives live", got_code.wait())
        history = await steps.run("Ann: get_messages(777000)", ann.get_messages(
            types.InputPeerUser(777000, 0x0777000777000777), limit=1))
        steps.check(history and "Login code: " in history[0].message,
                    f"777000 history {[m.message for m in history]!r}")
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon contacts", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
