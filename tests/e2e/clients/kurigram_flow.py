"""Echo e2e scenario driven by Kurigram 2.2.26 (layer 229).

Usage: python kurigram_flow.py HOST PORT PEM PHONE {signup,login,resume} SESSION_FILE

Pointing Kurigram at Echo:
- RSA: `pyrogram.crypto.rsa.server_public_keys` is replaced by {fingerprint: PublicKey(n, e)}
  computed from Echo's PEM (pyrogram_common.install_rsa_key);
- address: Kurigram keeps the DC address in its storage and writes Telegram's
  149.154.167.51:443 there itself (load_session, and again when it decodes a session
  string), so the scenario passes a SQLiteStorage subclass (in memory) whose
  `server_address()` / `port()` always answer Echo's address and ignore writes;
- sign-up: `sign_in` returns False (or TermsOfService) on
  auth.authorizationSignUpRequired, then the library's own `sign_up` is used.
"""

from pathlib import Path

from common import API_HASH, API_ID, DEV_CODE, ScenarioFailure, parse_args, run_main
from pyrogram_common import Fork, install_rsa_key, scenario, tighten_timeouts


def echo_storage_class():
    from pyrogram.storage import SQLiteStorage

    class EchoStorage(SQLiteStorage):
        """In-memory storage pinned to Echo's address."""

        def __init__(self, name, address, session_string=None):
            super().__init__(name, workdir=Path("."), session_string=session_string,
                             in_memory=True)
            self.echo_address = address

        async def server_address(self, value=object):
            if value is object:
                return self.echo_address[0]
            return None

        async def port(self, value=object):
            if value is object:
                return self.echo_address[1]
            return None

    return EchoStorage


class Kurigram(Fork):
    name = "kurigram"

    def patch(self, args):
        install_rsa_key(args.pem)
        tighten_timeouts()

    def make_client(self, args, session_string):
        from pyrogram import Client

        storage = echo_storage_class()("echo-e2e-kurigram", (args.host, args.port),
                                       session_string)
        return Client(
            "echo-e2e-kurigram",
            api_id=API_ID,
            api_hash=API_HASH,
            storage_engine=storage,
            sleep_threshold=0,
        )

    async def sign_up(self, client, args, phone_code_hash):
        result = await client.sign_in(args.phone, phone_code_hash, DEV_CODE)
        if result is not False and getattr(result, "id", None) is not None:
            raise ScenarioFailure(f"sign_in logged in as existing user {result.id}; "
                                  "expected auth.authorizationSignUpRequired for a new phone")
        await client.sign_up(args.phone, phone_code_hash, args.first_name, args.last_name)


def main():
    args = parse_args("kurigram")
    import pyrogram

    print(f"CLIENT kurigram {pyrogram.__version__} layer {pyrogram.raw.all.layer}", flush=True)
    run_main(lambda steps: scenario(steps, Kurigram(), args), args)


if __name__ == "__main__":
    main()
