//! `messages.*` for private chats and Saved Messages (core.telegram.org/api/peers,
//! /method/messages.sendMessage and the method pages of each submodule). Each user has an own
//! message box with own ids and pts (core.telegram.org/api/updates); writes go through
//! `echo_msg::MsgService`, which logs every change before Sync pushes it.
//!
//! Submodules: [`send`] (sendMessage, forwardMessages), [`edit`] (editMessage,
//! deleteMessages, deleteHistory), [`read`] (getHistory, getMessages, search, readHistory,
//! setTyping), [`dialogs`] (getDialogs, getPeerDialogs), [`pins`] (pins, unread marks),
//! [`drafts`] (saveDraft, getAllDrafts), [`media`] (sendMedia, uploadMedia, sendMultiMedia).

mod dialogs;
mod drafts;
mod edit;
mod media;
mod pins;
mod read;
mod send;

use echo_storage::{BoxMessage, Peer};
use echo_tl::enums;

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

pub(crate) use media::{build_media, caption_ok, known_photo, new_grouped_id, ALBUM_MAX};
pub(crate) use send::{box_originals, check_forward_ids, send_copies, ForwardCopy};

pub fn register(r: &mut Router) {
    send::register(r);
    edit::register(r);
    read::register(r);
    dialogs::register(r);
    drafts::register(r);
    pins::register(r);
    media::register(r);
}

/// The dialog peer an input peer names: the caller themself (Saved Messages) or another
/// user, whose access hash must match (core.telegram.org/api/peers); anything else, and a
/// wrong hash, is PEER_ID_INVALID and reveals nothing.
pub(crate) async fn resolve_peer(
    deps: &BffDeps,
    ctx: &RpcContext,
    input: &enums::InputPeer,
) -> Result<Peer, RpcError> {
    let me = ctx.user()?;
    let invalid = || RpcError::bad_request("PEER_ID_INVALID");
    match input {
        enums::InputPeer::PeerSelf => Ok(Peer::User(me)),
        enums::InputPeer::User(u) => {
            let user = deps
                .storage
                .users
                .access(u.user_id)
                .await?
                .ok_or_else(invalid)?;
            if user.access_hash != u.access_hash || user.deleted && u.user_id != me {
                return Err(invalid());
            }
            Ok(Peer::User(u.user_id))
        }
        enums::InputPeer::Chat(c) => crate::chats::resolve_chat_peer(deps, me, c.chat_id).await,
        // Channel peers are handled by the methods that support them (crate::channels);
        // the others do not take channels yet.
        enums::InputPeer::Channel(_) | enums::InputPeer::ChannelFromMessage(_) => {
            Err(RpcError::bad_request("METHOD_NOT_IMPLEMENTED"))
        }
        _ => Err(invalid()),
    }
}

/// Message length as Telegram counts it: UTF-16 code units, like entity offsets.
fn utf16_len(text: &str) -> usize {
    text.encode_utf16().count()
}

/// Users that `messages` (senders and user peers) and `peers` mention, plus the caller, as
/// the caller sees them (contact flags, access hashes, privacy).
async fn users_of(
    deps: &BffDeps,
    ctx: &RpcContext,
    me: i64,
    messages: &[BoxMessage],
    peers: &[Peer],
) -> Result<Vec<enums::User>, RpcError> {
    let mut ids = vec![me];
    for m in messages {
        ids.push(m.from_id);
    }
    for peer in messages.iter().map(|m| m.peer).chain(peers.iter().copied()) {
        if let Peer::User(id) = peer {
            ids.push(id);
        }
    }
    ids.sort_unstable();
    ids.dedup();
    crate::contacts::view::users_by_id(deps, me, &ids, ctx.now).await
}

#[cfg(test)]
mod tests {
    use super::utf16_len;

    #[test]
    fn length_counts_utf16_units() {
        assert_eq!(utf16_len("abc"), 3);
        assert_eq!(utf16_len("é"), 1);
        assert_eq!(utf16_len("😀"), 2);
    }
}
