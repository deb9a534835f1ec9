"""Echo e2e scenario driven by TDLib 1.8.69 (PyPI `tdjson`, layer 232) over its MTProxy route.

Usage: python tdlib_flow.py HOST PORT PEM PHONE {signup,login,resume} SESSION_FILE --secret HEX

Pointing TDLib at Echo:
- address: TDLib has no custom-server option, but it connects through an MTProxy when one is
  added (`addProxy` with `proxyTypeMtproto`, secret "dd" + 32 hex). Echo accepts obfuscated2
  keyed with that secret (`ECHO_PROXY_SECRET`) and IS the DC behind the "proxy".
- RSA: TDLib's built-in public keys are 425-byte PKCS#1 PEMs, the same length as any
  2048-bit e=65537 key; this script copies the installed `tdjson` package to a temporary
  directory and overwrites those PEMs with Echo's in the copy of `libtdjson` (the installed
  package is never modified).
- The database directory (next to SESSION_FILE) keeps TDLib's auth key between phases, so
  `resume` checks that an old key is still authorized after a server restart.
"""

import argparse
import asyncio
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

from common import DEV_CODE, ScenarioFailure, load_session, run_main, save_session, unique_text

PEM_BEGIN = b"-----BEGIN RSA PUBLIC KEY-----"
PEM_END = b"-----END RSA PUBLIC KEY-----"
# Any well-formed values work against Echo.
TD_API_ID = 94575
TD_API_HASH = "a3406de8d171bb422bb6ddf3bbd800e2"


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Echo e2e scenario for TDLib")
    parser.add_argument("host")
    parser.add_argument("port", type=int)
    parser.add_argument("pem")
    parser.add_argument("phone")
    parser.add_argument("phase", choices=("signup", "login", "resume"))
    parser.add_argument("session_file")
    parser.add_argument("--secret", required=True, help="32 hex digits (Echo's ECHO_PROXY_SECRET)")
    parser.add_argument("--step-timeout", type=float, default=30.0)
    parser.add_argument("--deadline", type=float, default=100.0)
    return parser.parse_args(argv)


def patched_tdjson(pem_path):
    """Imports `tdjson` from a temporary copy whose libtdjson carries Echo's key."""
    import importlib.util

    spec = importlib.util.find_spec("tdjson")
    if spec is None or spec.origin is None:
        raise ScenarioFailure("tdjson is not installed in this venv (run setup.sh)")
    site = Path(spec.origin).parent.parent
    pem = Path(pem_path).read_bytes().rstrip(b"\n")
    copy = Path(tempfile.mkdtemp(prefix="echo-tdjson-"))
    shutil.copytree(site / "tdjson", copy / "tdjson")
    shutil.copytree(site / "tdjson.libs", copy / "tdjson.libs")
    replaced = 0
    for lib in (copy / "tdjson.libs").iterdir():
        data = bytearray(lib.read_bytes())
        pos = 0
        while (start := data.find(PEM_BEGIN, pos)) >= 0:
            end = data.find(PEM_END, start) + len(PEM_END)
            if end - start == len(pem):
                data[start:end] = pem
                replaced += 1
            pos = end
        lib.write_bytes(bytes(data))
    if replaced == 0:
        raise ScenarioFailure(f"no {len(pem)}-byte RSA PEM found in libtdjson to replace")
    sys.path.insert(0, str(copy))
    import tdjson  # noqa: E402  (from the patched copy)

    return tdjson


class Td:
    """A minimal asyncio wrapper over the tdjson C interface."""

    def __init__(self, tdjson):
        self.td = tdjson
        self.td.td_execute(json.dumps({"@type": "setLogVerbosityLevel",
                                       "new_verbosity_level": 1}).encode())
        self.client = self.td.td_create_client_id()
        # A client id does nothing until its first request.
        self.send({"@type": "getOption", "name": "version"})
        self.extra = 0
        self.pending = {}
        self.updates = []

    def send(self, query):
        self.td.td_send(self.client, json.dumps(query).encode())

    def start(self, query):
        """Sends a request; returns the tag to pass to `finish`."""
        self.extra += 1
        self.send(dict(query, **{"@extra": self.extra}))
        return self.extra

    async def finish(self, tag, name):
        while True:
            answer = self.pending.pop(tag, None)
            if answer is not None:
                if answer.get("@type") == "error":
                    raise ScenarioFailure(f"{name}: {answer.get('code')} {answer.get('message')}")
                return answer
            await self.pump()

    async def call(self, query):
        return await self.finish(self.start(query), query["@type"])

    async def pump(self):
        raw = await asyncio.to_thread(self.td.td_receive, 0.5)
        if not raw:
            return
        event = json.loads(raw)
        if os.environ.get("ECHO_E2E_DEBUG"):
            print("TD", str(event)[:200], flush=True)
        if "@extra" in event:
            self.pending[event["@extra"]] = event
        else:
            self.updates.append(event)

    async def wait_update(self, predicate):
        while True:
            for i, event in enumerate(self.updates):
                if predicate(event):
                    return self.updates.pop(i)
            self.updates.clear()
            await self.pump()


