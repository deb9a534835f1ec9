"""Echo e2e scenario driven by Pyrofork 2.3.69 (layer 220).

Usage: python pyrofork_flow.py HOST PORT PEM PHONE {signup,login,resume} SESSION_FILE

Pointing Pyrofork at Echo:
- RSA: `pyrogram.crypto.rsa.server_public_keys` is replaced by {fingerprint: PublicKey(n, e)}
  computed from Echo's PEM (pyrogram_common.install_rsa_key);
- address: every Connection resolves its (host, port) through the module-level name
  `pyrogram.connection.connection.DataCenter(dc_id, test_mode, ipv6, alt_port, media)`,
  which is replaced by a function returning Echo's address;
- Pyrofork has no `sign_up`, and its `sign_in` raises PhoneNumberUnoccupied on
  auth.authorizationSignUpRequired, so `auth.signUp` is sent raw and the storage is
  updated the way `sign_in` would have done.
"""

from common import API_HASH, API_ID, DEV_CODE, ScenarioFailure, parse_args, run_main
from pyrogram_common import Fork, install_rsa_key, scenario, tighten_timeouts


class Pyrofork(Fork):
    name = "pyrofork"

    def patch(self, args):
        from pyrogram.connection import connection

        install_rsa_key(args.pem)
        tighten_timeouts()
        address = (args.host, args.port)

        def echo_data_center(dc_id, test_mode, ipv6, alt_port, media):
            return address

        connection.DataCenter = echo_data_center

    def make_client(self, args, session_string):
        from pyrogram import Client

        return Client(
            "echo-e2e-pyrofork",
            api_id=API_ID,
            api_hash=API_HASH,
            in_memory=True,
            session_string=session_string,
            sleep_threshold=0,
        )

    async def sign_up(self, client, args, phone_code_hash):
        from pyrogram import raw
        from pyrogram.errors import PhoneNumberUnoccupied

        try:
            user = await client.sign_in(args.phone, phone_code_hash, DEV_CODE)
        except PhoneNumberUnoccupied:
            pass
        else:
            raise ScenarioFailure(f"sign_in logged in as existing user {user.id}; "
                                  "expected auth.authorizationSignUpRequired for a new phone")
        result = await client.invoke(raw.functions.auth.SignUp(
            phone_number=args.phone,
            phone_code_hash=phone_code_hash,
            first_name=args.first_name,
            last_name=args.last_name,
        ))
        await client.storage.user_id(result.user.id)
        await client.storage.is_bot(False)


def main():
    args = parse_args("pyrofork")
    import pyrogram

    print(f"CLIENT pyrofork {pyrogram.__version__} layer {pyrogram.raw.all.layer}", flush=True)
    run_main(lambda steps: scenario(steps, Pyrofork(), args), args)


if __name__ == "__main__":
    main()
