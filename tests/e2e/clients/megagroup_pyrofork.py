"""Echo e2e: a supergroup driven by Pyrofork 2.3.69 (layer 220; core.telegram.org/api/channel,
/api/invites, /api/rights).

Usage: python megagroup_pyrofork.py HOST PORT PEM PHONE signup SESSION_FILE

Ann, Bob and Carol sign up with Pyrofork. Ann creates a supergroup (create_supergroup), exports
an invite link; Bob and Carol join with it (join_chat -> messages.importChatInvite). Ann and
Bob post and each gets the other's message live (updateNewChannelMessage re-encoded for layer
220); get_chat_members lists all three. Ann promotes Bob (promote_chat_member ->
channels.editAdmin with ban rights); Bob, now an administrator, bans Carol
(ban_chat_member -> channels.editBanned); Carol can no longer post or read the group, and the
banned list shows her. Phones use the prefixes in PREFIXES (not used elsewhere);
megagroup_kurigram.py runs the same story with Kurigram (layer 229).
"""

import asyncio
import copy

from common import ScenarioFailure, parse_args, run_main
from pyrofork_flow import Pyrofork
from pyrogram_common import close_client, finish_login

WAIT = 20.0
PREFIXES = {"pyrofork": ("99997", "99998", "99999"), "kurigram": ("99965", "99950", "99951")}


def derived_phone(phone, prefix):
    return prefix + phone[-5:]


class Live:
    """Texts of group messages that reach one client live, in arrival order."""

    def __init__(self, client, chat_id):
        from pyrogram import filters
        from pyrogram.handlers import MessageHandler

        self.queue = asyncio.Queue()

        async def on_message(_client, message):
            if message.chat and message.chat.id == chat_id and message.text:
                await self.queue.put((message.from_user.id if message.from_user else 0,
                                      message.text))
        client.add_handler(MessageHandler(on_message, filters.group))

    async def wait_for(self, text):
        while True:
            sender, got = await asyncio.wait_for(self.queue.get(), WAIT)
            if got == text:
                return sender


async def sign_up(steps, fork, args, prefix, name):
    account = copy.copy(args)
    account.phone, account.first_name = derived_phone(args.phone, prefix), name
    client = fork.make_client(account, None)
    await steps.run(f"{name}: connect", client.connect())
    sent = await steps.run(f"{name}: send_code", client.send_code(account.phone))
    await steps.run(f"{name}: sign up", fork.sign_up(client, account, sent.phone_code_hash))
    await finish_login(steps, client)
    return client


