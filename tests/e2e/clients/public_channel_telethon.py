"""Echo e2e: public channels and invite links with Telethon 1.45
(core.telegram.org/api/channel, /api/invites, /method/channels.updateUsername).

Usage: python public_channel_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Ann creates a broadcast channel, checks and sets a username (channels.checkUsername,
channels.updateUsername) and posts 20 messages; Bob cannot take the name for himself
(USERNAME_OCCUPIED), resolves it (contacts.resolveUsername: peerChannel, seen as `left`),
reads its full info as an outsider, joins (channels.joinChannel), reads the 20 posts via
history and via updates.getChannelDifference from the pts before the posts, and gets a
t.me link of a post (channels.exportMessageLink). Ann then creates a private megagroup and
exports an invite link; Bob checks it (chatInvite), imports it (a service message), checks
again (chatInviteAlready); Ann revokes it and the link answers INVITE_HASH_EXPIRED.
Phones use the prefixes 99966/99967.
"""

import asyncio

from common import ScenarioFailure, parse_args, read_pem, run_main
from messaging_telethon import derived_phone, make_client, second_port, sign_up
from telethon import errors, functions, types
from telethon.crypto import rsa

POSTS = 20


async def expect_error(steps, label, coro, error_type):
    try:
        await coro
    except error_type:
        print(f"STEP {label}: {error_type.__name__}", flush=True)
        return
    raise ScenarioFailure(f"{label}: expected {error_type.__name__}")


async def public_broadcast(steps, args, ann, bob):
    tag = args.phone[-5:]
    username = f"echonews{tag}"
    created = await steps.run("Ann: channels.createChannel(broadcast)", ann(
        functions.channels.CreateChannelRequest(title=f"Public {tag}", about="e2e",
                                                broadcast=True)))
    channel = next(c for c in created.chats if isinstance(c, types.Channel))
    free = await steps.run("Ann: channels.checkUsername", ann(
        functions.channels.CheckUsernameRequest(channel, username)))
    steps.check(free is True, f"checkUsername {free!r}")
    await expect_error(steps, "checkUsername of an invalid name", ann(
        functions.channels.CheckUsernameRequest(channel, "ab")), errors.UsernameInvalidError)
    done = await steps.run("Ann: channels.updateUsername", ann(
        functions.channels.UpdateUsernameRequest(channel, username)))
    steps.check(done is True, f"updateUsername {done!r}")
    await expect_error(steps, "Bob: account.updateUsername(the channel's name)", bob(
        functions.account.UpdateUsernameRequest(username.upper())), errors.UsernameOccupiedError)
    full = await steps.run("Ann: getFullChannel (pts before the posts)", ann(
        functions.channels.GetFullChannelRequest(channel)))
    pts_before = full.full_chat.pts
    for i in range(POSTS):
        await ann.send_message(channel, f"post {i} {tag}")
    print(f"STEP Ann posted {POSTS}", flush=True)

    resolved = await steps.run("Bob: contacts.resolveUsername", bob(
        functions.contacts.ResolveUsernameRequest(username)))
    steps.check(isinstance(resolved.peer, types.PeerChannel) and
                resolved.peer.channel_id == channel.id, f"resolved {resolved.peer!r}")
    seen = resolved.chats[0]
    steps.check(isinstance(seen, types.Channel) and seen.left and seen.username == username,
                f"Bob sees {seen!r}")
    outside = await steps.run("Bob (outsider): getFullChannel", bob(
        functions.channels.GetFullChannelRequest(seen)))
    steps.check(outside.full_chat.about == "e2e", f"full {outside.full_chat!r}")
    await steps.run("Bob: channels.joinChannel", bob(functions.channels.JoinChannelRequest(seen)))
    history = await steps.run("Bob: get_messages", bob.get_messages(seen, POSTS + 5))
    texts = [m.message for m in reversed(history) if isinstance(m, types.Message)]
    want = [f"post {i} {tag}" for i in range(POSTS)]
    steps.check(texts == want, f"history {texts!r}")
    diff = await steps.run("Bob: updates.getChannelDifference from before the posts", bob(
        functions.updates.GetChannelDifferenceRequest(
            channel=seen, filter=types.ChannelMessagesFilterEmpty(), pts=pts_before,
            limit=100)))
    if not isinstance(diff, types.updates.ChannelDifference):
        raise ScenarioFailure(f"expected a channelDifference, got {type(diff).__name__}")
    got = [m.message for m in diff.new_messages if isinstance(m, types.Message)]
    steps.check(got == want and diff.pts == pts_before + POSTS,
                f"difference: {got!r}, pts={diff.pts}, before={pts_before}")
    last_id = history[0].id
    link = await steps.run("Bob: channels.exportMessageLink", bob(
        functions.channels.ExportMessageLinkRequest(seen, last_id)))
    steps.check(link.link == f"https://t.me/{username}/{last_id}", f"link {link.link}")


