"""Message traffic while a role is killed and restarted (the sync process in a split
deployment, run.py --split; nothing is restarted under `echod run`).

Ann (gateway 1) and Bob (gateway 2) sign up; Ann imports Bob and sends a burst of
numbered messages. After the first few, this script prints TRAFFIC STARTED: the runner
then SIGKILLs the sync process and starts it again while the burst goes on. Every message
whose send returned must reach Bob exactly once: live (pushes queued in Kafka while sync
was down are delivered when it is back) and in his history; Bob's pts moved by exactly
the number of messages, so the sequence has no holes.
"""

import asyncio
import re

from common import ScenarioFailure, parse_args, read_pem, run_main
from messaging_telethon import derived_phone, make_client, second_port, sign_up
from telethon import events, functions, types
from telethon.crypto import rsa

BURST = 60
PAUSE = 0.1  # between sends: the burst lasts ~6 s, the restart happens inside it
LIVE_WAIT = 45.0


async def scenario(steps, args):
    rsa._server_keys.clear()
    rsa.add_key(read_pem(args.pem), old=False)
    ann_phone, bob_phone = derived_phone(args.phone, "99980"), derived_phone(args.phone, "99996")
    ann, bob = make_client(args), make_client(args, port=second_port(args))
    tag = args.phone[-5:]
    pattern = re.compile(rf"^burst {tag} #(\d+)$")
    seen = []
    all_seen = asyncio.Event()

    async def on_new(event):
        match = pattern.match(event.raw_text or "")
        if match and not event.out:
            seen.append((int(match.group(1)), event.id))
            if len({n for n, _ in seen}) >= BURST:
                all_seen.set()

    try:
        await steps.run("sign up Ann (gateway 1)", sign_up(ann, ann_phone, "Ann"))
        await steps.run("sign up Bob (gateway 2)", sign_up(bob, bob_phone, "Bob"))
        bob.add_event_handler(on_new, events.NewMessage())
        await bob.get_me()
        state0 = await steps.run("Bob: updates.getState", bob(functions.updates.GetStateRequest()))
        imported = await steps.run("Ann: importContacts(Bob)", ann(
            functions.contacts.ImportContactsRequest([types.InputPhoneContact(
                client_id=1, phone=bob_phone, first_name="Bob", last_name="")])))
        bob_for_ann = imported.users[0]

        async def burst():
            for n in range(1, BURST + 1):
                await ann.send_message(bob_for_ann, f"burst {tag} #{n}")
                if n == 5:
                    print("TRAFFIC STARTED", flush=True)
                await asyncio.sleep(PAUSE)
        await steps.run(f"Ann: {BURST} messages to Bob (sync restarted meanwhile)", burst(),
                        timeout=90)
        try:
            await asyncio.wait_for(all_seen.wait(), LIVE_WAIT)
        except asyncio.TimeoutError:
            missing = sorted(set(range(1, BURST + 1)) - {n for n, _ in seen})
            raise ScenarioFailure(f"live: {len(missing)} never arrived: {missing[:10]}") from None
        numbers = [n for n, _ in seen]
        steps.check(len(numbers) == len(set(numbers)),
                    f"live duplicates: {len(numbers)} events for {len(set(numbers))} messages")
        print(f"STEP Bob got all {BURST} live, none twice", flush=True)

        ann_id = (await ann.get_me()).id
        await bob.get_dialogs()  # caches Ann's entity for the history call
        history = await steps.run("Bob: history", bob.get_messages(ann_id, limit=BURST + 10))
        texts = [m.message for m in history if m.message and pattern.match(m.message)]
        steps.check(len(texts) == BURST and len(set(texts)) == BURST,
                    f"history has {len(texts)} burst messages ({len(set(texts))} distinct)")
        state1 = await steps.run("Bob: updates.getState", bob(functions.updates.GetStateRequest()))
        steps.check(state1.pts - state0.pts == BURST,
                    f"pts moved {state1.pts - state0.pts} for {BURST} messages")
    finally:
        for client in (ann, bob):
            await client.disconnect()


if __name__ == "__main__":
    arguments = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, arguments), arguments)
