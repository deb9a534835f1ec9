"""Echo e2e: admin rights and moderation in a supergroup with Telethon 1.45
(core.telegram.org/api/rights, /method/channels.editAdmin, /method/channels.editBanned,
/method/channels.toggleSlowMode, /api/pin).

Usage: python channel_admin_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann creates a megagroup with Bob and Carol. Bob cannot delete Carol's message, nor promote
anyone, as a member; Ann promotes him (channels.editAdmin with delete_messages); promoting
Carol without add_admins answers CHAT_ADMIN_REQUIRED. Ann pins a message: Bob gets
updatePinnedChannelMessages live and his full channel shows pinned_msg_id. Ann bans Carol
(channels.editBanned with view_messages): Carol's post and her history answer
CHANNEL_PRIVATE and she is listed as kicked. Bob, admin, deletes Carol's message. Ann demotes
Bob and turns slow mode on (30 s): Bob's second post answers SLOWMODE_WAIT_X. Phones use the
prefixes 99991/99992/99993 (not used elsewhere).
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from megagroup_telethon import text_of, watch_channel
from messaging_telethon import Inbox, derived_phone, make_client, second_port, sign_up
from telethon import errors, events, functions, types
from telethon.crypto import rsa


def watch_pins(client):
    inbox = Inbox()

    async def on_raw(update):
        if isinstance(update, types.UpdatePinnedChannelMessages):
            inbox.add(update)

    client.add_event_handler(on_raw, events.Raw())
    return inbox


def rights(**granted):
    return types.ChatAdminRights(**granted)


async def expect_error(steps, what, call, error_type, message=None):
    try:
        await call
    except error_type as err:
        if message and message not in str(err):
            raise ScenarioFailure(f"{what}: {err!r}") from err
        print(f"STEP {what}: {type(err).__name__}", flush=True)
        return err
    raise ScenarioFailure(f"{what} succeeded")


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    phones = [derived_phone(args.phone, p) for p in ("99991", "99992", "99993")]
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    carol = make_client(args)
    clients = [ann, bob, carol]
    try:
        await steps.run("sign up Ann", sign_up(ann, phones[0], "Ann"))
        await steps.run("sign up Bob", sign_up(bob, phones[1], "Bob"))
        await steps.run("sign up Carol", sign_up(carol, phones[2], "Carol"))
        live = {"bob": watch_channel(bob)}
        pins = watch_pins(bob)
        for client in clients:
            await client.get_me()  # starts update handling
        imported = await steps.run("Ann: contacts.importContacts(Bob, Carol)", ann(
            functions.contacts.ImportContactsRequest([
                types.InputPhoneContact(client_id=1, phone=phones[1], first_name="Bob",
                                        last_name=""),
                types.InputPhoneContact(client_id=2, phone=phones[2], first_name="Carol",
                                        last_name="")])))
        steps.check(len(imported.users) == 2, f"import {imported!r}")
        bob_u, carol_u = sorted(imported.users, key=lambda u: u.first_name != "Bob")
        created = await steps.run("Ann: channels.createChannel(megagroup)", ann(
            functions.channels.CreateChannelRequest(
                title=f"Mods {args.phone[-5:]}", about="e2e", megagroup=True)))
        group = next(c for c in created.chats if isinstance(c, types.Channel))
        await steps.run("Ann: channels.inviteToChannel(Bob, Carol)", ann(
            functions.channels.InviteToChannelRequest(group, [
                types.InputUser(bob_u.id, bob_u.access_hash),
                types.InputUser(carol_u.id, carol_u.access_hash)])))
        await live["bob"].wait_for(
            lambda m: isinstance(getattr(m, "action", None), types.MessageActionChatAddUser),
            "messageActionChatAddUser")
        peer = types.PeerChannel(group.id)
        bob_group = await steps.run("Bob: get_entity(group)", bob.get_entity(peer))
        carol_group = await steps.run("Carol: get_entity(group)", carol.get_entity(peer))

        carols = await steps.run("Carol: post", carol.send_message(carol_group, "carol's"))
        await live["bob"].wait_for(lambda m: text_of(m) == "carol's", "Carol's post")
        await expect_error(steps, "Bob deletes Carol's message as a member",
                           bob.delete_messages(bob_group, [carols.id]),
                           errors.MessageDeleteForbiddenError)
        await steps.run("Ann: channels.editAdmin(Bob, delete_messages)", ann(
            functions.channels.EditAdminRequest(
                group, types.InputUser(bob_u.id, bob_u.access_hash),
                rights(delete_messages=True, invite_users=True), rank="mod")))
        admins = await steps.run("Ann: get_participants(admins)", ann.get_participants(
            group, filter=types.ChannelParticipantsAdmins()))
        ann_id = (await ann.get_me()).id
        steps.check(sorted(a.id for a in admins) == sorted([bob_u.id, ann_id]),
                    f"admins {[a.id for a in admins]}")
        await expect_error(steps, "Bob promotes Carol without add_admins", bob(
            functions.channels.EditAdminRequest(
                bob_group, types.InputUser(carol_u.id, carol_u.access_hash),
                rights(delete_messages=True), rank="")),
            errors.ChatAdminRequiredError)
        pinned = await steps.run("Ann: post", ann.send_message(group, "read the rules"))
        await steps.run("Ann: messages.updatePinnedMessage", ann.pin_message(group, pinned.id))
        got = await steps.run("Bob gets updatePinnedChannelMessages live", pins.wait_for(
            lambda u: u.pinned and u.messages == [pinned.id], "pin"))
        steps.check(got.channel_id == group.id, f"pin {got!r}")
        full = await steps.run("Bob: channels.getFullChannel", bob(
            functions.channels.GetFullChannelRequest(bob_group)))
        steps.check(full.full_chat.pinned_msg_id == pinned.id,
                    f"pinned_msg_id {full.full_chat.pinned_msg_id}")
        await steps.run("Ann: channels.editBanned(Carol, view_messages)", ann(
            functions.channels.EditBannedRequest(
                group, types.InputPeerUser(carol_u.id, carol_u.access_hash),
                types.ChatBannedRights(until_date=None, view_messages=True,
                                       send_messages=True))))
        await expect_error(steps, "banned Carol posts", carol.send_message(carol_group, "hi"),
                           errors.ChannelPrivateError)
        await expect_error(steps, "banned Carol reads history",
                           carol(functions.messages.GetHistoryRequest(
                               carol_group, 0, None, 0, 10, 0, 0, 0)),
                           errors.ChannelPrivateError)
        kicked = await steps.run("Ann: get_participants(kicked)", ann.get_participants(
            group, filter=types.ChannelParticipantsKicked(q="")))
        steps.check([k.id for k in kicked] == [carol_u.id], f"kicked {kicked!r}")

        # Last of Bob's live checks: Telethon does not apply the pts of its own
        # channels.deleteMessages answer, so later pushes to Bob look like a gap.
        done = await steps.run("Bob (admin) deletes Carol's message",
                               bob.delete_messages(bob_group, [carols.id]))
        steps.check(done and done[0].pts_count == 1, f"deleted {done!r}")

        # Slow mode holds back members only: Bob goes back to being one.
        await steps.run("Ann: demote Bob", ann(functions.channels.EditAdminRequest(
            group, types.InputUser(bob_u.id, bob_u.access_hash), rights(), rank="")))
        await steps.run("Ann: channels.toggleSlowMode(30)", ann(
            functions.channels.ToggleSlowModeRequest(group, 30)))
        # Telethon sleeps through short SLOWMODE_WAIT errors by default; surface them.
        bob.flood_sleep_threshold = 0
        await steps.run("Bob: first post", bob.send_message(bob_group, "one"))
        err = await expect_error(steps, "Bob: second post at once",
                                 bob.send_message(bob_group, "two"), errors.SlowModeWaitError)
        steps.check(0 < getattr(err, "seconds", 30) <= 30, f"wait {err!r}")
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon channel admin", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
