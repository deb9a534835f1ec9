"""Echo e2e: photos, documents and profile photos with Telethon 1.45 (core.telegram.org/api/files).

Usage: python media_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann and Bob (phones 99988/99989 + the last 5 digits). Ann sends Bob a 1024x768 photo: it
arrives live with the size set s/m/x/y and a stripped thumbnail, the biggest size downloads
as a 1024x768 JPEG and the `m` thumbnail as 320x240. A 100 KiB and a 12 MiB document (the
latter uploaded with saveBigFilePart) round-trip byte-exact with their file names; a video
with an uploaded thumbnail gets `m` and stripped thumbs; the same
100 KiB document sent again by id (inputMediaDocument) still downloads; a forged file
reference is refused. A three-photo album goes through uploadMedia + sendMultiMedia and reaches
Bob live as one events.Album, all items with one grouped_id (also in his history). In a basic
group a photo message reaches Bob live and editChatPhoto sets a group photo he can download. Ann's new
profile photo reaches Bob live (updateUser with Ann's user, photo included) and is visible to him
(users.getUsers, get_entity, getUserPhotos, download_profile_photo); so is its deletion.
"""

import asyncio
import hashlib
import os
import tempfile

from common import (API_HASH, API_ID, DEV_CODE, ScenarioFailure, parse_args, read_pem,
                    run_main)
from media_common import jpeg_size, png_image
from telethon import TelegramClient, errors, events, functions, types
from telethon.crypto import rsa
from telethon.network.connection import ConnectionTcpFull
from telethon.sessions import StringSession

DC_ID = 2
WAIT = 30.0


def make_client(args):
    session = StringSession()
    session.set_dc(DC_ID, args.host, args.port)
    return TelegramClient(session, API_ID, API_HASH, connection=ConnectionTcpFull,
                          connection_retries=3, retry_delay=1, timeout=30,
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


def live_messages(client):
    queue = asyncio.Queue()

    @client.on(events.NewMessage(incoming=True))
    async def on_new(event):
        await queue.put(event.message)

    async def next_message(what):
        try:
            return await asyncio.wait_for(queue.get(), WAIT)
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"no live message: {what}") from None
    return next_message


def live_queue(client, builder):
    """A queue of the events `builder` produces on `client`, and a getter with a timeout."""
    queue = asyncio.Queue()

    @client.on(builder)
    async def on_event(event):
        await queue.put(event)

    async def next_event(what):
        try:
            return await asyncio.wait_for(queue.get(), WAIT)
        except asyncio.TimeoutError:
            raise ScenarioFailure(f"no live event: {what}") from None
    return next_event


def profile_photo_id(user):
    photo = getattr(user, "photo", None)
    return photo.photo_id if isinstance(photo, types.UserProfilePhoto) else None


def write_random(path, size):
    with open(path, "wb") as f:
        f.write(os.urandom(size))
    return path


