//! Sans-IO MTProto for the server side (and a minimal client side for tests and the load tool):
//! crypto primitives, transports, the auth-key handshake and the encrypted message codec.
//! No tokio and no sockets: time and randomness are passed in by the caller.
//! Implements core.telegram.org/mtproto, /mtproto/auth_key, /mtproto/description,
//! /mtproto/mtproto-transports and /mtproto/security_guidelines.

pub mod crypto;
pub mod handshake;
pub mod message;
pub mod msg_id;
pub mod rsa_key;
pub mod transport;
