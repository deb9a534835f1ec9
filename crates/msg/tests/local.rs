//! `LocalMsgService` on an in-memory SQLite store: two-sided sends, idempotent retries
//! (including finishing a send interrupted between the two boxes), edits, revoking
//! deletions and read receipts translated between boxes.

use echo_msg::{LocalMsgService, MsgError, MsgService, SendRequest};
use echo_storage::{MessageEdit, MessageOrigin, NewBoxMessage, Peer, Storage};

const ANN: i64 = 1_000_000;
const BOB: i64 = 1_000_001;

fn send(from: i64, to: i64, text: &str, random_id: i64) -> SendRequest {
    SendRequest {
        from,
        to: Peer::User(to),
        date: 100,
        message: text.into(),
        entities: Vec::new(),
        media: Vec::new(),
        fwd: Vec::new(),
        reply_to_msg_id: None,
        random_id: Some(random_id),
        deliver: true,
        silent: false,
        grouped_id: None,
    }
}

async fn service() -> (Storage, LocalMsgService) {
    let storage = Storage::connect("sqlite::memory:").await.unwrap();
    (storage.clone(), LocalMsgService::new(storage))
}

#[tokio::test]
async fn send_is_two_sided_and_idempotent() {
    let (storage, msg) = service().await;
    msg.send(send(BOB, BOB, "note to self", 1)).await.unwrap();
    let sent = msg.send(send(ANN, BOB, "hi", 7)).await.unwrap();
    assert!(sent.created);
    let inbox = sent.inbox.clone().unwrap();
    assert_eq!((sent.outbox.id, inbox.id, inbox.out), (1, 2, false));
    let retry = msg.send(send(ANN, BOB, "hi", 7)).await.unwrap();
    assert_eq!(
        (retry.created, retry.inbox, retry.outbox.id),
        (false, None, 1)
    );
    assert_eq!(storage.update_states.get_state(BOB).await.unwrap().pts, 3);

    // A send that stopped after the sender's copy is finished by its retry, once.
    let own = NewBoxMessage {
        peer: Peer::User(BOB),
        from_id: ANN,
        out: true,
        date: 100,
        message: "interrupted".into(),
        entities: Vec::new(),
        media: Vec::new(),
        reply_to_msg_id: None,
        random_id: Some(8),
        fwd: Vec::new(),
        grouped_id: None,
    };
    let encoder = echo_msg::tl::TlEncoder { viewer: ANN };
    storage
        .updates_log
        .append_message(ANN, own, MessageOrigin::Own, &encoder)
        .await
        .unwrap();
    let finished = msg.send(send(ANN, BOB, "interrupted", 8)).await.unwrap();
    assert!(!finished.created);
    assert_eq!(
        finished.inbox.map(|m| m.message),
        Some("interrupted".to_owned())
    );
    let again = msg.send(send(ANN, BOB, "interrupted", 8)).await.unwrap();
    assert!(again.inbox.is_none(), "delivered exactly once");
}

#[tokio::test]
async fn edit_delete_and_read_follow_the_copies() {
    let (storage, msg) = service().await;
    msg.send(send(BOB, BOB, "note", 1)).await.unwrap();
    let first = msg.send(send(ANN, BOB, "one", 2)).await.unwrap();
    let second = msg.send(send(ANN, BOB, "two", 3)).await.unwrap();
    let (a1, b1) = (first.outbox.id, first.inbox.unwrap().id);
    let (a2, b2) = (second.outbox.id, second.inbox.unwrap().id);

    let edit = MessageEdit {
        message: "one!".into(),
        entities: Vec::new(),
        media: Vec::new(),
        edit_date: 200,
    };
    let copies = msg.edit(ANN, a1, edit.clone()).await.unwrap();
    let owners: Vec<(i64, i32)> = copies.iter().map(|m| (m.user_id, m.id)).collect();
    assert_eq!(owners, vec![(ANN, a1), (BOB, b1)]);
    assert!(matches!(
        msg.edit(BOB, b1, edit).await,
        Err(MsgError::NotAuthor)
    ));

    let read = msg
        .read_history(BOB, Peer::User(ANN), b1, 300)
        .await
        .unwrap();
    assert_eq!(read.inbox.dialog.read_inbox_max_id, b1);
    let (sender, outbox) = read.outbox.unwrap();
    assert_eq!((sender, outbox.dialog.read_outbox_max_id), (ANN, a1));

    // Bob revokes Ann's second message from both boxes.
    let deleted = msg.delete(BOB, &[b2], true, 400).await.unwrap();
    let boxes: Vec<(i64, Vec<i32>)> = deleted
        .iter()
        .map(|d| (d.user_id, d.outcome.deleted_ids.clone()))
        .collect();
    assert_eq!(boxes, vec![(BOB, vec![b2]), (ANN, vec![a2])]);
    assert!(storage.messages.get(ANN, &[a2]).await.unwrap().is_empty());
    // Without revoke only the caller's copy goes.
    let mine = msg.delete(ANN, &[a1], false, 500).await.unwrap();
    assert_eq!(mine.len(), 1);
    assert_eq!(storage.messages.get(BOB, &[b1]).await.unwrap().len(), 1);
    assert!(matches!(
        msg.read_history(ANN, Peer::User(4242), 0, 600).await,
        Err(MsgError::NotFound)
    ));
}
