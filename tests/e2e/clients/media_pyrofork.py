"""Echo e2e: photos and documents with Pyrofork (layer 220; core.telegram.org/api/files).

Usage: python media_pyrofork.py HOST PORT PEM PHONE signup SESSION_FILE

One account (phone 99964 + the last 5 digits) sends a 1024x768 photo and a 300 KiB document
to Saved Messages with the Pyrogram API (saveFilePart, sendMedia re-encoded from layer 220)
and downloads both again (upload.getFile): the photo comes back as a 1024x768 JPEG (the
biggest size), the document byte-exact with its file name. An album of three photos
(uploadMedia + sendMultiMedia as layer 220 raw calls: Pyrofork 2.3.69's send_media_group
builds a messages.Messages without its `topics` field and crashes on any answer) comes back
with one grouped_id, and get_messages shows one media_group_id.
"""

import copy
import os
import random
import tempfile

from common import parse_args, run_main
from pyrogram import raw
from media_common import jpeg_size, png_image
from pyrofork_flow import Pyrofork
from pyrogram_common import close_client, finish_login


async def scenario(steps, args):
    fork = Pyrofork()
    fork.patch(args)
    args = copy.copy(args)
    args.phone, args.first_name = "99964" + args.phone[-5:], "Media220"
    client = fork.make_client(args, None)
    workdir = tempfile.mkdtemp(prefix="echo-media-pyrofork-")
    try:
        await steps.run("connect", client.connect())
        sent = await steps.run("send_code", client.send_code(args.phone))
        await steps.run("sign up", fork.sign_up(client, args, sent.phone_code_hash))
        await finish_login(steps, client)

        photo_path = png_image(os.path.join(workdir, "photo.png"), 1024, 768)
        photo_msg = await steps.run("send_photo(me)", client.send_photo("me", photo_path))
        steps.check(photo_msg.photo is not None, f"no photo: {photo_msg!r}")
        steps.check((photo_msg.photo.width, photo_msg.photo.height) == (1024, 768),
                    f"photo {photo_msg.photo.width}x{photo_msg.photo.height}")
        data = await steps.run("download_media(photo)",
                               client.download_media(photo_msg, in_memory=True))
        steps.check(jpeg_size(bytes(data.getbuffer())) == (1024, 768),
                    f"downloaded photo is {jpeg_size(bytes(data.getbuffer()))}")

        name = f"report-{args.phone[-5:]}.bin"
        doc_path = os.path.join(workdir, name)
        content = os.urandom(300 * 1024)
        with open(doc_path, "wb") as f:
            f.write(content)
        doc_msg = await steps.run("send_document(me)", client.send_document("me", doc_path))
        steps.check(doc_msg.document is not None and doc_msg.document.file_name == name,
                    f"document {doc_msg.document!r}")
        got = await steps.run("download_media(document)",
                              client.download_media(doc_msg, in_memory=True))
        steps.check(bytes(got.getbuffer()) == content, "downloaded document differs")

        me = await client.resolve_peer("me")
        items = []
        for i in range(3):
            path = png_image(os.path.join(workdir, f"album{i}.png"), 320, 240, seed=i)
            uploaded = await steps.run(f"messages.uploadMedia(album photo {i + 1})",
                                       client.invoke(raw.functions.messages.UploadMedia(
                                           peer=me, media=raw.types.InputMediaUploadedPhoto(
                                               file=await client.save_file(path)))))
            photo = uploaded.photo
            items.append(raw.types.InputSingleMedia(
                media=raw.types.InputMediaPhoto(id=raw.types.InputPhoto(
                    id=photo.id, access_hash=photo.access_hash,
                    file_reference=photo.file_reference)),
                random_id=random.getrandbits(63), message=f"album {i}"))
        answer = await steps.run("messages.sendMultiMedia(me, 3 photos)", client.invoke(
            raw.functions.messages.SendMultiMedia(peer=me, multi_media=items)))
        sent = [u.message for u in answer.updates if isinstance(u, raw.types.UpdateNewMessage)]
        groups = {m.grouped_id for m in sent}
        steps.check(len(sent) == 3 and len(groups) == 1 and None not in groups,
                    f"album grouped_ids {[m.grouped_id for m in sent]}")
        again = await steps.run("get_messages(album)", client.get_messages(
            "me", [m.id for m in sent]))
        steps.check({m.media_group_id for m in again} == groups,
                    f"stored media_group_ids {[m.media_group_id for m in again]}")
    finally:
        await close_client(client)
        for entry in os.listdir(workdir):
            os.remove(os.path.join(workdir, entry))
        os.rmdir(workdir)


def main():
    args = parse_args("pyrofork")
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
