"""Echo e2e: a basic group migrated to a supergroup with Telethon 1.45
(core.telegram.org/method/messages.migrateChat, /api/channel).

Usage: python migrate_chat_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann and Bob sign up; Ann creates a basic group with Bob and both post in it. Ann migrates it
(messages.migrateChat): Bob gets messageActionChatMigrateTo in the group and the new
supergroup's messageActionChannelMigrateFrom live; the group now shows deactivated with
migrated_to; Bob still reads the group's history, channels.getFullChannel points back at it
(migrated_from_chat_id, migrated_from_max_id); a post to the old group is refused; both post
in the supergroup and get each other's message live. Phones use the prefixes 99957/99958
(not used elsewhere).
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from messaging_telethon import Inbox, derived_phone, make_client, second_port, sign_up
from telethon import errors, events, functions, types
from telethon.crypto import rsa


def watch(client):
    """Every new message (text or service, group or channel) that reaches `client` live."""
    inbox = Inbox()

    async def on_raw(update):
        if isinstance(update, (types.UpdateNewMessage, types.UpdateNewChannelMessage)) and \
                isinstance(update.message, types.MessageService):
            inbox.add(update.message)

    async def on_new(event):
        inbox.add(event.message)

    client.add_event_handler(on_raw, events.Raw())
    client.add_event_handler(on_new, events.NewMessage())
    return inbox


def text_of(message):
    return getattr(message, "message", None)


def action_of(message):
    return getattr(message, "action", None)


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99957"), derived_phone(args.phone, "99958")
    # Bob on the second gateway when there is one.
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    clients = [ann, bob]
    try:
        await steps.run("sign up Ann", sign_up(ann, ann_phone, "Ann"))
        bob_user = await steps.run("sign up Bob", sign_up(bob, bob_phone, "Bob"))
        live = {"ann": watch(ann), "bob": watch(bob)}
        for client in clients:
            await client.get_me()  # starts update handling
        imported = await steps.run("Ann: contacts.importContacts(Bob)", ann(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        steps.check([u.id for u in imported.users] == [bob_user.id], f"import {imported!r}")
        bob_input = types.InputUser(bob_user.id, imported.users[0].access_hash)

        title = f"Upgrade {args.phone[-5:]}"
        created = await steps.run("Ann: messages.createChat(Bob)", ann(
            functions.messages.CreateChatRequest(users=[bob_input], title=title)))
        updates = getattr(created, "updates", created)
        chat_id = [c for c in updates.chats if isinstance(c, types.Chat)][0].id
        old_peer = types.PeerChat(chat_id)
        before = f"before the upgrade {args.phone[-5:]}"
        await steps.run("Ann: send to the basic group", ann.send_message(old_peer, before))
        await steps.run("Bob gets it live", live["bob"].wait_for(
            lambda m: text_of(m) == before, "group message"))
        reply = f"Bob before {args.phone[-5:]}"
        await steps.run("Bob: send to the basic group", bob.send_message(old_peer, reply))
        await steps.run("Ann gets it live", live["ann"].wait_for(
            lambda m: text_of(m) == reply, "group message"))

        migrated = await steps.run("Ann: messages.migrateChat", ann(
            functions.messages.MigrateChatRequest(chat_id)))
        channels = [c for c in migrated.chats if isinstance(c, types.Channel)]
        steps.check(len(channels) == 1 and channels[0].megagroup and channels[0].creator,
                    f"migrated chats {migrated.chats!r}")
        supergroup = channels[0]
        old = [c for c in migrated.chats if isinstance(c, types.Chat) and c.id == chat_id]
        steps.check(old and old[0].deactivated and old[0].migrated_to is not None and
                    old[0].migrated_to.channel_id == supergroup.id, f"old group {old!r}")

        await steps.run("Bob gets messageActionChatMigrateTo live", live["bob"].wait_for(
            lambda m: isinstance(action_of(m), types.MessageActionChatMigrateTo) and
            action_of(m).channel_id == supergroup.id, "migrate-to notice"))
        await steps.run("Bob gets messageActionChannelMigrateFrom live", live["bob"].wait_for(
            lambda m: isinstance(action_of(m), types.MessageActionChannelMigrateFrom) and
            action_of(m).chat_id == chat_id, "migrate-from notice"))

        bob_group = await steps.run("Bob: get_entity(supergroup)",
                                    bob.get_entity(types.PeerChannel(supergroup.id)))
        steps.check(bob_group.megagroup and not bob_group.creator and bob_group.title == title,
                    f"Bob sees {bob_group!r}")
        full = await steps.run("Bob: channels.getFullChannel", bob(
            functions.channels.GetFullChannelRequest(bob_group)))
        steps.check(full.full_chat.migrated_from_chat_id == chat_id and
                    (full.full_chat.migrated_from_max_id or 0) > 0 and
                    full.full_chat.participants_count == 2,
                    f"full channel {full.full_chat!r}")

        history = await steps.run("Bob: get_messages(old group)", bob.get_messages(old_peer, 10))
        texts = [m.message for m in history if isinstance(m, types.Message)]
        steps.check(texts == [reply, before], f"Bob's old history {texts!r}")
        steps.check(isinstance(action_of(history[0]), types.MessageActionChatMigrateTo),
                    f"newest in the old group {history[0]!r}")
        try:
            await bob.send_message(old_peer, "still here?")
            raise ScenarioFailure("the migrated group took a message")
        except (errors.PeerIdInvalidError, errors.ChatIdInvalidError):
            pass
        print("STEP a post to the migrated group: refused", flush=True)

        hello = f"hello supergroup {args.phone[-5:]}"
        await steps.run("Ann: send to the supergroup", ann.send_message(supergroup, hello))
        await steps.run("Bob gets it live", live["bob"].wait_for(
            lambda m: text_of(m) == hello, "supergroup message"))
        answer = f"Bob in the supergroup {args.phone[-5:]}"
        await steps.run("Bob: send to the supergroup", bob.send_message(bob_group, answer))
        await steps.run("Ann gets it live", live["ann"].wait_for(
            lambda m: text_of(m) == answer and m.sender_id == bob_user.id, "Bob's message"))
        new_history = await steps.run("Ann: get_messages(supergroup)",
                                      ann.get_messages(supergroup, 10))
        steps.check([text_of(m) for m in new_history][:2] == [answer, hello] and
                    isinstance(action_of(new_history[-1]), types.MessageActionChannelMigrateFrom),
                    f"supergroup history {[text_of(m) or action_of(m) for m in new_history]}")
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon migrate chat", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
