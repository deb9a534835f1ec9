//! The multi-row statements of a batch of new box messages (core.telegram.org/api/updates):
//! the rows, their links, their dialogs, their `NewMessage` log entries and the boxes'
//! counters, each pushed into a `QueryBuilder`.
//!
//! Why builders: the same statements run one at a time inside a sqlx transaction (batch
//! appends, both dialects) and, on SQLite, several to one `QueryBuilder` separated by `;`
//! (group commit): sqlx's SQLite driver runs a multi-statement string in ONE hand-off to its
//! worker thread, binding the `?`s of each statement in turn.

use sqlx::{Any, QueryBuilder};

use super::messages::MESSAGE_COLUMNS;
use super::rows::flag;
use crate::types::{BoxMessage, INITIAL_PTS};
use crate::updates_log::{MessageOrigin, UpdateKind};

/// `INSERT INTO messages` of `rows`.
pub(super) fn push_insert_messages<'a>(qb: &mut QueryBuilder<'a, Any>, rows: &'a [BoxMessage]) {
    qb.push(format_args!("INSERT INTO messages ({MESSAGE_COLUMNS}) "));
    qb.push_values(rows, |mut values, m| {
        values
            .push_bind(m.user_id)
            .push_bind(m.id)
            .push_bind(m.peer.type_code())
            .push_bind(m.peer.id())
            .push_bind(m.from_id)
            .push_bind(flag(m.out))
            .push_bind(m.date)
            .push_bind(m.message.as_str())
            .push_bind(m.entities.as_slice())
            .push_bind(m.media.as_slice())
            .push_bind(m.reply_to_msg_id)
            .push_bind(m.random_id)
            .push_bind(m.fwd.as_slice())
            .push_bind(m.pts)
            .push_bind(None::<i64>)
            .push_bind(m.grouped_id);
    });
}

/// `INSERT INTO message_links` of `rows`, each linked to its origin.
pub(super) fn push_insert_links(
    qb: &mut QueryBuilder<'_, Any>,
    rows: &[BoxMessage],
    origins: &[MessageOrigin],
) {
    qb.push("INSERT INTO message_links (user_id, message_id, origin_user_id, origin_message_id) ");
    qb.push_values(rows.iter().zip(origins), |mut values, (m, origin)| {
        let (origin_user_id, origin_message_id) = match *origin {
            MessageOrigin::Own => (m.user_id, m.id),
            MessageOrigin::CopyOf {
                user_id,
                message_id,
            } => (user_id, message_id),
        };
        values
            .push_bind(m.user_id)
            .push_bind(m.id)
            .push_bind(origin_user_id)
            .push_bind(origin_message_id);
    });
}

/// The dialogs of `rows` (each in its own box) created or moved to them, SQLite's upsert:
/// a new dialog ends as `touch_dialog`'s two statements leave it, and SQLite evaluates every
/// SET expression on the old row, so their order does not matter.
pub(super) fn push_touch_dialogs_sqlite(qb: &mut QueryBuilder<'_, Any>, rows: &[BoxMessage]) {
    qb.push(
        "INSERT INTO dialogs (user_id, peer_type, peer_id, top_message, top_date, unread_count) ",
    );
    qb.push_values(rows, |mut values, m| {
        values
            .push_bind(m.user_id)
            .push_bind(m.peer.type_code())
            .push_bind(m.peer.id())
            .push_bind(m.id)
            .push_bind(m.date)
            .push_bind(flag(!m.out));
    });
    qb.push(
        " ON CONFLICT (user_id, peer_type, peer_id) DO UPDATE SET \
         unread_count = unread_count + CASE WHEN excluded.top_message > \
         read_inbox_max_id THEN excluded.unread_count ELSE 0 END, \
         top_date = CASE WHEN excluded.top_message > top_message \
         THEN excluded.top_date ELSE top_date END, \
         top_message = CASE WHEN excluded.top_message > top_message \
         THEN excluded.top_message ELSE top_message END",
    );
}

/// `INSERT INTO user_updates` of one `NewMessage` entry per row, with its encoded body.
pub(super) fn push_log_new_messages(
    qb: &mut QueryBuilder<'_, Any>,
    rows: &[BoxMessage],
    bodies: &mut impl Iterator<Item = Vec<u8>>,
) {
    qb.push("INSERT INTO user_updates (user_id, pts, pts_count, date, kind, body) ");
    qb.push_values(rows, |mut values, m| {
        values
            .push_bind(m.user_id)
            .push_bind(m.pts)
            .push_bind(1_i32)
            .push_bind(m.date)
            .push_bind(UpdateKind::NewMessage.code())
            .push_bind(bodies.next().unwrap_or_default());
    });
}

/// SQLite's one-statement bump of many boxes' counters: box `user_id` moved by `rows` rows
/// (its pts and last id by as much, carried in the new row's last_message_id) and its date
/// to the newest. Returns `user_id, pts, last_message_id` after the bump.
pub(super) fn push_bump_sqlite(qb: &mut QueryBuilder<'_, Any>, boxes: &[(i64, i32, i64)]) {
    qb.push("INSERT INTO user_states (user_id, pts, qts, seq, date, last_message_id) ");
    qb.push_values(boxes, |mut values, (user_id, rows, date)| {
        values
            .push_bind(*user_id)
            .push_bind(INITIAL_PTS + *rows)
            .push_bind(0_i32)
            .push_bind(0_i32)
            .push_bind((*date).max(0))
            .push_bind(*rows);
    });
    qb.push(
        " ON CONFLICT (user_id) DO UPDATE SET \
         pts = pts + excluded.last_message_id, \
         last_message_id = last_message_id + excluded.last_message_id, \
         date = CASE WHEN excluded.date > date THEN excluded.date ELSE date END \
         RETURNING user_id, pts, last_message_id",
    );
}
