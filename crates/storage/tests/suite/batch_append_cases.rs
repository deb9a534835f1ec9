//! Appends that write several boxes in one transaction (core.telegram.org/api/updates):
//! `append_with_copies` (a private message's two copies) and `append_copies` (a group
//! message's copy per member) must leave every box exactly as one `append_message` per box
//! would: ids, pts, links, dialogs, log entries.

use std::sync::Arc;

use anyhow::{anyhow, ensure, Result};
use echo_storage::{
    AppendOutcome, BoxChange, NewBoxMessage, Peer, StorageError, UpdateEncoder, UpdateKind,
};

use crate::harness::Ctx;

const ALICE: i64 = 2_000_000;
const BOB: i64 = 2_000_001;
const CAROL: i64 = 2_000_002;
const GROUP: i64 = 77;

/// The owner of the changed box, its message id and pts, as text.
struct OwnerEncoder;

impl UpdateEncoder for OwnerEncoder {
    fn encode(&self, change: &BoxChange<'_>) -> Vec<u8> {
        match change {
            BoxChange::NewMessage(m) => format!("new {} {} {}", m.user_id, m.id, m.pts),
            _ => "other".to_owned(),
        }
        .into_bytes()
    }
}

fn new_message(peer: Peer, from: i64, out: bool, random_id: Option<i64>) -> NewBoxMessage {
    NewBoxMessage {
        peer,
        from_id: from,
        out,
        date: 100,
        message: "hi".to_owned(),
        entities: Vec::new(),
        media: Vec::new(),
        reply_to_msg_id: None,
        random_id,
        fwd: Vec::new(),
        grouped_id: None,
    }
}

/// Alice → Bob, both copies at once.
async fn send(ctx: &Ctx, random_id: i64) -> Result<(AppendOutcome, Vec<echo_storage::BoxMessage>)> {
    let out = new_message(Peer::User(BOB), ALICE, true, Some(random_id));
    let copy = new_message(Peer::User(ALICE), ALICE, false, None);
    Ok(ctx
        .storage
        .updates_log
        .append_with_copies(ALICE, out, vec![(BOB, copy)], Arc::new(OwnerEncoder))
        .await?)
}

fn bodies(log: &[echo_storage::LoggedUpdate]) -> Vec<String> {
    log.iter()
        .map(|u| String::from_utf8_lossy(&u.body).into_owned())
        .collect()
}

pub async fn batch_appends_write_every_box(ctx: Ctx) -> Result<()> {
    let log = &ctx.storage.updates_log;
    let (own, copies) = send(&ctx, 5).await?;
    let AppendOutcome::Created(mine) = own else {
        return Err(anyhow!("the first send creates the message"));
    };
    let [theirs] = copies.as_slice() else {
        return Err(anyhow!("one copy for Bob, got {copies:?}"));
    };
    assert_eq!((mine.user_id, mine.id, mine.pts), (ALICE, 1, 2));
    assert_eq!((theirs.user_id, theirs.id, theirs.pts), (BOB, 1, 2));
    assert!(mine.out && !theirs.out);
    assert_eq!(
        bodies(&log.updates_after(ALICE, 0, 10).await?),
        ["new 2000000 1 2"]
    );
    assert_eq!(
        bodies(&log.updates_after(BOB, 0, 10).await?),
        ["new 2000001 1 2"]
    );
    let bob = ctx.storage.dialogs.get(BOB, Peer::User(ALICE)).await?;
    let bob = bob.ok_or_else(|| anyhow!("Bob's dialog"))?;
    assert_eq!((bob.top_message, bob.unread_count), (1, 1));
    let alice = ctx.storage.dialogs.get(ALICE, Peer::User(BOB)).await?;
    let alice = alice.ok_or_else(|| anyhow!("Alice's dialog"))?;
    assert_eq!((alice.top_message, alice.unread_count), (1, 0));
    let mut linked: Vec<_> = log
        .copies_of(ALICE, &[1])
        .await?
        .iter()
        .map(|l| (l.user_id, l.message_id))
        .collect();
    linked.sort_unstable();
    assert_eq!(linked, [(ALICE, 1), (BOB, 1)]);

    // A retried random_id: the earlier message, nothing written anywhere.
    let (again, none) = send(&ctx, 5).await?;
    assert!(matches!(again, AppendOutcome::Existing(ref m) if m.id == 1));
    assert!(none.is_empty());
    assert_eq!(log.updates_after(BOB, 0, 10).await?.len(), 1);

    // The next send moves both boxes on; Bob's dialog counts two unread.
    let (next, copies) = send(&ctx, 6).await?;
    assert_eq!(next.into_message().id, 2);
    assert_eq!(copies.first().map(|c| (c.id, c.pts)), Some((2, 3)));
    let bob = ctx.storage.dialogs.get(BOB, Peer::User(ALICE)).await?;
    assert_eq!(bob.map(|d| (d.top_message, d.unread_count)), Some((2, 2)));

    // One copy per box.
    let out = new_message(Peer::User(BOB), ALICE, true, None);
    let copy = new_message(Peer::User(ALICE), ALICE, false, None);
    let twice = log
        .append_with_copies(
            ALICE,
            out,
            vec![(BOB, copy.clone()), (BOB, copy)],
            Arc::new(OwnerEncoder),
        )
        .await;
    ensure!(
        matches!(twice, Err(StorageError::InvalidArgument(_))),
        "two copies for one box: {twice:?}"
    );
    assert_eq!(
        log.updates_after(ALICE, 0, 10).await?.len(),
        2,
        "nothing half-written"
    );
    Ok(())
}

