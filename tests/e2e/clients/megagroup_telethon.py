"""Echo e2e: a supergroup with Telethon 1.45 (core.telegram.org/api/channel, /api/updates).

Usage: python megagroup_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann and Bob sign up; Ann imports Bob and creates a megagroup (channels.createChannel),
invites him (channels.inviteToChannel); both post and each gets the other's message live;
Bob reads the history (channels.readHistory) and Ann's dialog shows it read; get_participants
lists both; Bob disconnects while Ann posts 20 messages, reconnects and catches up with
updates.getChannelDifference from the pts he had (20 new messages, final). Phones use the
prefixes 99960/99961 (not used elsewhere).
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from messaging_telethon import Inbox, derived_phone, make_client, second_port, sign_up
from telethon import events, functions, types
from telethon.crypto import rsa

OFFLINE_POSTS = 20


def watch_channel(client):
    """Every new message of a channel (text or service) that reaches `client` live;
    events.NewMessage leaves service messages out, so raw updates are watched as well."""
    inbox = Inbox()

    async def on_raw(update):
        if isinstance(update, types.UpdateNewChannelMessage) and \
                isinstance(update.message, types.MessageService):
            inbox.add(update.message)

    async def on_new(event):
        if isinstance(event.message.peer_id, types.PeerChannel):
            inbox.add(event.message)

    client.add_event_handler(on_raw, events.Raw())
    client.add_event_handler(on_new, events.NewMessage())
    return inbox


def text_of(message):
    return getattr(message, "message", None)


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99960"), derived_phone(args.phone, "99961")
    # Bob on the second gateway when there is one: the group spans both.
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    clients = [ann, bob]
    try:
        await steps.run("sign up Ann", sign_up(ann, ann_phone, "Ann"))
        bob_user = await steps.run("sign up Bob", sign_up(bob, bob_phone, "Bob"))
        live = {"ann": watch_channel(ann), "bob": watch_channel(bob)}
        for client in clients:
            await client.get_me()  # starts update handling
        imported = await steps.run("Ann: contacts.importContacts(Bob)", ann(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        steps.check([u.id for u in imported.users] == [bob_user.id], f"import {imported!r}")
        bob_for_ann = imported.users[0]

        title = f"Mega {args.phone[-5:]}"
        created = await steps.run("Ann: channels.createChannel(megagroup)", ann(
            functions.channels.CreateChannelRequest(title=title, about="e2e", megagroup=True)))
        channels = [c for c in created.chats if isinstance(c, types.Channel)]
        steps.check(len(channels) == 1 and channels[0].megagroup and channels[0].creator,
                    f"created {created.chats!r}")
        group = channels[0]
        await steps.run("Ann: channels.inviteToChannel(Bob)", ann(
            functions.channels.InviteToChannelRequest(
                group, [types.InputUser(bob_for_ann.id, bob_for_ann.access_hash)])))
        await steps.run("Bob gets the add service message live", live["bob"].wait_for(
            lambda m: isinstance(getattr(m, "action", None), types.MessageActionChatAddUser),
            "messageActionChatAddUser"))
        peer = types.PeerChannel(group.id)
        bob_group = await steps.run("Bob: get_entity(group)", bob.get_entity(peer))
        steps.check(bob_group.megagroup and not bob_group.creator, f"Bob sees {bob_group!r}")

        hello = f"hello mega {args.phone[-5:]}"
        await steps.run("Ann: send to the group", ann.send_message(group, hello))
        await steps.run("Bob gets Ann's message live", live["bob"].wait_for(
            lambda m: text_of(m) == hello, "Ann's message"))
        answer = f"hi from Bob {args.phone[-5:]}"
        await steps.run("Bob: send to the group", bob.send_message(bob_group, answer))
        await steps.run("Ann gets Bob's message live", live["ann"].wait_for(
            lambda m: text_of(m) == answer and m.sender_id == bob_user.id, "Bob's message"))

        history = await steps.run("Bob: get_messages(group)", bob.get_messages(bob_group, 10))
        texts = [m.message for m in history if isinstance(m, types.Message)]
        steps.check(texts == [answer, hello], f"Bob's history {texts!r}")
        await steps.run("Bob: channels.readHistory", bob.send_read_acknowledge(
            bob_group, max_id=max(m.id for m in history)))
        dialogs = await steps.run("Bob: get_dialogs", bob.get_dialogs())
        mine = [d for d in dialogs if d.entity.id == group.id]
        steps.check(mine and mine[0].unread_count == 0 and mine[0].name == title,
                    f"Bob's dialogs {[(d.name, d.unread_count) for d in dialogs]}")
        members = await steps.run("Ann: get_participants", ann.get_participants(group))
        steps.check(sorted(u.id for u in members) == sorted([bob_user.id, (await ann.get_me()).id]),
                    f"participants {[u.id for u in members]}")

        full = await steps.run("Bob: channels.getFullChannel", bob(
            functions.channels.GetFullChannelRequest(bob_group)))
        pts_before = full.full_chat.pts
        await steps.run("Bob disconnects", bob.disconnect())
        for i in range(OFFLINE_POSTS):
            await ann.send_message(group, f"offline {i} {args.phone[-5:]}")
        print(f"STEP Ann posted {OFFLINE_POSTS} while Bob was away", flush=True)
        await steps.run("Bob reconnects", bob.connect())
        diff = await steps.run("Bob: updates.getChannelDifference", bob(
            functions.updates.GetChannelDifferenceRequest(
                channel=bob_group, filter=types.ChannelMessagesFilterEmpty(),
                pts=pts_before, limit=100)))
        if not isinstance(diff, types.updates.ChannelDifference):
            raise ScenarioFailure(f"expected a channelDifference, got {type(diff).__name__}")
        got = [m.message for m in diff.new_messages if isinstance(m, types.Message)]
        want = [f"offline {i} {args.phone[-5:]}" for i in range(OFFLINE_POSTS)]
        steps.check(got == want and diff.final and diff.pts == pts_before + OFFLINE_POSTS,
                    f"difference: {len(got)} messages, final={diff.final}, pts={diff.pts}")
        empty = await steps.run("Bob: getChannelDifference at the new pts", bob(
            functions.updates.GetChannelDifferenceRequest(
                channel=bob_group, filter=types.ChannelMessagesFilterEmpty(),
                pts=diff.pts, limit=100)))
        steps.check(isinstance(empty, types.updates.ChannelDifferenceEmpty),
                    f"expected empty, got {type(empty).__name__}")
        after = f"back online {args.phone[-5:]}"
        await steps.run("Ann: send after Bob is back", ann.send_message(group, after))
        await steps.run("Bob gets it live", live["bob"].wait_for(
            lambda m: text_of(m) == after, "message after reconnect"))
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon megagroup", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
