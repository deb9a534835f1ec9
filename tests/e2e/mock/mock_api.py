"""API methods of the harness-validation mock server (see mock_echod.py).

Only what the e2e scenarios use: config, login by phone with code 12345, sign-up,
updates state, the self user, and messages to Saved Messages. Anything else gets a
400 so that unexpected calls are visible in the log.
"""

import logging
import os
import random
import struct
import time

from telethon.tl import types
from telethon.tl.types import auth, messages, updates, users

log = logging.getLogger("mock.api")
PUBLIC = ("GetConfigRequest", "GetNearestDcRequest", "SendCodeRequest", "SignInRequest",
          "SignUpRequest", "GetAppConfigRequest", "GetLangPackRequest")


def rpc_error(code, message):
    return bytes(types.RpcError(code, message))


class Pre:
    """Already-serialized TL, nestable inside Telethon objects."""

    def __init__(self, data):
        self.data = data

    def _bytes(self):
        return self.data

    def write(self):
        return self.data


def old_layer_types():
    """Pyrofork's own layer-220 classes, borrowed from its venv (types that changed by 229)."""
    import sys
    from pathlib import Path

    cache = Path(os.environ.get("ECHO_E2E_CACHE", Path.home() / ".cache" / "echo-e2e"))
    sys.path.extend(str(p) for p in (cache / "pyrofork" / "lib").glob("python3*/site-packages"))
    from pyrogram.raw import types as raw_types

    return raw_types


