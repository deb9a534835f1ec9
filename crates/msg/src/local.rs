//! The in-process [`MsgService`] over the storage's logged box writes
//! (`echo_storage::UpdateLogStore`), core.telegram.org/api/updates.
//!
//! Copies of one message are tied together by message links (sender's copy = origin), which
//! translate reply ids, edits, revoking deletions and read receipts between boxes.

use std::collections::BTreeMap;
use std::sync::Arc;

use async_trait::async_trait;
use echo_storage::{
    AppendOutcome, BoxMessage, MessageEdit, MessageOrigin, NewBoxMessage, Peer, Storage,
    StorageError,
};

use crate::tl::{BoxOwnerEncoder, TlEncoder};
use crate::{BoxDeletion, MsgError, MsgService, ReadResult, SendRequest, Sent};

/// [`MsgService`] on the local database.
#[derive(Clone, Debug)]
pub struct LocalMsgService {
    storage: Storage,
}

impl LocalMsgService {
    pub fn new(storage: Storage) -> Self {
        Self { storage }
    }

    /// The id in `target`'s box of the copy of `user_id`'s message `id`, if any.
    async fn copy_in(&self, user_id: i64, id: i32, target: i64) -> Result<Option<i32>, MsgError> {
        let log = &self.storage.updates_log;
        let Some(link) = log.links_of(user_id, &[id]).await?.into_iter().next() else {
            return Ok(None);
        };
        let copies = log
            .copies_of(link.origin_user_id, &[link.origin_message_id])
            .await?;
        Ok(copies
            .iter()
            .find(|c| c.user_id == target)
            .map(|c| c.message_id))
    }
}

#[async_trait]
impl MsgService for LocalMsgService {
    async fn send(&self, req: SendRequest) -> Result<Sent, MsgError> {
        let log = &self.storage.updates_log;
        let outgoing = NewBoxMessage {
            peer: req.to,
            from_id: req.from,
            out: true,
            date: req.date,
            message: req.message,
            entities: req.entities,
            media: req.media,
            reply_to_msg_id: req.reply_to_msg_id,
            random_id: req.random_id.filter(|r| *r != 0),
            fwd: req.fwd,
            grouped_id: req.grouped_id,
        };
        let recipient = match req.to {
            Peer::User(id) if id != req.from && req.deliver => Some(id),
            // Saved Messages has one copy, so has an undelivered message; group copies are
            // delivered by the caller (one per member).
            _ => None,
        };
        let Some(recipient) = recipient else {
            let own = log
                .append_message(
                    req.from,
                    outgoing,
                    MessageOrigin::Own,
                    &TlEncoder { viewer: req.from },
                )
                .await?;
            let created = own.is_created();
            return Ok(Sent {
                outbox: own.into_message(),
                inbox: None,
                created,
            });
        };
        let reply_to_msg_id = match outgoing.reply_to_msg_id {
            Some(id) => self.copy_in(req.from, id, recipient).await?,
            None => None,
        };
        let incoming = NewBoxMessage {
            peer: Peer::User(req.from),
            out: false,
            random_id: None,
            reply_to_msg_id,
            ..outgoing.clone()
        };
        // Both copies in one transaction: the send is durable for both boxes, or for none.
        let (own, copies) = log
            .append_with_copies(
                req.from,
                outgoing,
                // The template of a late copy below, if this is a retry.
                vec![(recipient, incoming.clone())],
                Arc::new(BoxOwnerEncoder),
            )
            .await?;
        let outbox = match own {
            AppendOutcome::Created(outbox) => {
                return Ok(Sent {
                    outbox,
                    inbox: copies.into_iter().next(),
                    created: true,
                })
            }
            AppendOutcome::Existing(outbox) => outbox,
        };
        // A retried random_id. Older servers (and the queued path) stored the two copies in
        // two transactions, so the recipient's may be missing: deliver it if so, never twice.
        if self
            .copy_in(req.from, outbox.id, recipient)
            .await?
            .is_some()
        {
            return Ok(Sent {
                outbox,
                inbox: None,
                created: false,
            });
        }
        let reply_to_msg_id = match outbox.reply_to_msg_id {
            Some(id) => self.copy_in(req.from, id, recipient).await?,
            None => None,
        };
        let incoming = NewBoxMessage {
            reply_to_msg_id,
            // The stored copy is authoritative (a retry may carry a different text).
            message: outbox.message.clone(),
            entities: outbox.entities.clone(),
            media: outbox.media.clone(),
            fwd: outbox.fwd.clone(),
            date: outbox.date,
            grouped_id: outbox.grouped_id,
            ..incoming
        };
        let inbox = log
            .append_message(
                recipient,
                incoming,
                MessageOrigin::CopyOf {
                    user_id: req.from,
                    message_id: outbox.id,
                },
                &TlEncoder { viewer: recipient },
            )
            .await?
            .into_message();
        Ok(Sent {
            outbox,
            inbox: Some(inbox),
            created: false,
        })
    }