pub async fn copies_of_a_group_message(ctx: Ctx) -> Result<()> {
    let log = &ctx.storage.updates_log;
    let group = Peer::Chat(GROUP);
    let own = log
        .append_message(
            ALICE,
            new_message(group, ALICE, true, Some(9)),
            echo_storage::MessageOrigin::Own,
            &OwnerEncoder,
        )
        .await?
        .into_message();
    let copies = vec![
        (CAROL, new_message(group, ALICE, false, None)),
        (BOB, new_message(group, ALICE, false, None)),
    ];
    let rows = log
        .append_copies(ALICE, own.id, copies, &OwnerEncoder)
        .await?;
    let owners: Vec<_> = rows.iter().map(|r| (r.user_id, r.id, r.pts)).collect();
    assert_eq!(owners, [(CAROL, 1, 2), (BOB, 1, 2)], "in the order given");
    for member in [BOB, CAROL] {
        let entries = log.updates_after(member, 0, 10).await?;
        assert_eq!(entries.len(), 1);
        assert!(entries.iter().all(|e| e.kind == UpdateKind::NewMessage));
        let dialog = ctx.storage.dialogs.get(member, group).await?;
        assert_eq!(dialog.map(|d| d.unread_count), Some(1));
    }
    let mut linked: Vec<_> = log
        .copies_of(ALICE, &[own.id])
        .await?
        .iter()
        .map(|l| l.user_id)
        .collect();
    linked.sort_unstable();
    assert_eq!(linked, [ALICE, BOB, CAROL]);
    assert!(log
        .append_copies(ALICE, own.id, Vec::new(), &OwnerEncoder)
        .await?
        .is_empty());
    Ok(())
}

/// Two users sending to each other at once: both boxes are locked by both directions, so the
/// lock order must not deadlock (MySQL) and every message gets its own ids.
pub async fn crossing_batch_appends(ctx: Ctx) -> Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for n in 0..20_i64 {
        let storage = ctx.storage.clone();
        tasks.spawn(async move {
            let (from, to) = if n % 2 == 0 {
                (ALICE, BOB)
            } else {
                (BOB, ALICE)
            };
            let out = new_message(Peer::User(to), from, true, Some(1000 + n));
            let copy = new_message(Peer::User(from), from, false, None);
            storage
                .updates_log
                .append_with_copies(from, out, vec![(to, copy)], Arc::new(OwnerEncoder))
                .await
        });
    }
    while let Some(done) = tasks.join_next().await {
        let (own, copies) = done??;
        ensure!(own.is_created() && copies.len() == 1);
    }
    for user in [ALICE, BOB] {
        let entries = ctx.storage.updates_log.updates_after(user, 0, 100).await?;
        let pts: Vec<i32> = entries.iter().map(|e| e.pts).collect();
        let expected: Vec<i32> = (2..22).collect();
        assert_eq!(pts, expected, "no holes, no duplicates in {user}'s log");
    }
    Ok(())
}

/// The same random_id sent several times at once (a client's retries racing): one message,
/// every other call gets it back as `Existing`, and nothing is logged twice.
pub async fn racing_retries_store_one_message(ctx: Ctx) -> Result<()> {
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..6 {
        let storage = ctx.storage.clone();
        tasks.spawn(async move {
            let out = new_message(Peer::User(BOB), ALICE, true, Some(4242));
            let copy = new_message(Peer::User(ALICE), ALICE, false, None);
            storage
                .updates_log
                .append_with_copies(ALICE, out, vec![(BOB, copy)], Arc::new(OwnerEncoder))
                .await
        });
    }
    let (mut created, mut ids) = (0, Vec::new());
    while let Some(done) = tasks.join_next().await {
        let (own, copies) = done??;
        if own.is_created() {
            created += 1;
            ensure!(copies.len() == 1, "the creating call has Bob's copy");
        } else {
            ensure!(copies.is_empty(), "a repeat writes no copy");
        }
        ids.push(own.into_message().id);
    }
    assert_eq!(created, 1);
    assert!(ids.iter().all(|id| *id == 1), "one message: {ids:?}");
    for user in [ALICE, BOB] {
        assert_eq!(
            ctx.storage
                .updates_log
                .updates_after(user, 0, 10)
                .await?
                .len(),
            1
        );
    }
    Ok(())
}