class Api:
    def __init__(self, server):
        self.server = server
        self.state = server.state
        self.codes = {}
        self.layer = 229
        self.old_types = None

    # ----------------------------------------------------------- helpers

    def user_of(self, ctx):
        return self.state["keys"][str(ctx["key_id"])]["user"]

    def make(self, name, **fields):
        """A layer-229 Telethon object, or Pyrofork's layer-220 one for a layer-220 client."""
        if self.layer >= 229:
            return getattr(types, name)(**fields)
        if self.old_types is None:
            self.old_types = old_layer_types()
        fields.pop("unread_poll_votes_count", None)  # not in layer 220
        # Nested objects whose constructors did not change are passed pre-serialized.
        fields = {k: Pre(bytes(v)) if hasattr(v, "_bytes") else v for k, v in fields.items()}
        return Pre(getattr(self.old_types, name)(**fields).write())

    def user_obj(self, user_id):
        for phone, user in self.state["users"].items():
            if user["id"] == user_id:
                return self.make("User", id=user_id, is_self=True, access_hash=user["hash"],
                                 first_name=user["first"], last_name=user["last"] or None,
                                 phone=phone,
                                 status=types.UserStatusOnline(int(time.time()) + 300))
        raise KeyError(user_id)

    def message_obj(self, user_id, msg):
        return self.make("Message", id=msg["id"], peer_id=types.PeerUser(user_id),
                         from_id=types.PeerUser(user_id), date=msg["date"], message=msg["text"],
                         out=True)

    def bind(self, ctx, user_id):
        self.state["keys"][str(ctx["key_id"])]["user"] = user_id
        self.server.save()
        return bytes(auth.Authorization(user=self.user_obj(user_id)))

    def state_obj(self):
        return updates.State(pts=self.state["pts"], qts=0, date=int(time.time()), seq=0,
                             unread_count=0)

    # ----------------------------------------------------------- dispatch

    def call(self, ctx, req):
        name = type(req).__name__
        if not name.endswith("Request"):
            name += "Request"  # a Pyrogram (layer 220) raw function
        self.layer = ctx.get("layer", 229)
        user_id = self.user_of(ctx)
        if user_id is None and name not in PUBLIC:
            return rpc_error(401, "AUTH_KEY_UNREGISTERED")
        handler = getattr(self, "do_" + name, None)
        if handler is None:
            log.info("not implemented: %s", name)
            return rpc_error(400, "METHOD_NOT_IMPLEMENTED")
        return handler(ctx, req, user_id)

    def do_GetConfigRequest(self, ctx, req, user_id):
        now = int(time.time())
        option = types.DcOption(id=2, ip_address=self.server.host, port=self.server.port,
                                static=True)
        return bytes(types.Config(
            date=now, expires=now + 3600, test_mode=False, this_dc=2, dc_options=[option],
            dc_txt_domain_name="", chat_size_max=200, megagroup_size_max=200000,
            forwarded_count_max=100, online_update_period_ms=210000,
            offline_blur_timeout_ms=5000, offline_idle_timeout_ms=30000,
            online_cloud_timeout_ms=300000, notify_cloud_delay_ms=30000,
            notify_default_delay_ms=1500, push_chat_period_ms=60000, push_chat_limit=2,
            edit_time_limit=172800, revoke_time_limit=172800, revoke_pm_time_limit=172800,
            rating_e_decay=2419200, stickers_recent_limit=200, channels_read_media_period=604800,
            call_receive_timeout_ms=20000, call_ring_timeout_ms=90000,
            call_connect_timeout_ms=30000, call_packet_timeout_ms=10000, me_url_prefix="",
            caption_length_max=1024, message_length_max=4096, webfile_dc_id=2))

    def do_GetNearestDcRequest(self, ctx, req, user_id):
        return bytes(types.NearestDc(country="ZZ", this_dc=2, nearest_dc=2))

    def do_SendCodeRequest(self, ctx, req, user_id):
        code_hash = os.urandom(8).hex()
        self.codes[code_hash] = req.phone_number
        return bytes(auth.SentCode(type=auth.SentCodeTypeApp(length=5),
                                   phone_code_hash=code_hash))

    def do_SignInRequest(self, ctx, req, user_id):
        if self.codes.get(req.phone_code_hash) != req.phone_number:
            return rpc_error(400, "PHONE_CODE_EXPIRED")
        if req.phone_code != "12345":
            return rpc_error(400, "PHONE_CODE_INVALID")
        user = self.state["users"].get(req.phone_number)
        if user is None:
            return bytes(auth.AuthorizationSignUpRequired())
        return self.bind(ctx, user["id"])

    def do_SignUpRequest(self, ctx, req, user_id):
        if self.codes.get(req.phone_code_hash) != req.phone_number:
            return rpc_error(400, "PHONE_CODE_EXPIRED")
        if req.phone_number in self.state["users"]:
            return rpc_error(400, "PHONE_NUMBER_OCCUPIED")
        self.state["next_user"] += 1
        new_id = self.state["next_user"]
        self.state["users"][req.phone_number] = {"id": new_id, "first": req.first_name,
                                                 "last": req.last_name,
                                                 "hash": random.getrandbits(63)}
        return self.bind(ctx, new_id)

    def do_GetUsersRequest(self, ctx, req, user_id):
        return _vector([self.user_obj(user_id)])

    def do_GetFullUserRequest(self, ctx, req, user_id):
        full = self.make("UserFull", id=user_id, settings=types.PeerSettings(),
                              notify_settings=types.PeerNotifySettings(), common_chats_count=0)
        return bytes(users.UserFull(full_user=full, chats=[], users=[self.user_obj(user_id)]))

    def do_GetStateRequest(self, ctx, req, user_id):
        return bytes(self.state_obj())

    def do_GetDifferenceRequest(self, ctx, req, user_id):
        return bytes(updates.DifferenceEmpty(date=int(time.time()), seq=0))

    def saved(self, user_id):
        return self.state["messages"].setdefault(str(user_id), [])

    def do_SendMessageRequest(self, ctx, req, user_id):
        box = self.saved(user_id)
        msg = {"id": len(box) + 1, "text": req.message, "date": int(time.time())}
        box.append(msg)
        self.state["pts"] += 1
        self.server.save()
        return bytes(types.Updates(
            updates=[types.UpdateMessageID(id=msg["id"], random_id=req.random_id),
                     types.UpdateNewMessage(self.message_obj(user_id, msg), self.state["pts"], 1)],
            users=[self.user_obj(user_id)], chats=[], date=msg["date"], seq=0))

    def do_GetHistoryRequest(self, ctx, req, user_id):
        box = [m for m in reversed(self.saved(user_id))
               if not req.offset_id or m["id"] < req.offset_id][: req.limit or 100]
        return bytes(messages.Messages(messages=[self.message_obj(user_id, m) for m in box],
                                       topics=[], chats=[], users=[self.user_obj(user_id)]))

    def do_GetDialogsRequest(self, ctx, req, user_id):
        box = self.saved(user_id)
        if not box or req.offset_id:
            return bytes(messages.Dialogs(dialogs=[], messages=[], chats=[], users=[]))
        top = box[-1]
        dialog = self.make("Dialog", peer=types.PeerUser(user_id), top_message=top["id"],
                              read_inbox_max_id=top["id"], read_outbox_max_id=top["id"],
                              unread_count=0, unread_mentions_count=0, unread_reactions_count=0,
                              unread_poll_votes_count=0, notify_settings=types.PeerNotifySettings())
        return bytes(messages.Dialogs(dialogs=[dialog], messages=[self.message_obj(user_id, top)],
                                      chats=[], users=[self.user_obj(user_id)]))


def _vector(items):
    return struct.pack("<Ii", 0x1CB5C415, len(items)) + b"".join(bytes(i) for i in items)
