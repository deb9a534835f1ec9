"""A throwaway MTProto server in Python, used only to validate the e2e harness.

    ECHOD_BIN=tests/e2e/mock/echod python3 tests/e2e/run.py

It implements echod's command-line contract and just enough of MTProto 2.0
(https://core.telegram.org/mtproto, /mtproto/auth_key, /mtproto/description,
/mtproto/mtproto-transports) and of the API (auth, users, messages to Saved
Messages) for the client scenarios to run to completion, so that the harness's own
bugs show up before the real server exists. It runs in the Telethon venv and uses
Telethon's TL classes (layer 229) to parse and build objects, so Pyrofork
(layer 220) is only partly served. It logs every RPC it receives, which documents
what each client calls. NOT a reference for echod's behaviour beyond that.
"""

import argparse
import asyncio
import hashlib
import http.server
import json
import logging
import os
import random
import signal
import struct
import threading
import time
import zlib
from pathlib import Path

import rsa as pyrsa
from telethon.crypto import AES, AESModeCTR, AuthKey
from telethon.extensions import BinaryReader
from telethon.network.mtprotostate import MTProtoState
from telethon.tl import types

from mock_api import Api, old_layer_types, rpc_error

log = logging.getLogger("mock")

# The 2048-bit safe prime published by Telegram (core.telegram.org/mtproto/security_guidelines).
DH_PRIME = int(
    "C71CAEB9C6B1C9048E6C522F70F13F73980D40238E3E21C14934D037563D930F"
    "48198A0AA7C14058229493D22530F4DBFA336F6E0AC925139543AED44CCE7C37"
    "20FD51F69458705AC68CD4FE6B6B13ABDC9746512969328454F18FAF8C595F64"
    "2477FE96BB2A941D5BCD1D4AC8CC49880708FA9B378E3C4F3A9060BEE67CF9A4"
    "A4A695811051907E162753B56B0F6B410DBA74D8A84B2A14B3144E0EF1284754"
    "FD17ED950D5965B4B9DD46582DB1178D169C6BC465B0D6FF9CA3928FEF5B9AE4"
    "E418FC15E83EBEA0F87FA9FF5EED70050DED2849F47BF959D956850CE929851F"
    "0D8115F635B105EE2E4E15D04B2454BF6F4FADF034B10403119CD8E3B92FCC5B", 16)
P, Q = 1229739323, 1402015859  # the pq example from the auth_key docs
CONTAINER, RPC_RESULT, GZIP = 0x73F1F8DC, 0xF35C6D01, 0x3072CFA1
WRAPPERS = ("InvokeWithLayerRequest", "InitConnectionRequest", "InvokeWithoutUpdatesRequest",
            "InvokeAfterMsgRequest", "InvokeWithTakeoutRequest")


