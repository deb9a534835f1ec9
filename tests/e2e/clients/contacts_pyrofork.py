"""Echo e2e: contacts, usernames, blocking, access hashes and privacy with Pyrofork 2.3.69
(layer 220, so every answer goes through Echo's layer transcoder).

Usage: python contacts_pyrofork.py HOST PORT PEM PHONE signup SESSION_FILE

The same story as contacts_telethon.py with three Pyrofork clients: Ann imports Bob
(registered) and Cid (not yet); Cid signs up and shows up in Ann's get_contacts; Ann
sets a username that Bob resolves with get_users; Ann blocks and unblocks Cid; a forged
access hash is USER_ID_INVALID; phone privacy "nobody" hides Ann's phone from Bob.
Phones are derived from PHONE with the prefixes 99974/99975/99976 (not used elsewhere).
contacts_kurigram.py runs the same `scenario` with Kurigram (layer 229).
"""

import asyncio
import copy

from common import ScenarioFailure, parse_args, run_main
from pyrofork_flow import Pyrofork
from pyrogram_common import finish_login


def derived_phone(phone, prefix):
    return prefix + phone[-5:]


async def sign_up(steps, fork, args, phone, first_name):
    user_args = copy.copy(args)
    user_args.phone = phone
    user_args.first_name = first_name
    client = fork.make_client(user_args, None)
    await steps.run(f"{first_name}: connect", client.connect())
    sent = await steps.run(f"{first_name}: send_code", client.send_code(phone))
    await steps.run(f"{first_name}: sign up", fork.sign_up(client, user_args,
                                                           sent.phone_code_hash))
    me = await finish_login(steps, client)
    return client, me


async def expect_error(awaitable, wanted):
    try:
        result = await awaitable
    except Exception as err:  # pyrogram.errors.RPCError subclasses carry the raw ID
        if getattr(err, "ID", None) != wanted and wanted not in str(err):
            raise ScenarioFailure(f"expected {wanted}, got {type(err).__name__}: {err}")
        return
    raise ScenarioFailure(f"expected {wanted}, got {result!r}")


# Phone prefixes per fork, so both forks' scenarios can share one run.
PREFIXES = {"pyrofork": ("99974", "99975", "99976"), "kurigram": ("99977", "99978", "99979")}


async def scenario(steps, args, fork):
    """The story for any Pyrogram fork (`fork`: a pyrogram_common.Fork)."""
    from pyrogram import raw, types

    fork.patch(args)
    phones = {name: derived_phone(args.phone, prefix)
              for name, prefix in zip(("ann", "bob", "cid"), PREFIXES[fork.name])}
    clients = []
    try:
        ann, ann_me = await sign_up(steps, fork, args, phones["ann"], "Ann")
        clients.append(ann)
        bob, bob_me = await sign_up(steps, fork, args, phones["bob"], "Bob")
        clients.append(bob)

        imported = await steps.run("Ann: import_contacts(Bob, Cid)", ann.import_contacts([
            types.InputPhoneContact(phones["bob"], "Bobby"),
            types.InputPhoneContact(phones["cid"], "Cee"),
        ]))
        steps.check([i.user_id for i in imported.imported] == [bob_me.id],
                    f"imported {imported.imported!r}, expected Bob {bob_me.id}")
        steps.check(len(imported.popular_invites) == 1,
                    f"popular_invites {imported.popular_invites!r}, expected Cid's entry")

        cid, cid_me = await sign_up(steps, fork, args, phones["cid"], "Cid")
        clients.append(cid)
        contacts = await steps.run("Ann: get_contacts", ann.get_contacts())
        ids = sorted(u.id for u in contacts)
        steps.check(ids == sorted([bob_me.id, cid_me.id]),
                    f"Ann's contacts {ids}, expected Bob {bob_me.id} and Cid {cid_me.id}")
        steps.check(all(u.is_contact for u in contacts), "contacts without is_contact")

        username = f"ann_pf_{args.phone[-5:]}"
        await steps.run("Ann: set_username", ann.set_username(username))
        # resolve_peer, not get_users: Pyrogram's get_users puts the inputPeerUser it
        # resolved into users.getUsers' Vector<InputUser>, which Echo's decoder refuses.
        found = await steps.run("Bob: resolve_peer(username) (contacts.resolveUsername)",
                                bob.resolve_peer(username))
        steps.check(getattr(found, "user_id", None) == ann_me.id,
                    f"resolved {found!r}, expected Ann {ann_me.id}")

        raw_contacts = await steps.run("Ann: contacts.getContacts (raw)", ann.invoke(
            raw.functions.contacts.GetContacts(hash=0)))
        cid_raw = next(u for u in raw_contacts.users if u.id == cid_me.id)
        cid_peer = raw.types.InputPeerUser(user_id=cid_raw.id, access_hash=cid_raw.access_hash)
        await steps.run("Ann: contacts.block(Cid)", ann.invoke(
            raw.functions.contacts.Block(id=cid_peer)))
        blocked = await steps.run("Ann: contacts.getBlocked", ann.invoke(
            raw.functions.contacts.GetBlocked(offset=0, limit=10)))
        steps.check([b.peer_id.user_id for b in blocked.blocked] == [cid_me.id],
                    f"blocked {blocked.blocked!r}, expected Cid")
        await steps.run("Ann: contacts.unblock(Cid)", ann.invoke(
            raw.functions.contacts.Unblock(id=cid_peer)))
        blocked = await steps.run("Ann: contacts.getBlocked (empty)", ann.invoke(
            raw.functions.contacts.GetBlocked(offset=0, limit=10)))
        steps.check(not blocked.blocked, f"still blocked: {blocked.blocked!r}")

        resolved = await steps.run("Bob: contacts.resolveUsername (raw)", bob.invoke(
            raw.functions.contacts.ResolveUsername(username=username)))
        ann_raw = resolved.users[0]
        forged = raw.types.InputUser(user_id=ann_raw.id,
                                     access_hash=ann_raw.access_hash ^ 0x5A5A)
        await steps.run("Bob: users.getFullUser(forged) -> USER_ID_INVALID", expect_error(
            bob.invoke(raw.functions.users.GetFullUser(id=forged)), "USER_ID_INVALID"))

        steps.check(ann_raw.phone == phones["ann"],
                    f"Bob (Ann's contact) sees Ann's phone {ann_raw.phone!r} by default")
        await steps.run("Ann: account.setPrivacy(phone, disallowAll)", ann.invoke(
            raw.functions.account.SetPrivacy(key=raw.types.InputPrivacyKeyPhoneNumber(),
                                              rules=[raw.types.InputPrivacyValueDisallowAll()])))
        real = raw.types.InputUser(user_id=ann_raw.id, access_hash=ann_raw.access_hash)
        again = await steps.run("Bob: users.getUsers(Ann)", bob.invoke(
            raw.functions.users.GetUsers(id=[real])))
        steps.check(again and again[0].phone is None,
                    f"Ann's phone {again[0].phone if again else None!r} still shown to Bob")
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("pyrofork")
    import pyrogram

    print(f"CLIENT pyrofork {pyrogram.__version__} layer {pyrogram.raw.all.layer} contacts",
          flush=True)
    run_main(lambda steps: scenario(steps, args, Pyrofork()), args)


if __name__ == "__main__":
    main()