def file_bytes(path):
    with open(path, "rb") as f:
        return f.read()


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    tag = args.phone[-5:]
    ann, bob = make_client(args), make_client(args)
    workdir = tempfile.mkdtemp(prefix="echo-media-e2e-")
    try:
        await steps.run("sign up Ann", sign_up(ann, "99988" + tag, "Ann"))
        await steps.run("sign up Bob", sign_up(bob, "99989" + tag, "Bob"))
        bob_live = live_messages(bob)
        bob_albums = live_queue(bob, events.Album())
        bob_user_updates = live_queue(bob, events.Raw(types.UpdateUser))
        await bob.get_me()
        imported = await steps.run("Ann imports Bob", ann(functions.contacts.ImportContactsRequest(
            [types.InputPhoneContact(client_id=1, phone="99989" + tag, first_name="Bob",
                                     last_name="")])))
        bob_for_ann = imported.users[0]

        # --- a 1024x768 photo with its sizes
        photo_path = png_image(os.path.join(workdir, "photo.png"), 1024, 768)
        sent = await steps.run("Ann: send_file(photo 1024x768)",
                               ann.send_file(bob_for_ann, photo_path, caption="a photo"))
        steps.check(sent.photo is not None, f"sent message has no photo: {sent!r}")
        got = await steps.run("Bob gets the photo live", bob_live("photo"))
        steps.check(got.photo is not None and got.raw_text == "a photo", f"live {got!r}")
        sizes = {s.type: s for s in got.photo.sizes}
        steps.check(set(sizes) == {"i", "s", "m", "x", "y"}, f"sizes {sorted(sizes)}")
        steps.check(isinstance(sizes["i"], types.PhotoStrippedSize), "no stripped size")
        steps.check((sizes["y"].w, sizes["y"].h) == (1024, 768), f"y {sizes['y']!r}")
        steps.check((sizes["m"].w, sizes["m"].h) == (320, 240), f"m {sizes['m']!r}")
        big = await steps.run("Bob downloads the photo", bob.download_media(got, file=bytes))
        steps.check(jpeg_size(big) == (1024, 768), f"downloaded photo is {jpeg_size(big)}")
        steps.check(len(big) == sizes["y"].size, f"{len(big)} bytes, size says {sizes['y'].size}")
        thumb = await steps.run("Bob downloads the m thumbnail",
                                bob.download_media(got, file=bytes, thumb=sizes["m"]))
        steps.check(jpeg_size(thumb) == (320, 240), f"thumbnail is {jpeg_size(thumb)}")
        stripped = await steps.run("Bob renders the stripped thumbnail",
                                   bob.download_media(got, file=bytes, thumb=sizes["i"]))
        steps.check(jpeg_size(stripped) is not None, "stripped thumbnail is not a JPEG")

        # --- documents: 100 KiB (saveFilePart) and 12 MiB (saveBigFilePart)
        for size, name in ((100 * 1024, f"notes-{tag}.bin"), (12 * 1024 * 1024, f"big-{tag}.dat")):
            path = write_random(os.path.join(workdir, name), size)
            await steps.run(f"Ann: send_file({name}, {size} bytes)",
                            ann.send_file(bob_for_ann, path, force_document=True),
                            timeout=120)
            doc_msg = await steps.run(f"Bob gets {name} live", bob_live(name))
            steps.check(doc_msg.document is not None, f"no document: {doc_msg!r}")
            steps.check(doc_msg.file.name == name, f"file name {doc_msg.file.name!r}")
            steps.check(doc_msg.file.size == size, f"size {doc_msg.file.size}")
            data = await steps.run(f"Bob downloads {name}",
                                   bob.download_media(doc_msg, file=bytes), timeout=120)
            steps.check(data == file_bytes(path), f"{name}: downloaded bytes differ")
            if size == 100 * 1024:
                small_doc = doc_msg

        # --- a "video" (any bytes, video attributes) with an uploaded thumbnail
        video_path = write_random(os.path.join(workdir, f"clip-{tag}.mp4"), 64 * 1024)
        thumb_path = png_image(os.path.join(workdir, "thumb.png"), 480, 270, seed=9)
        await steps.run("Ann: send a video with a thumbnail", ann.send_file(
            bob_for_ann, video_path, thumb=thumb_path, mime_type="video/mp4",
            attributes=[types.DocumentAttributeVideo(duration=3, w=480, h=270,
                                                     supports_streaming=True)]))
        video = await steps.run("Bob gets the video live", bob_live("video"))
        steps.check(video.video is not None, f"not a video: {video.media!r}")
        thumbs = {t.type: t for t in (video.document.thumbs or [])}
        steps.check(set(thumbs) == {"i", "m"} and (thumbs["m"].w, thumbs["m"].h) == (320, 180),
                    f"video thumbs {thumbs!r}")
        video_thumb = await steps.run("Bob downloads the video thumbnail",
                                      bob.download_media(video, file=bytes, thumb=thumbs["m"]))
        steps.check(jpeg_size(video_thumb) == (320, 180), f"thumb {jpeg_size(video_thumb)}")

        # --- re-send by id (file reference), and a forged reference
        doc = small_doc.document
        resent = await steps.run("Bob re-sends the document by id", bob.send_file(
            "me", types.InputDocument(doc.id, doc.access_hash, doc.file_reference)))
        steps.check(resent.document is not None and resent.document.id == doc.id,
                    f"re-sent {resent!r}")
        again = await steps.run("Bob downloads the re-sent copy",
                                bob.download_media(resent, file=bytes))
        steps.check(again == file_bytes(os.path.join(workdir, f"notes-{tag}.bin")),
                    "re-sent copy differs")
        forged = bytes(b ^ 0xFF for b in doc.file_reference)
        try:
            await bob(functions.upload.GetFileRequest(
                types.InputDocumentFileLocation(doc.id, doc.access_hash, forged, ""), 0, 4096))
            raise ScenarioFailure("forged file reference accepted")
        except (errors.FileReferenceExpiredError, errors.FileReferenceInvalidError):
            pass
        print("STEP forged file reference refused ok", flush=True)
        try:
            await bob(functions.upload.GetFileRequest(
                types.InputDocumentFileLocation(doc.id, doc.access_hash ^ 1,
                                                doc.file_reference, ""), 0, 4096))
            raise ScenarioFailure("wrong access hash accepted")
        except errors.LocationInvalidError:
            pass
        print("STEP wrong access hash refused (LOCATION_INVALID) ok", flush=True)

        # --- an album: uploadMedia + sendMultiMedia, one grouped_id
        album = [png_image(os.path.join(workdir, f"album{i}.png"), 640, 480, seed=i)
                 for i in range(3)]
        sent_album = await steps.run("Ann: send an album of three photos",
                                     ann.send_file(bob_for_ann, album))
        steps.check(len(sent_album) == 3 and all(m.photo for m in sent_album),
                    f"album {sent_album!r}")
        sent_groups = {m.grouped_id for m in sent_album}
        steps.check(len(sent_groups) == 1 and None not in sent_groups,
                    f"sent album grouped_ids {sent_groups}")
        got_album = await steps.run("Bob gets the album live (events.Album)",
                                    bob_albums("album"))
        live_groups = {m.grouped_id for m in got_album.messages}
        steps.check(len(got_album.messages) == 3 and len(live_groups) == 1
                    and None not in live_groups and all(m.photo for m in got_album.messages),
                    f"live album: {len(got_album.messages)} items, grouped_ids {live_groups}")
        for i in range(3):
            item = await steps.run(f"Bob gets album photo {i + 1}", bob_live(f"album {i + 1}"))
            steps.check(item.grouped_id in live_groups, f"album item {item!r}")
        history = await steps.run("Bob: history has the album", bob.get_messages(
            got_album.messages[0].sender_id, limit=3))
        steps.check({m.grouped_id for m in history} == live_groups,
                    f"history grouped_ids {[m.grouped_id for m in history]}")

        # --- a basic group: a photo message and the group photo
        created = await steps.run("Ann creates a group with Bob", ann(
            functions.messages.CreateChatRequest(users=[bob_for_ann], title=f"Media {tag}")))
        chat_id = created.updates.chats[0].id
        group_photo = png_image(os.path.join(workdir, "group.png"), 320, 200, seed=3)
        await steps.run("Ann sends a photo to the group",
                        ann.send_file(types.PeerChat(chat_id), group_photo))
        in_group = await steps.run("Bob gets the group photo message live",
                                   bob_live("group photo message"))
        steps.check(in_group.photo is not None and in_group.chat_id == -chat_id,
                    f"group message {in_group!r}")
        avatar_path = png_image(os.path.join(workdir, "avatar.png"), 400, 400, seed=4)
        await steps.run("Ann: messages.editChatPhoto", ann(functions.messages.EditChatPhotoRequest(
            chat_id, types.InputChatUploadedPhoto(file=await ann.upload_file(avatar_path)))))
        full = await steps.run("Bob: getFullChat", bob(functions.messages.GetFullChatRequest(
            chat_id)))
        steps.check(full.full_chat.chat_photo is not None
                    and full.chats[0].photo.photo_id == full.full_chat.chat_photo.id,
                    f"chat photo {full.full_chat.chat_photo!r} / {full.chats[0].photo!r}")
        group_avatar = await steps.run("Bob downloads the group photo",
                                       bob.download_profile_photo(full.chats[0], file=bytes))
        steps.check(group_avatar and jpeg_size(group_avatar) == (400, 400),
                    f"group avatar {jpeg_size(group_avatar) if group_avatar else None}")

        # --- profile photo: live to Bob (he has a dialog with Ann), then visible to him
        profile_path = png_image(os.path.join(workdir, "me.png"), 800, 800, seed=5)
        uploaded = await steps.run("Ann: photos.uploadProfilePhoto", ann(
            functions.photos.UploadProfilePhotoRequest(file=await ann.upload_file(profile_path))))
        photo_id = uploaded.photo.id
        ann_for_bob = await got.get_sender()
        changed = await steps.run("Bob gets updateUser(Ann) live", bob_user_updates("photo"))
        pushed = getattr(changed, "_entities", {}).get(ann_for_bob.id)
        steps.check(changed.user_id == ann_for_bob.id and profile_photo_id(pushed) == photo_id,
                    f"updateUser {changed!r} with user {pushed!r}")
        entity = await steps.run("Bob: get_entity(Ann)", bob.get_entity(ann_for_bob.id))
        steps.check(profile_photo_id(entity) == photo_id, f"get_entity photo {entity.photo!r}")
        users = await steps.run("Bob: users.getUsers(Ann)", bob(functions.users.GetUsersRequest(
            [types.InputUser(ann_for_bob.id, ann_for_bob.access_hash)])))
        seen = users[0].photo
        steps.check(isinstance(seen, types.UserProfilePhoto) and seen.photo_id == photo_id,
                    f"Ann's photo as Bob sees it: {seen!r}")
        steps.check(seen.stripped_thumb, "profile photo without a stripped thumbnail")
        photos = await steps.run("Bob: get_profile_photos(Ann)",
                                 bob.get_profile_photos(users[0]))
        steps.check([p.id for p in photos] == [photo_id], f"profile photos {photos!r}")
        avatar = await steps.run("Bob: download_profile_photo(Ann)",
                                 bob.download_profile_photo(users[0], file=bytes))
        steps.check(avatar and jpeg_size(avatar) == (800, 800),
                    f"avatar {jpeg_size(avatar) if avatar else None}")
        deleted = await steps.run("Ann: photos.deletePhotos", ann(
            functions.photos.DeletePhotosRequest([types.InputPhoto(
                photo_id, uploaded.photo.access_hash, uploaded.photo.file_reference)])))
        steps.check(deleted == [photo_id], f"deleted {deleted!r}")
        changed = await steps.run("Bob gets updateUser(Ann) live after the delete",
                                  bob_user_updates("photo deleted"))
        pushed = getattr(changed, "_entities", {}).get(ann_for_bob.id)
        steps.check(pushed is not None and profile_photo_id(pushed) is None,
                    f"user after delete {pushed!r}")
        users = await steps.run("Bob: users.getUsers(Ann) again", bob(
            functions.users.GetUsersRequest([types.InputUser(ann_for_bob.id,
                                                             ann_for_bob.access_hash)])))
        steps.check(users[0].photo is None or isinstance(users[0].photo,
                                                        types.UserProfilePhotoEmpty),
                    f"photo after delete: {users[0].photo!r}")
    finally:
        for client in (ann, bob):
            await client.disconnect()
        for name in os.listdir(workdir):
            os.remove(os.path.join(workdir, name))
        os.rmdir(workdir)


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
