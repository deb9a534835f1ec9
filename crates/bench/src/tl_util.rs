//! Small TL helpers the scenarios share: building messages.sendMessage calls and reading
//! messages out of pushed updates (core.telegram.org/api/updates: updateShortMessage,
//! updates with updateNewMessage).

use echo_tl::{enums, functions, Deserializable, Serializable};

/// messages.sendMessage with only what the tool sets.
pub fn send_message(peer: enums::InputPeer, text: String, random_id: i64) -> Vec<u8> {
    functions::messages::SendMessage {
        no_webpage: true,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer,
        reply_to: None,
        message: text,
        random_id,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    }
    .to_bytes()
}

/// A message seen in an update: its id in the reader's box, text, and the pts it carried.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SeenMessage {
    pub id: i32,
    pub text: String,
    pub pts: i32,
    pub pts_count: i32,
}

/// The messages an `Updates` body (push or call result) carries; empty for anything else.
pub fn messages_in_updates(body: &[u8]) -> Vec<SeenMessage> {
    let Ok(updates) = enums::Updates::from_bytes(body) else {
        return Vec::new();
    };
    match updates {
        enums::Updates::UpdateShortMessage(m) => vec![SeenMessage {
            id: m.id,
            text: m.message,
            pts: m.pts,
            pts_count: m.pts_count,
        }],
        enums::Updates::UpdateShortChatMessage(m) => vec![SeenMessage {
            id: m.id,
            text: m.message,
            pts: m.pts,
            pts_count: m.pts_count,
        }],
        // The sender's answer: the message's id and pts, without the text it already has.
        enums::Updates::UpdateShortSentMessage(m) => vec![SeenMessage {
            id: m.id,
            text: String::new(),
            pts: m.pts,
            pts_count: m.pts_count,
        }],
        enums::Updates::Updates(u) => from_update_list(u.updates),
        enums::Updates::Combined(u) => from_update_list(u.updates),
        enums::Updates::UpdateShort(u) => from_update_list(vec![u.update]),
        _ => Vec::new(),
    }
}

fn from_update_list(updates: Vec<enums::Update>) -> Vec<SeenMessage> {
    updates
        .into_iter()
        .filter_map(|u| match u {
            enums::Update::NewMessage(n) => {
                let (id, text) = message_text(&n.message)?;
                Some(SeenMessage {
                    id,
                    text,
                    pts: n.pts,
                    pts_count: n.pts_count,
                })
            }
            enums::Update::NewChannelMessage(n) => {
                let (id, text) = message_text(&n.message)?;
                Some(SeenMessage {
                    id,
                    text,
                    pts: n.pts,
                    pts_count: n.pts_count,
                })
            }
            _ => None,
        })
        .collect()
}

/// Id and text of a regular message.
pub fn message_text(m: &enums::Message) -> Option<(i32, String)> {
    match m {
        enums::Message::Message(m) => Some((m.id, m.message.clone())),
        _ => None,
    }
}

/// The messages of a messages.Messages answer (getHistory), as (id, text).
pub fn history_texts(answer: &enums::messages::Messages) -> Vec<(i32, String)> {
    let list = match answer {
        enums::messages::Messages::Messages(m) => &m.messages,
        enums::messages::Messages::Slice(m) => &m.messages,
        enums::messages::Messages::ChannelMessages(m) => &m.messages,
        enums::messages::Messages::NotModified(_) => return Vec::new(),
    };
    list.iter().filter_map(message_text).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use echo_tl::types;

    #[test]
    fn reads_short_and_full_updates() {
        let short = enums::Updates::UpdateShortMessage(types::UpdateShortMessage {
            out: false,
            mentioned: false,
            media_unread: false,
            silent: false,
            id: 7,
            user_id: 1,
            message: "hi".into(),
            pts: 3,
            pts_count: 1,
            date: 0,
            fwd_from: None,
            via_bot_id: None,
            reply_to: None,
            entities: None,
            ttl_period: None,
        })
        .to_bytes();
        let seen = messages_in_updates(&short);
        assert_eq!(
            seen,
            vec![SeenMessage {
                id: 7,
                text: "hi".into(),
                pts: 3,
                pts_count: 1
            }]
        );
        assert!(messages_in_updates(&[1, 2, 3]).is_empty());
        assert!(send_message(enums::InputPeer::PeerSelf, "x".into(), 1).len() > 8);
    }
}