def big(n, size=None):
    return n.to_bytes(size or (n.bit_length() + 7) // 8, "big")


class Framing:
    """Transport codec for one connection, chosen from its first bytes."""

    def __init__(self, reader, writer):
        self.reader, self.writer = reader, writer
        self.kind, self.dec, self.enc, self.seq = None, None, None, 0
        self.pending = None

    async def _read(self, n):
        data = await self.reader.readexactly(n)
        return self.dec.encrypt(data) if self.dec else data

    async def detect(self):
        first = await self.reader.readexactly(1)
        if first == b"\xef":
            self.kind = "abridged"
            return
        rest = await self.reader.readexactly(3)
        head = first + rest
        if head in (b"\xee" * 4, b"\xdd" * 4):
            self.kind = "intermediate" if head == b"\xee" * 4 else "padded"
            return
        more = await self.reader.readexactly(4)
        if more == b"\0\0\0\0" and 12 <= struct.unpack("<I", head)[0] < 1 << 20:
            self.kind, self.pending = "full", head + more
            return
        init = head + more + await self.reader.readexactly(56)
        key_iv = init[8:56]
        self.dec = AESModeCTR(key_iv[:32], key_iv[32:])
        rev = key_iv[::-1]
        self.enc = AESModeCTR(rev[:32], rev[32:])
        tag = self.dec.encrypt(init)[56:60]
        self.kind = {b"\xef" * 4: "abridged", b"\xee" * 4: "intermediate",
                     b"\xdd" * 4: "padded"}.get(tag)
        if self.kind is None:
            raise ValueError(f"bad obfuscated2 tag {tag.hex()}")
        self.kind = "obfuscated-" + self.kind

    async def read_frame(self):
        kind = self.kind.replace("obfuscated-", "")
        if kind == "full":
            head = self.pending if self.pending else await self.reader.readexactly(8)
            self.pending = None
            length = struct.unpack("<I", head[:4])[0]
            if not 12 <= length <= 1 << 20:
                raise ValueError("bad full length")
            body = await self.reader.readexactly(length - 8)
            return body[:-4]
        if kind == "abridged":
            n = (await self._read(1))[0]
            if n >= 0x7F:
                n = int.from_bytes(await self._read(3), "little")
            length = n * 4
        else:
            length = struct.unpack("<I", await self._read(4))[0] & 0x7FFFFFFF
        if length > 1 << 20:
            raise ValueError("frame too large")
        data = await self._read(length)
        return data[: len(data) - len(data) % 4] if kind == "padded" else data

    def write_frame(self, data):
        kind = self.kind.replace("obfuscated-", "")
        if kind == "full":
            head = struct.pack("<Ii", len(data) + 12, self.seq) + data
            self.seq += 1
            out = head + struct.pack("<I", zlib.crc32(head))
        elif kind == "abridged":
            n = len(data) // 4
            out = (bytes([n]) if n < 0x7F else b"\x7f" + n.to_bytes(3, "little")) + data
        else:
            out = struct.pack("<I", len(data)) + data
        self.writer.write(self.enc.encrypt(out) if self.enc else out)


class Server:
    def __init__(self, data_dir, host, port):
        self.data_dir, self.host, self.port = Path(data_dir), host, port
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.state_path = self.data_dir / "mock_state.json"
        self.state = json.loads(self.state_path.read_text()) if self.state_path.exists() else {
            "keys": {}, "users": {}, "messages": {}, "next_user": 1000, "pts": 1}
        self.rsa_pub, self.rsa_priv = self._rsa()
        n_e = (self.rsa_pub.n, self.rsa_pub.e)
        self.fingerprint = fingerprint(*n_e)
        self.handshakes = {}
        self.layers = {}  # auth key id -> layer of its last invokeWithLayer
        self.last_msg_id = 0
        self.api = Api(self)

    def _rsa(self):
        priv_path = self.data_dir / "mock_private.pem"
        if priv_path.exists():
            priv = pyrsa.PrivateKey.load_pkcs1(priv_path.read_bytes())
        else:
            _, priv = pyrsa.newkeys(2048)
            priv_path.write_bytes(priv.save_pkcs1())
        pub = pyrsa.PublicKey(priv.n, priv.e)
        (self.data_dir / "server_public.pem").write_bytes(pub.save_pkcs1())
        return pub, priv

    def save(self):
        tmp = self.state_path.with_suffix(".tmp")
        tmp.write_text(json.dumps(self.state))
        os.replace(tmp, self.state_path)

    def msg_id(self, response=True):
        value = (int(time.time() * 2**32) & ~3) | (1 if response else 3)
        value = max(value, self.last_msg_id + 4)
        self.last_msg_id = value
        return value

    # ---------------------------------------------------------- handshake

    def plain(self, obj):
        body = bytes(obj)
        return struct.pack("<qqi", 0, self.msg_id(), len(body)) + body

    def handshake(self, body):
        req = BinaryReader(body[20:]).tgread_object()
        name = type(req).__name__
        log.info("plain %s", name)
        if name in ("ReqPqMultiRequest", "ReqPqRequest"):
            server_nonce = int.from_bytes(os.urandom(16), "big", signed=True)
            self.handshakes[server_nonce] = {"nonce": req.nonce}
            return self.plain(types.ResPQ(req.nonce, server_nonce, big(P * Q), [self.fingerprint]))
        hs = self.handshakes.get(req.server_nonce)
        if hs is None:
            raise ValueError("unknown server_nonce")
        if name == "ReqDHParamsRequest":
            decrypted = big(pow(int.from_bytes(req.encrypted_data, "big"), self.rsa_priv.d,
                                self.rsa_priv.n), 256)
            inner = BinaryReader(decrypted[21:]).tgread_object()
            hs["new_nonce"] = inner.new_nonce
            key, iv = tmp_key(req.server_nonce, inner.new_nonce)
            hs["key_iv"] = (key, iv)
            hs["a"] = int.from_bytes(os.urandom(256), "big")
            g_a = pow(3, hs["a"], DH_PRIME)
            answer = bytes(types.ServerDHInnerData(hs["nonce"], req.server_nonce, 3, big(DH_PRIME),
                                                   big(g_a), int(time.time())))
            data = hashlib.sha1(answer).digest() + answer
            data += os.urandom(-len(data) % 16)
            return self.plain(types.ServerDHParamsOk(hs["nonce"], req.server_nonce,
                                                     AES.encrypt_ige(data, *hs["key_iv"])))
        if name == "SetClientDHParamsRequest":
            plain = AES.decrypt_ige(req.encrypted_data, *hs["key_iv"])
            inner = BinaryReader(plain[20:]).tgread_object()
            g_b = int.from_bytes(inner.g_b, "big")
            key = AuthKey(big(pow(g_b, hs["a"], DH_PRIME), 256))
            self.state["keys"][str(key.key_id)] = {"key": key.key.hex(), "user": None}
            self.save()
            del self.handshakes[req.server_nonce]
            return self.plain(types.DhGenOk(hs["nonce"], req.server_nonce,
                                            key.calc_new_nonce_hash(hs["new_nonce"], 1)))
        raise ValueError(f"unexpected plain {name}")

    # ---------------------------------------------------------- encrypted

    async def connection(self, reader, writer):
        framing = Framing(reader, writer)
        sessions = {}
        try:
            await framing.detect()
            log.info("connection %s", framing.kind)
            while True:
                frame = await framing.read_frame()
                key_id = struct.unpack("<Q", frame[:8])[0]
                if key_id == 0:
                    framing.write_frame(self.handshake(frame))
                    continue
                entry = self.state["keys"].get(str(key_id))
                if entry is None:
                    log.info("unknown auth key %x: -404", key_id)
                    framing.write_frame(struct.pack("<i", -404))
                    await writer.drain()
                    break
                auth_key = bytes.fromhex(entry["key"])
                msg_key = frame[8:24]
                key, iv = MTProtoState._calc_key(auth_key, msg_key, True)
                plain = AES.decrypt_ige(frame[24:], key, iv)
                salt, session_id, msg_id, _seq, length = struct.unpack("<qqqii", plain[:32])
                ctx = sessions.setdefault(session_id, {"seq": 0, "new": True})
                ctx.update(key_id=key_id, auth_key=auth_key, salt=salt, session_id=session_id)
                out = []
                if ctx.pop("new", False):
                    out.append(bytes(types.NewSessionCreated(msg_id, random.getrandbits(63), salt)))
                self.process(ctx, msg_id, plain[32:32 + length], out)
                for body in out:
                    framing.write_frame(self.encrypt(ctx, body))
                await writer.drain()
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        except Exception as err:  # a mock: log and drop the connection
            log.warning("connection error: %s: %s", type(err).__name__, err)
        finally:
            writer.close()

    def encrypt(self, ctx, body):
        ctx["seq"] += 1
        plain = struct.pack("<qqqii", ctx["salt"], ctx["session_id"], self.msg_id(),
                            ctx["seq"] * 2 - 1, len(body)) + body
        plain += os.urandom(-(len(plain) + 12) % 16 + 12)
        msg_key = hashlib.sha256(ctx["auth_key"][96:128] + plain).digest()[8:24]
        key, iv = MTProtoState._calc_key(ctx["auth_key"], msg_key, False)
        return struct.pack("<Q", ctx["key_id"]) + msg_key + AES.encrypt_ige(plain, key, iv)

    def process(self, ctx, msg_id, body, out):
        constructor = struct.unpack("<I", body[:4])[0]
        if constructor == CONTAINER:
            count, pos = struct.unpack("<i", body[4:8])[0], 8
            for _ in range(count):
                inner_id, _seq, length = struct.unpack("<qii", body[pos:pos + 16])
                self.process(ctx, inner_id, body[pos + 16:pos + 16 + length], out)
                pos += 16 + length
            return
        try:
            req = BinaryReader(body).tgread_object()
        except Exception:
            req = self.read_old_layer(ctx, body)
        if req is None:
            log.info("RPC unknown constructor %08x", constructor)
            out.append(rpc_result(msg_id, rpc_error(400, "CONSTRUCTOR_UNKNOWN")))
            return
        name = type(req).__name__
        if not name.endswith("Request") and name not in ("MsgsAck",):
            name += "Request"  # Pyrogram's raw functions lack Telethon's suffix
        if name in ("MsgsAck", "PingRequest", "PingDelayDisconnectRequest",
                    "GetFutureSaltsRequest"):
            log.info("mtproto %s", name)
        if name == "MsgsAck":
            return
        if name in ("PingRequest", "PingDelayDisconnectRequest"):
            out.append(bytes(types.Pong(msg_id, req.ping_id)))
            return
        if name == "GetFutureSaltsRequest":
            now = int(time.time())
            salt = types.FutureSalt(now, now + 3600, ctx["salt"])
            out.append(bytes(types.FutureSalts(msg_id, now, [salt])))
            return
        chain = [name]
        if name == "InvokeWithLayerRequest":
            ctx["layer"] = self.layers[ctx["key_id"]] = req.layer
        ctx.setdefault("layer", self.layers.get(ctx["key_id"], 229))
        while type(req).__name__ in WRAPPERS:
            req = req.query
            chain.append(type(req).__name__)
        log.info("RPC %s", " > ".join(chain))
        out.append(rpc_result(msg_id, self.api.call(ctx, req)))


    def read_old_layer(self, ctx, body):
        """Parses a request of a layer-220 client with Pyrofork's own classes."""
        if ctx.get("layer", self.layers.get(ctx["key_id"], 229)) >= 229:
            return None
        try:
            from io import BytesIO

            old_layer_types()
            from pyrogram.raw.core import TLObject

            return TLObject.read(BytesIO(body))
        except Exception:
            return None


def rpc_result(req_msg_id, payload):
    return struct.pack("<Iq", RPC_RESULT, req_msg_id) + payload


def tl_bytes(value):
    out = bytes([len(value)]) + value if len(value) <= 253 else \
        b"\xfe" + len(value).to_bytes(3, "little") + value
    return out + b"\0" * (-len(out) % 4)


def fingerprint(n, e):
    digest = hashlib.sha1(tl_bytes(big(n)) + tl_bytes(big(e))).digest()
    return struct.unpack("<q", digest[-8:])[0]


def tmp_key(server_nonce, new_nonce):
    sn = server_nonce.to_bytes(16, "little", signed=True)
    nn = new_nonce.to_bytes(32, "little", signed=True)
    h1, h2, h3 = (hashlib.sha1(a + b).digest() for a, b in ((nn, sn), (sn, nn), (nn, nn)))
    return h1 + h2[:12], h2[12:20] + h3 + nn[:4]


class Health(http.server.BaseHTTPRequestHandler):
    def do_GET(self):  # noqa: N802
        self.send_response(200 if self.path == "/healthz" else 404)
        self.end_headers()

    def log_message(self, *_):
        pass


async def amain(args):
    host, port = args.listen.rsplit(":", 1)
    server = Server(args.data_dir, host, int(port))
    tcp = await asyncio.start_server(server.connection, host, int(port))
    hhost, hport = args.http.rsplit(":", 1)
    health = http.server.ThreadingHTTPServer((hhost, int(hport)), Health)
    threading.Thread(target=health.serve_forever, daemon=True).start()
    log.info("mock echod on %s, http %s", args.listen, args.http)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    tcp.close()
    log.info("SIGTERM: bye")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("command", choices=["run"])
    parser.add_argument("--data-dir", required=True)
    parser.add_argument("--listen", required=True)
    parser.add_argument("--http", required=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    asyncio.run(amain(parser.parse_args()))


if __name__ == "__main__":
    main()