    async fn edit(
        &self,
        user_id: i64,
        id: i32,
        edit: MessageEdit,
    ) -> Result<Vec<BoxMessage>, MsgError> {
        let log = &self.storage.updates_log;
        let own = self.storage.messages.get(user_id, &[id]).await?;
        let Some(own) = own.into_iter().next() else {
            return Err(MsgError::NotFound);
        };
        if own.from_id != user_id {
            return Err(MsgError::NotAuthor);
        }
        let mut targets = vec![(user_id, id)];
        if let Some(link) = log.links_of(user_id, &[id]).await?.into_iter().next() {
            for copy in log
                .copies_of(link.origin_user_id, &[link.origin_message_id])
                .await?
            {
                if copy.user_id != user_id {
                    targets.push((copy.user_id, copy.message_id));
                }
            }
        }
        let mut edited = Vec::with_capacity(targets.len());
        for (owner, message_id) in targets {
            let encoder = TlEncoder { viewer: owner };
            match log
                .edit_message(owner, message_id, edit.clone(), &encoder)
                .await
            {
                Ok(m) => edited.push(m),
                // The other side deleted its copy meanwhile: nothing to edit there.
                Err(StorageError::NotFound) if owner != user_id => {}
                Err(StorageError::NotFound) => return Err(MsgError::NotFound),
                Err(e) => return Err(e.into()),
            }
        }
        Ok(edited)
    }

    async fn delete(
        &self,
        user_id: i64,
        ids: &[i32],
        revoke: bool,
        date: i64,
    ) -> Result<Vec<BoxDeletion>, MsgError> {
        let log = &self.storage.updates_log;
        // Other boxes' copies, found before our own links go away with our copies.
        let mut others: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
        if revoke {
            let mut origins: BTreeMap<i64, Vec<i32>> = BTreeMap::new();
            for link in log.links_of(user_id, ids).await? {
                origins
                    .entry(link.origin_user_id)
                    .or_default()
                    .push(link.origin_message_id);
            }
            for (origin_user, origin_ids) in origins {
                for copy in log.copies_of(origin_user, &origin_ids).await? {
                    if copy.user_id != user_id {
                        others
                            .entry(copy.user_id)
                            .or_default()
                            .push(copy.message_id);
                    }
                }
            }
        }
        let own = log
            .delete_messages(user_id, ids, date, &TlEncoder { viewer: user_id })
            .await?;
        let mut result = vec![BoxDeletion {
            user_id,
            outcome: own,
        }];
        for (owner, their_ids) in others {
            let outcome = log
                .delete_messages(owner, &their_ids, date, &TlEncoder { viewer: owner })
                .await?;
            if outcome.pts_count > 0 {
                result.push(BoxDeletion {
                    user_id: owner,
                    outcome,
                });
            }
        }
        Ok(result)
    }

    async fn read_history(
        &self,
        user_id: i64,
        peer: Peer,
        max_id: i32,
        date: i64,
    ) -> Result<ReadResult, MsgError> {
        let log = &self.storage.updates_log;
        let max_id = if max_id <= 0 { i32::MAX } else { max_id };
        let encoder = TlEncoder { viewer: user_id };
        let Some(inbox) = log
            .read_inbox(user_id, peer, max_id, date, &encoder)
            .await?
        else {
            return Err(MsgError::NotFound);
        };
        let sender = match peer {
            Peer::User(id) if id != user_id => id,
            _ => {
                return Ok(ReadResult {
                    inbox,
                    outbox: None,
                })
            }
        };
        // Repeated even when our side did not move, so an interrupted read completes.
        let read_to = inbox.dialog.read_inbox_max_id;
        let Some(their_max) = log.max_origin_id(user_id, sender, read_to).await? else {
            return Ok(ReadResult {
                inbox,
                outbox: None,
            });
        };
        let theirs = log
            .read_outbox(
                sender,
                Peer::User(user_id),
                their_max,
                date,
                &TlEncoder { viewer: sender },
            )
            .await?;
        let outbox = theirs.filter(|o| o.pts_count > 0).map(|o| (sender, o));
        Ok(ReadResult { inbox, outbox })
    }
}