async def private_megagroup_invite(steps, args, ann, bob):
    tag = args.phone[-5:]
    created = await steps.run("Ann: channels.createChannel(megagroup)", ann(
        functions.channels.CreateChannelRequest(title=f"Club {tag}", about="", megagroup=True)))
    group = next(c for c in created.chats if isinstance(c, types.Channel))
    invite = await steps.run("Ann: messages.exportChatInvite", ann(
        functions.messages.ExportChatInviteRequest(group, usage_limit=5, title="friends")))
    steps.check(invite.usage_limit == 5 and invite.title == "friends" and
                invite.link.startswith("https://t.me/+"), f"invite {invite!r}")
    link_hash = invite.link.rsplit("+", 1)[1]
    checked = await steps.run("Bob: messages.checkChatInvite", bob(
        functions.messages.CheckChatInviteRequest(link_hash)))
    steps.check(isinstance(checked, types.ChatInvite) and checked.megagroup and
                checked.title == f"Club {tag}" and checked.participants_count == 1,
                f"checked {checked!r}")
    joined = await steps.run("Bob: messages.importChatInvite", bob(
        functions.messages.ImportChatInviteRequest(link_hash)))
    # Layer 229 wraps the Updates in messages.chatInviteJoinResultOk.
    updates = getattr(joined, "updates", joined)
    updates = getattr(updates, "updates", [])
    actions = [u.message.action for u in updates
               if isinstance(u, types.UpdateNewChannelMessage)]
    steps.check(any(isinstance(a, types.MessageActionChatJoinedByLink) for a in actions),
                f"join updates {joined!r}")
    again = await steps.run("Bob: checkChatInvite as a member", bob(
        functions.messages.CheckChatInviteRequest(link_hash)))
    steps.check(isinstance(again, types.ChatInviteAlready) and again.chat.id == group.id,
                f"again {again!r}")
    await expect_error(steps, "Bob: importChatInvite again", bob(
        functions.messages.ImportChatInviteRequest(link_hash)),
        errors.UserAlreadyParticipantError)
    revoked = await steps.run("Ann: editExportedChatInvite(revoked)", ann(
        functions.messages.EditExportedChatInviteRequest(group, invite.link, revoked=True)))
    steps.check(revoked.invite.revoked, f"revoked {revoked!r}")
    await expect_error(steps, "checkChatInvite of the revoked link", bob(
        functions.messages.CheckChatInviteRequest(link_hash)), errors.InviteHashExpiredError)
    members = await steps.run("Ann: getParticipants", ann.get_participants(group))
    steps.check(sorted(m.first_name for m in members) == ["Ann", "Bob"],
                f"members {[m.first_name for m in members]}")


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99994"), derived_phone(args.phone, "99995")
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    clients = [ann, bob]
    try:
        await steps.run("sign up Ann", sign_up(ann, ann_phone, "Ann"))
        await steps.run("sign up Bob", sign_up(bob, bob_phone, "Bob"))
        await public_broadcast(steps, args, ann, bob)
        await private_megagroup_invite(steps, args, ann, bob)
    finally:
        for client in clients:
            try:
                await asyncio.wait_for(client.disconnect(), 10)
            except Exception as err:  # cleanup must not hide the real result
                print(f"WARN disconnect: {type(err).__name__}: {err}", flush=True)


def main():
    args = parse_args("telethon", with_transport=True)
    print("CLIENT telethon public channel", flush=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