async def scenario(steps, args, fork):
    from pyrogram import enums, errors, types

    fork.patch(args)
    clients = []
    try:
        for prefix, name in zip(PREFIXES[fork.name], ("Ann", "Bob", "Carol")):
            clients.append(await sign_up(steps, fork, args, prefix, name))
        ann, bob, carol = clients
        tag = args.phone[-5:]

        title = f"Pyro mega {tag}"
        group = await steps.run("Ann: create_supergroup", ann.create_supergroup(title, "e2e"))
        steps.check(group.type == enums.ChatType.SUPERGROUP and group.title == title,
                    f"created {group.type} {group.title!r}")
        link = await steps.run("Ann: create_chat_invite_link",
                               ann.create_chat_invite_link(group.id))
        steps.check(link.invite_link.startswith("https://t.me/+"), f"link {link.invite_link!r}")
        joined = await steps.run("Bob: join_chat(link)", bob.join_chat(link.invite_link))
        # Kurigram (layer 229) wraps the chat in a ChatJoinResultSuccess.
        joined = getattr(joined, "chat", joined)
        steps.check(joined.id == group.id and joined.type == enums.ChatType.SUPERGROUP,
                    f"Bob joined {joined.id} {joined.type}")
        await steps.run("Carol: join_chat(link)", carol.join_chat(link.invite_link))

        live_ann, live_bob = Live(ann, group.id), Live(bob, group.id)
        hello = f"hello from Ann {tag}"
        await steps.run("Ann: send_message(group)", ann.send_message(group.id, hello))
        sender = await steps.run("Bob gets Ann's post live", live_bob.wait_for(hello))
        steps.check(sender == ann.me.id, f"sender {sender} != Ann {ann.me.id}")
        answer = f"hi from Bob {tag}"
        await steps.run("Bob: send_message(group)", bob.send_message(group.id, answer))
        sender = await steps.run("Ann gets Bob's post live", live_ann.wait_for(answer))
        steps.check(sender == bob.me.id, f"sender {sender} != Bob {bob.me.id}")
        history = [m.text async for m in bob.get_chat_history(group.id, limit=10) if m.text]
        steps.check(history[:2] == [answer, hello], f"Bob's history {history!r}")

        members = [m async for m in ann.get_chat_members(group.id)]
        ids = sorted(m.user.id for m in members)
        steps.check(ids == sorted(c.me.id for c in clients), f"members {ids}")
        owner = [m for m in members if m.status == enums.ChatMemberStatus.OWNER]
        steps.check([m.user.id for m in owner] == [ann.me.id], "Ann is not the owner")

        rights = types.ChatPrivileges(can_restrict_members=True, can_delete_messages=True,
                                      can_pin_messages=True, can_invite_users=True)
        await steps.run("Ann: promote_chat_member(Bob)",
                        ann.promote_chat_member(group.id, bob.me.id, rights))
        bob_member = await steps.run("Ann: get_chat_member(Bob)",
                                     ann.get_chat_member(group.id, bob.me.id))
        steps.check(bob_member.status == enums.ChatMemberStatus.ADMINISTRATOR and
                    bob_member.privileges.can_restrict_members,
                    f"Bob is {bob_member.status} {bob_member.privileges!r}")
        admins = [m.user.id async for m in ann.get_chat_members(
            group.id, filter=enums.ChatMembersFilter.ADMINISTRATORS)]
        steps.check(sorted(admins) == sorted([ann.me.id, bob.me.id]), f"admins {admins}")

        not_admin = None
        try:
            await carol.ban_chat_member(group.id, bob.me.id)
        except errors.RPCError as err:
            not_admin = err
        steps.check(not_admin is not None, "Carol (no rights) could ban Bob")
        print(f"STEP Carol's ban is refused: {not_admin.ID}", flush=True)

        await steps.run("Bob (admin): ban_chat_member(Carol)",
                        bob.ban_chat_member(group.id, carol.me.id))
        blocked = None
        try:
            await carol.send_message(group.id, f"still here {tag}")
        except errors.RPCError as err:
            blocked = err
        steps.check(blocked is not None, "banned Carol could still post")
        print(f"STEP banned Carol cannot post: {blocked.ID}", flush=True)
        unread = None
        try:
            await carol.get_messages(group.id, 1)
        except errors.RPCError as err:
            unread = err
        steps.check(unread is not None, "banned Carol could still read")
        print(f"STEP banned Carol cannot read: {unread.ID}", flush=True)
        banned = [m.user.id async for m in ann.get_chat_members(
            group.id, filter=enums.ChatMembersFilter.BANNED)]
        steps.check(banned == [carol.me.id], f"banned list {banned}")

        after = f"after the ban {tag}"
        await steps.run("Ann: post after the ban", ann.send_message(group.id, after))
        await steps.run("Bob still gets posts live", live_bob.wait_for(after))
    finally:
        for client in clients:
            await close_client(client)


def main():
    args = parse_args("pyrofork")
    import pyrogram

    print(f"CLIENT pyrofork {pyrogram.__version__} layer {pyrogram.raw.all.layer} megagroup",
          flush=True)
    run_main(lambda steps: scenario(steps, args, Pyrofork()), args)


if __name__ == "__main__":
    main()
