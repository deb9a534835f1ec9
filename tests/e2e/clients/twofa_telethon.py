"""Echo e2e: cloud password with SRP (core.telegram.org/api/srp) from a real Telethon client,
which computes SRP itself, so it checks the server independently.

Usage: python twofa_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Flow: sign up; enable a password (edit_2fa); log in on a new key: the code gives
SESSION_PASSWORD_NEEDED, a wrong password PASSWORD_HASH_INVALID, the right one logs in as
the same user; change the password (the old one then fails, the new one logs in); remove it
(a code login needs no password again).
"""

from common import ScenarioFailure, parse_args, run_main
from security_common import expect_rpc_error, make_client, sign_up, use_echo_key
from telethon import errors


async def code_then_password(steps, args, phone, password, label, expect_id):
    client = make_client(args, device=f"{label} device")
    await steps.run(f"{label}: connect", client.connect())
    await steps.run(f"{label}: send_code_request", client.send_code_request(phone))
    await expect_rpc_error(steps, f"{label}: sign_in(code) -> SESSION_PASSWORD_NEEDED",
                           client.sign_in(phone, code="12345"), "SESSION_PASSWORD_NEEDED")
    user = await steps.run(f"{label}: sign_in(password)", client.sign_in(password=password))
    steps.check(user.id == expect_id, f"logged in as {user.id}, expected {expect_id}")
    await client.disconnect()


async def scenario(steps, args):
    use_echo_key(args)
    phone = "99968" + args.phone[5:]
    owner = await sign_up(steps, args, phone, "Tfa", "owner")
    me = await steps.run("owner: get_me", owner.get_me())
    await steps.run("owner: enable password", owner.edit_2fa(new_password="first secret",
                                                               hint="the first"))

    client = make_client(args, device="new device")
    await steps.run("new key: connect", client.connect())
    await steps.run("new key: send_code_request", client.send_code_request(phone))
    await expect_rpc_error(steps, "new key: code -> SESSION_PASSWORD_NEEDED",
                           client.sign_in(phone, code="12345"), "SESSION_PASSWORD_NEEDED")
    steps.check(not await client.is_user_authorized(), "authorized before the password")
    await expect_rpc_error(steps, "new key: wrong password -> PASSWORD_HASH_INVALID",
                           client.sign_in(password="wrong secret"), "PASSWORD_HASH_INVALID")
    user = await steps.run("new key: right password", client.sign_in(password="first secret"))
    steps.check(user.id == me.id, f"logged in as {user.id}, expected {me.id}")
    await client.disconnect()

    async def change_with_wrong_current():
        try:
            await owner.edit_2fa(current_password="not it", new_password="x")
        except errors.PasswordHashInvalidError:
            return
        raise ScenarioFailure("changed the password with a wrong current one")
    await steps.run("owner: change with a wrong current password fails",
                    change_with_wrong_current())
    await steps.run("owner: change password", owner.edit_2fa(current_password="first secret",
                                                               new_password="second secret"))
    client = make_client(args, device="third device")
    await steps.run("third key: connect", client.connect())
    await steps.run("third key: send_code_request", client.send_code_request(phone))
    await expect_rpc_error(steps, "third key: code -> SESSION_PASSWORD_NEEDED",
                           client.sign_in(phone, code="12345"), "SESSION_PASSWORD_NEEDED")
    await expect_rpc_error(steps, "third key: old password -> PASSWORD_HASH_INVALID",
                           client.sign_in(password="first secret"), "PASSWORD_HASH_INVALID")
    user = await steps.run("third key: new password", client.sign_in(password="second secret"))
    steps.check(user.id == me.id, f"logged in as {user.id}, expected {me.id}")
    await client.disconnect()

    await steps.run("owner: remove password", owner.edit_2fa(current_password="second secret",
                                                               new_password=None))
    client = make_client(args, device="fourth device")
    await steps.run("fourth key: connect", client.connect())
    await steps.run("fourth key: send_code_request", client.send_code_request(phone))
    user = await steps.run("fourth key: code alone logs in", client.sign_in(phone, code="12345"))
    steps.check(user.id == me.id, f"logged in as {user.id}, expected {me.id}")
    await client.disconnect()
    await owner.disconnect()


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
