"""Echo e2e: brute-forcing login codes hits FLOOD_WAIT (core.telegram.org/api/errors).

Usage: python code_flood_telethon.py HOST PORT PEM PHONE signup SESSION_FILE [TRANSPORT]

Flow: an account exists; a second client asks for codes and tries wrong ones: the first
tries answer PHONE_CODE_INVALID (a used-up hash PHONE_CODE_EXPIRED), then the phone gets
FLOOD_WAIT_X (420) — and then even the right code is refused.
"""

from common import API_HASH, API_ID, ScenarioFailure, parse_args, run_main
from security_common import make_client, rpc_message, sign_up, use_echo_key
from telethon import errors, functions, types


async def send_code(client, phone):
    """A raw auth.sendCode: Telethon's helper turns a repeated request into auth.resendCode."""
    sent = await client(functions.auth.SendCodeRequest(
        phone_number=phone, api_id=API_ID, api_hash=API_HASH, settings=types.CodeSettings()))
    return sent.phone_code_hash


async def sign_in(client, phone, code_hash, code):
    return await client(functions.auth.SignInRequest(
        phone_number=phone, phone_code_hash=code_hash, phone_code=code))


async def scenario(steps, args):
    use_echo_key(args)
    phone = "99970" + args.phone[5:]
    owner = await sign_up(steps, args, phone, "Flo", "owner")
    await owner.disconnect()
    attacker = make_client(args, device="attacker")
    await steps.run("attacker: connect", attacker.connect())

    async def brute_force():
        invalid = 0
        for guess in range(40):
            code_hash = await send_code(attacker, phone)
            for _ in range(6):
                try:
                    await sign_in(attacker, phone, code_hash, f"{guess:05d}")
                    raise ScenarioFailure(f"wrong code {guess:05d} was accepted")
                except errors.FloodWaitError as err:
                    return invalid, err.seconds
                except errors.RPCError as err:
                    text = f"{type(err).__name__} {rpc_message(err)}"
                    if "PHONE_CODE_INVALID" in text or "PhoneCodeInvalid" in text:
                        invalid += 1
                        continue
                    if "PHONE_CODE_EXPIRED" in text or "PhoneCodeExpired" in text:
                        break
                    raise
        raise ScenarioFailure(f"no FLOOD_WAIT after {invalid} wrong codes")
    invalid, seconds = await steps.run("attacker: wrong codes until FLOOD_WAIT", brute_force())
    steps.check(invalid >= 1, "FLOOD_WAIT before any PHONE_CODE_INVALID")
    steps.check(0 < seconds <= 3600, f"FLOOD_WAIT_{seconds}")
    print(f"INFO PHONE_CODE_INVALID x{invalid}, then FLOOD_WAIT_{seconds}", flush=True)

    async def right_code_refused():
        code_hash = await send_code(attacker, phone)
        try:
            await sign_in(attacker, phone, code_hash, "12345")
        except errors.FloodWaitError:
            return
        raise ScenarioFailure("the right code logged in during FLOOD_WAIT")
    await steps.run("attacker: even the right code waits", right_code_refused())
    await attacker.disconnect()


def main():
    args = parse_args("telethon", with_transport=True)
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
