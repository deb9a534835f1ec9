"""Echo e2e: a broadcast channel with Telethon 1.45 (core.telegram.org/api/channel).

Usage: python broadcast_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann creates a broadcast channel (channels.createChannel) and adds Bob as a subscriber
(channels.inviteToChannel, which Telegram lets admins do for their contacts); Bob sees the
channel in his dialogs; Ann's post reaches him live as a channel post (no sender, a view
counter); Ann sets a channel photo (channels.editPhoto): Bob gets the service message live,
sees the photo on the channel (get_entity → channels.getChannels, with a stripped thumb) and
downloads it (download_profile_photo → inputPeerPhotoFileLocation); Ann posts a photo, which
reaches Bob live and downloads as the JPEG of the right size; Bob's own post fails with
CHAT_ADMIN_REQUIRED; joinChannel on the private channel he is already in answers
USER_ALREADY_PARTICIPANT. Phones use the prefixes 99962/99963.
"""

import asyncio
import os
import shutil
import tempfile

from common import ScenarioFailure, parse_args, read_pem, run_main
from media_common import jpeg_size, png_image
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
    workdir = tempfile.mkdtemp(prefix="echo-e2e-broadcast-")
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

        # --- the channel photo: live to Bob, on the channel object, downloadable
        logo = png_image(os.path.join(workdir, "logo.png"), 320, 320, seed=3)
        await steps.run("Ann: channels.editPhoto", ann(functions.channels.EditPhotoRequest(
            channel, types.InputChatUploadedPhoto(file=await ann.upload_file(logo)))))
        changed = await steps.run("Bob gets messageActionChatEditPhoto live", live["bob"].wait_for(
            lambda m: isinstance(getattr(m, "action", None), types.MessageActionChatEditPhoto),
            "photo change"))
        photo_id = changed.action.photo.id
        entity = await steps.run("Bob: get_entity(channel)",
                                 bob.get_entity(types.PeerChannel(channel.id)))
        steps.check(isinstance(entity.photo, types.ChatPhoto)
                    and entity.photo.photo_id == photo_id and entity.photo.stripped_thumb,
                    f"channel photo {entity.photo!r}")
        avatar = await steps.run("Bob: download_profile_photo(channel)",
                                 bob.download_profile_photo(entity, file=bytes))
        steps.check(avatar and jpeg_size(avatar) == (320, 320),
                    f"channel avatar {jpeg_size(avatar) if avatar else None}")

        # --- a photo post: live to Bob, downloadable
        caption = f"picture {args.phone[-5:]}"
        picture = png_image(os.path.join(workdir, "picture.png"), 640, 480, seed=6)
        await steps.run("Ann: send_file(channel, photo)",
                        ann.send_file(channel, picture, caption=caption))
        shown = await steps.run("Bob gets the photo post live", live["bob"].wait_for(
            lambda m: text_of(m) == caption, "photo post"))
        steps.check(shown.post and isinstance(shown.media, types.MessageMediaPhoto),
                    f"photo post {shown!r}")
        data = await steps.run("Bob downloads the photo", bob.download_media(shown, file=bytes))
        steps.check(data and jpeg_size(data) == (640, 480),
                    f"downloaded {jpeg_size(data) if data else None}")
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
        steps.check(texts == [caption, post], f"Bob's history {texts!r}")
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
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
