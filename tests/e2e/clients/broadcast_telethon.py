"""Echo e2e: a broadcast channel with Telethon 1.45 (core.telegram.org/api/channel).

Usage: python broadcast_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann creates a broadcast channel (channels.createChannel) and adds Bob as a subscriber
(channels.inviteToChannel, which Telegram lets admins do for their contacts); Bob sees the
channel in his dialogs; Ann's post reaches him live as a channel post (no sender, a view
counter); Bob's own post fails with CHAT_ADMIN_REQUIRED; joinChannel on the private channel
he is already in answers USER_ALREADY_PARTICIPANT. Phones use the prefixes 99962/99963.
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from megagroup_telethon import text_of, watch_channel
from messaging_telethon import derived_phone, make_client, second_port, sign_up
from telethon import errors, functions, types
from telethon.crypto import rsa


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99962"), derived_phone(args.phone, "99963")
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    clients = [ann, bob]
    try:
        await steps.run("sign up Ann", sign_up(ann, ann_phone, "Ann"))
        bob_user = await steps.run("sign up Bob", sign_up(bob, bob_phone, "Bob"))
        live = {"bob": watch_channel(bob)}
        for client in clients:
            await client.get_me()  # starts update handling
        imported = await steps.run("Ann: contacts.importContacts(Bob)", ann(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        steps.check([u.id for u in imported.users] == [bob_user.id], f"import {imported!r}")
        bob_for_ann = imported.users[0]

        title = f"News {args.phone[-5:]}"
        created = await steps.run("Ann: channels.createChannel(broadcast)", ann(
            functions.channels.CreateChannelRequest(title=title, about="e2e", broadcast=True)))
        channel = next(c for c in created.chats if isinstance(c, types.Channel))
        steps.check(channel.broadcast and channel.creator, f"created {channel!r}")
        await steps.run("Ann: channels.inviteToChannel(Bob)", ann(
            functions.channels.InviteToChannelRequest(
                channel, [types.InputUser(bob_for_ann.id, bob_for_ann.access_hash)])))
        dialogs = await steps.run("Bob: get_dialogs", bob.get_dialogs())
        mine = [d for d in dialogs if d.entity.id == channel.id]
        steps.check(mine and mine[0].name == title and mine[0].is_channel,
                    f"Bob's dialogs {[(d.name, d.id) for d in dialogs]}")
        bob_channel = mine[0].entity
        steps.check(bob_channel.broadcast and not bob_channel.creator and
                    bob_channel.admin_rights is None, f"Bob sees {bob_channel!r}")

        post = f"breaking {args.phone[-5:]}"
        await steps.run("Ann: post", ann.send_message(channel, post))
        got = await steps.run("Bob gets the post live", live["bob"].wait_for(
            lambda m: text_of(m) == post, "channel post"))
        steps.check(got.post and got.from_id is None and (got.views or 0) >= 1,
                    f"post {got!r}")
        try:
            await bob.send_message(bob_channel, "may I?")
            raise ScenarioFailure("a subscriber could post in a broadcast channel")
        except errors.ChatAdminRequiredError:
            pass
        print("STEP Bob's post: CHAT_ADMIN_REQUIRED", flush=True)
        try:
            await bob(functions.channels.JoinChannelRequest(bob_channel))
            raise ScenarioFailure("joinChannel twice succeeded")
        except errors.UserAlreadyParticipantError:
            pass
        print("STEP joinChannel again: USER_ALREADY_PARTICIPANT", flush=True)
        history = await steps.run("Bob: get_messages(channel)", bob.get_messages(bob_channel, 10))
        texts = [m.message for m in history if isinstance(m, types.Message)]
        steps.check(texts == [post], f"Bob's history {texts!r}")
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon broadcast", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