def auth_state(event):
    if event.get("@type") == "updateAuthorizationState":
        return event["authorization_state"]["@type"]
    return None


async def scenario(steps, args):
    tdjson = patched_tdjson(args.pem)
    td = Td(tdjson)
    database = Path(args.session_file + ".tdlib")
    if args.phase != "resume":
        shutil.rmtree(database, ignore_errors=True)
    database.mkdir(parents=True, exist_ok=True)

    async def log_in():
        while True:
            event = await td.wait_update(lambda e: auth_state(e) is not None)
            state = auth_state(event)
            if state == "authorizationStateWaitTdlibParameters":
                proxy_type = {"@type": "proxyTypeMtproto", "secret": "dd" + args.secret}
                # TDLib answers requests only once its parameters are set, so both are sent
                # before either answer is awaited. Newer TDLib takes a `proxy` object, older
                # ones flat fields: send both forms.
                proxy = td.start({"@type": "addProxy", "enable": True,
                                  "proxy": {"@type": "proxy", "server": args.host,
                                            "port": args.port, "type": proxy_type},
                                  "server": args.host, "port": args.port, "type": proxy_type})
                await td.call({"@type": "setTdlibParameters", "use_test_dc": False,
                               "database_directory": str(database),
                               "files_directory": str(database), "use_file_database": False,
                               "use_chat_info_database": True, "use_message_database": False,
                               "use_secret_chats": False, "api_id": TD_API_ID,
                               "api_hash": TD_API_HASH, "system_language_code": "en",
                               "device_model": "echo-e2e", "application_version": "1.0"})
                await td.finish(proxy, "addProxy")
            elif state == "authorizationStateWaitPhoneNumber":
                if args.phase == "resume":
                    raise ScenarioFailure("the saved auth key is no longer authorized")
                await td.call({"@type": "setAuthenticationPhoneNumber",
                               "phone_number": args.phone})
            elif state == "authorizationStateWaitCode":
                await td.call({"@type": "checkAuthenticationCode", "code": DEV_CODE})
            elif state == "authorizationStateWaitRegistration":
                steps.check(args.phase == "signup", "a registered phone asked to register")
                await td.call({"@type": "registerUser", "first_name": "Tina",
                               "last_name": "TDLib"})
            elif state == "authorizationStateReady":
                return
            elif state in ("authorizationStateClosed", "authorizationStateLoggingOut"):
                raise ScenarioFailure(f"TDLib went to {state}")

    await steps.run("login", log_in(), timeout=60)
    me = await steps.run("getMe", td.call({"@type": "getMe"}))
    steps.check(me.get("phone_number") == args.phone,
                f"phone {me.get('phone_number')!r} != {args.phone!r}")
    if args.phase == "signup":
        save_session(args.session_file, {"user_id": me["id"]})
    else:
        saved = load_session(args.session_file)
        steps.check(me["id"] == saved["user_id"], f"user id {me['id']} != {saved['user_id']}")
    chat = await steps.run("createPrivateChat(self)",
                           td.call({"@type": "createPrivateChat", "user_id": me["id"],
                                    "force": False}))
    text = unique_text("tdlib", args.phase)
    await steps.run("sendMessage", td.call({
        "@type": "sendMessage", "chat_id": chat["id"],
        "input_message_content": {"@type": "inputMessageText",
                                  "text": {"@type": "formattedText", "text": text}}}))

    def sent(event):
        kind = event.get("@type")
        if kind == "updateMessageSendFailed":
            raise ScenarioFailure(f"send failed: {event.get('error')}")
        return kind == "updateMessageSendSucceeded"

    done = await steps.run("message delivered", td.wait_update(sent))
    steps.check(done["message"]["content"]["text"]["text"] == text, "sent text differs")

    async def history_has_text():
        # TDLib may answer from its cache first; ask until the server's copy is there.
        for _ in range(10):
            history = await td.call({"@type": "getChatHistory", "chat_id": chat["id"],
                                     "from_message_id": 0, "offset": 0, "limit": 10,
                                     "only_local": False})
            texts = [m["content"].get("text", {}).get("text") for m in history["messages"]]
            if text in texts:
                return texts
            await asyncio.sleep(0.3)
        raise ScenarioFailure(f"history does not show {text!r}")

    await steps.run("getChatHistory", history_has_text())
    await td.call({"@type": "close"})
    await td.wait_update(lambda e: auth_state(e) == "authorizationStateClosed")


def main():
    args = parse_args()
    run_main(lambda steps: scenario(steps, args), args)


if __name__ == "__main__":
    main()
