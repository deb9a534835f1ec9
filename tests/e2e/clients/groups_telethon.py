"""Echo e2e: a three-person basic group with Telethon 1.45 (core.telegram.org/api/channel#basic-groups).

Usage: python groups_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann, Bob and Carol sign up; Ann imports the other two and creates a group with them
(messages.createChat). A message from each side reaches the others live and shows in their
histories and dialogs; Bob renames the group and everyone's history shows the service
message; Ann kicks Carol, whose sendMessage then fails with CHAT_WRITE_FORBIDDEN and who gets
nothing Ann sends afterwards; Ann adds her back (messages.addChatUser) and she posts again. Phones use the prefixes 99985/99986/99987 (not used elsewhere).
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from messaging_telethon import Inbox, derived_phone, make_client, second_port, sign_up
from telethon import errors, events, functions, types
from telethon.crypto import rsa

# How long a member must stay silent to count as "got nothing".
QUIET = 3.0


def watch_group(client):
    """Every new group message (text or service) that reaches `client` live. Each client is in
    one group only, and a push may arrive before createChat's answer names it."""
    inbox = Inbox()

    async def on_raw(update):
        message = getattr(update, "message", None)
        if isinstance(update, types.UpdateNewMessage) and \
                isinstance(message.peer_id, types.PeerChat):
            inbox.add(message)

    async def on_new(event):
        if isinstance(event.message.peer_id, types.PeerChat):
            inbox.add(event.message)

    client.add_event_handler(on_raw, events.Raw())
    client.add_event_handler(on_new, events.NewMessage())
    return inbox


def text_of(message):
    return getattr(message, "message", None)


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    phones = [derived_phone(args.phone, p) for p in ("99985", "99986", "99987")]
    # Bob on the second gateway when there is one: the group spans both.
    ann, bob, carol = make_client(args), make_client(args, port=second_port(args)), make_client(args)
    clients = [ann, bob, carol]
    group = {"id": 0}
    try:
        await steps.run("sign up Ann", sign_up(ann, phones[0], "Ann"))
        bob_user = await steps.run("sign up Bob", sign_up(bob, phones[1], "Bob"))
        carol_user = await steps.run("sign up Carol", sign_up(carol, phones[2], "Carol"))
        live = {name: watch_group(c) for name, c in
                (("ann", ann), ("bob", bob), ("carol", carol))}
        for client in clients:
            await client.get_me()  # starts update handling

        imported = await steps.run("Ann: contacts.importContacts(Bob, Carol)", ann(
            functions.contacts.ImportContactsRequest([
                types.InputPhoneContact(client_id=1, phone=phones[1], first_name="Bob",
                                        last_name=""),
                types.InputPhoneContact(client_id=2, phone=phones[2], first_name="Carol",
                                        last_name="")])))
        by_id = {u.id: u for u in imported.users}
        steps.check(set(by_id) == {bob_user.id, carol_user.id}, f"import {imported!r}")
        invitees = [types.InputUser(u.id, u.access_hash) for u in by_id.values()]

        title = f"Trio {args.phone[-5:]}"
        created = await steps.run("Ann: messages.createChat(Bob, Carol)", ann(
            functions.messages.CreateChatRequest(users=invitees, title=title)))
        updates = getattr(created, "updates", created)
        chats = [c for c in updates.chats if isinstance(c, types.Chat)]
        steps.check(len(chats) == 1 and chats[0].participants_count == 3,
                    f"created chats {updates.chats!r}")
        group["id"] = chats[0].id
        peer = types.PeerChat(group["id"])
        for name in ("bob", "carol"):
            await steps.run(f"{name} gets the create service message live",
                            live[name].wait_for(lambda m: isinstance(m, types.MessageService),
                                                "messageActionChatCreate"))

        hello = f"hello group {args.phone[-5:]}"
        await steps.run("Ann: send to the group", ann.send_message(peer, hello))
        for name in ("bob", "carol"):
            await steps.run(f"{name} gets Ann's message live", live[name].wait_for(
                lambda m: text_of(m) == hello, "group message"))
        answer = f"hi from Bob {args.phone[-5:]}"
        await steps.run("Bob: send to the group", bob.send_message(peer, answer))
        for name in ("ann", "carol"):
            await steps.run(f"{name} gets Bob's message live", live[name].wait_for(
                lambda m: text_of(m) == answer, "group message"))

        history = await steps.run("Carol: get_messages(group)", carol.get_messages(peer, 10))
        texts = [m.message for m in history if isinstance(m, types.Message)]
        steps.check(texts == [answer, hello], f"Carol's history {texts!r}")
        dialogs = await steps.run("Bob: get_dialogs", bob.get_dialogs())
        steps.check(any(d.id == -group["id"] and d.name == title for d in dialogs),
                    f"Bob's dialogs {[(d.id, d.name) for d in dialogs]}")

        renamed = f"Renamed {args.phone[-5:]}"
        await steps.run("Bob: messages.editChatTitle", bob(
            functions.messages.EditChatTitleRequest(group["id"], renamed)))
        for name in ("ann", "carol"):
            await steps.run(f"{name} gets the rename live", live[name].wait_for(
                lambda m: isinstance(getattr(m, "action", None),
                                     types.MessageActionChatEditTitle), "rename"))
        full = await steps.run("Ann: messages.getFullChat", ann(
            functions.messages.GetFullChatRequest(group["id"])))
        steps.check(full.chats[0].title == renamed, f"title {full.chats[0].title!r}")
        steps.check(len(full.full_chat.participants.participants) == 3,
                    f"participants {full.full_chat.participants!r}")

        carol_input = types.InputUser(carol_user.id, by_id[carol_user.id].access_hash)
        await steps.run("Ann: messages.deleteChatUser(Carol)", ann(
            functions.messages.DeleteChatUserRequest(group["id"], carol_input)))
        await steps.run("Carol gets the kick live", live["carol"].wait_for(
            lambda m: isinstance(getattr(m, "action", None), types.MessageActionChatDeleteUser),
            "messageActionChatDeleteUser"))
        try:
            await carol.send_message(peer, "let me in")
            raise ScenarioFailure("a kicked member could post")
        except errors.ChatWriteForbiddenError:
            pass
        print("STEP kicked Carol: CHAT_WRITE_FORBIDDEN", flush=True)

        after = f"without Carol {args.phone[-5:]}"
        await steps.run("Ann: send after the kick", ann.send_message(peer, after))
        await steps.run("Bob gets it live", live["bob"].wait_for(
            lambda m: text_of(m) == after, "message after the kick"))
        await asyncio.sleep(QUIET)
        steps.check(not any(text_of(m) == after for m in live["carol"].items),
                    "the kicked member got a new message")

        await steps.run("Ann: messages.addChatUser(Carol)", ann(
            functions.messages.AddChatUserRequest(group["id"], carol_input, fwd_limit=10)))
        await steps.run("Carol gets the add live", live["carol"].wait_for(
            lambda m: isinstance(getattr(m, "action", None), types.MessageActionChatAddUser),
            "messageActionChatAddUser"))
        back = f"Carol is back {args.phone[-5:]}"
        await steps.run("Carol: send after being added back", carol.send_message(peer, back))
        await steps.run("Bob gets Carol's message live", live["bob"].wait_for(
            lambda m: text_of(m) == back, "message after the add"))
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon groups", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
