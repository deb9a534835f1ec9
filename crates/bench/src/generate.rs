//! `echo-bench generate`: fills a database with N users and M private messages for the
//! cold-start benchmark. The schema comes from echo-storage's migrations (`Storage::connect`);
//! rows are then written with multi-row INSERTs in large transactions, which is what makes 10 M
//! messages feasible. Message k goes from user k mod N to one of 7 partners, so every message
//! is two box rows (sender's copy out, receiver's copy in, core.telegram.org/api/updates), with
//! pts, dialogs and user_states consistent with what the server would have written.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::Context;
use sqlx::any::AnyPoolOptions;
use sqlx::{Any, Executor, QueryBuilder};

/// Rows per INSERT statement (15 columns: well under SQLite's and MySQL's bind limits).
const ROWS_PER_INSERT: usize = 500;
/// INSERT statements per transaction.
const INSERTS_PER_TX: usize = 40;
/// Distinct partners per user.
const PARTNERS: u64 = 7;

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct GenerateSummary {
    pub users: u64,
    pub messages: u64,
    pub box_rows: u64,
    pub dialogs: u64,
    pub took: Duration,
}

/// Who sends message `k` to whom, as user indexes in `0..users`.
pub fn message_ends(k: u64, users: u64) -> (u64, u64) {
    let from = k % users;
    if users == 1 {
        return (0, 0);
    }
    let step = 1 + (k / users) % PARTNERS.min(users - 1);
    (from, (from + step) % users)
}

#[derive(Default)]
struct Dialog {
    top: i32,
    date: i64,
    unread: i32,
}

/// One box row waiting to be written.
struct BoxRow {
    user: i64,
    id: i32,
    peer: i64,
    from: i64,
    out: bool,
    date: i64,
    text: String,
}

pub async fn generate(url: &str, users: u64, messages: u64) -> anyhow::Result<GenerateSummary> {
    let started = Instant::now();
    // Migrations (and the schema version check) exactly as echod applies them.
    let storage = echo_storage::Storage::connect(url)
        .await
        .context("opening storage")?;
    storage.close().await;
    sqlx::any::install_default_drivers();
    let pool = AnyPoolOptions::new()
        .max_connections(1)
        .connect(url)
        .await
        .context("connecting for bulk writes")?;
    let sqlite = url.starts_with("sqlite:");
    if sqlite {
        pool.execute("PRAGMA journal_mode = WAL").await?;
        pool.execute("PRAGMA synchronous = OFF").await?;
    }
    let first_id: i64 =
        sqlx::query_scalar::<Any, i64>("SELECT COALESCE(MAX(id), 999999) FROM users")
            .fetch_one(&pool)
            .await?
            + 1;
    let now = crate::wire::unix_now();
    let users = users.max(1);

    // Users.
    let mut tx = pool.begin().await?;
    for chunk_start in (0..users).step_by(ROWS_PER_INSERT) {
        let end = (chunk_start + ROWS_PER_INSERT as u64).min(users);
        let mut q: QueryBuilder<Any> = QueryBuilder::new(
            "INSERT INTO users (id, access_hash, phone, first_name, last_name, about, last_seen_at, created_at, deleted) ",
        );
        q.push_values(chunk_start..end, |mut b, i| {
            b.push_bind(first_id + i as i64)
                .push_bind(rand::random::<i64>())
                .push_bind(format!("+77{:010}", first_id + i as i64))
                .push_bind(format!("Gen{i}"))
                .push_bind(String::new())
                .push_bind(String::new())
                .push_bind(0i64)
                .push_bind(now)
                .push_bind(0i32);
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;

    // Messages: two box rows each.
    let mut next_id: Vec<i32> = vec![0; users as usize];
    let mut dialogs: HashMap<(u64, u64), Dialog> = HashMap::new();
    let mut rows: Vec<BoxRow> = Vec::with_capacity(ROWS_PER_INSERT);
    let mut tx = pool.begin().await?;
    let mut inserts = 0usize;
    let mut box_rows = 0u64;
    let base_date = now - (messages as i64 / 100) - 1;
    for k in 0..messages {
        let (from, to) = message_ends(k, users);
        let date = base_date + (k / 100) as i64;
        let text = format!("generated message {k}");
        let ends: &[(u64, u64, bool)] = if from == to {
            &[(from, from, true)]
        } else {
            &[(from, to, true), (to, from, false)]
        };
        for &(owner, peer, out) in ends {
            let slot = next_id.get_mut(owner as usize).context("user index")?;
            *slot += 1;
            let id = *slot;
            let d = dialogs.entry((owner, peer)).or_default();
            d.top = id;
            d.date = date;
            if !out {
                d.unread += 1;
            }
            rows.push(BoxRow {
                user: first_id + owner as i64,
                id,
                peer: first_id + peer as i64,
                from: first_id + from as i64,
                out,
                date,
                text: text.clone(),
            });
            box_rows += 1;
        }
        if rows.len() >= ROWS_PER_INSERT {
            insert_rows(&mut tx, std::mem::take(&mut rows)).await?;
            inserts += 1;
            if inserts.is_multiple_of(INSERTS_PER_TX) {
                tx.commit().await?;
                tx = pool.begin().await?;
            }
        }
    }
    if !rows.is_empty() {
        insert_rows(&mut tx, rows).await?;
    }
    tx.commit().await?;

    // Dialogs and update states.
    let dialog_count = dialogs.len() as u64;
    let mut tx = pool.begin().await?;
    let list: Vec<((u64, u64), Dialog)> = dialogs.into_iter().collect();
    for (n, chunk) in list.chunks(ROWS_PER_INSERT).enumerate() {
        let mut q: QueryBuilder<Any> = QueryBuilder::new(
            "INSERT INTO dialogs (user_id, peer_type, peer_id, top_message, top_date, read_inbox_max_id, read_outbox_max_id, unread_count, pinned_order, unread_mark) ",
        );
        q.push_values(chunk, |mut b, ((owner, peer), d)| {
            b.push_bind(first_id + *owner as i64)
                .push_bind(1i32)
                .push_bind(first_id + *peer as i64)
                .push_bind(d.top)
                .push_bind(d.date)
                .push_bind(d.top - d.unread)
                .push_bind(0i32)
                .push_bind(d.unread)
                .push_bind(0i32)
                .push_bind(0i32);
        });
        q.build().execute(&mut *tx).await?;
        if (n + 1).is_multiple_of(INSERTS_PER_TX) {
            tx.commit().await?;
            tx = pool.begin().await?;
        }
    }
    tx.commit().await?;
    let mut tx = pool.begin().await?;
    let states: Vec<(usize, i32)> = next_id.iter().copied().enumerate().collect();
    for chunk in states.chunks(ROWS_PER_INSERT) {
        let mut q: QueryBuilder<Any> = QueryBuilder::new(
            "INSERT INTO user_states (user_id, pts, qts, seq, date, last_message_id) ",
        );
        q.push_values(chunk, |mut b, (i, last)| {
            b.push_bind(first_id + *i as i64)
                .push_bind(*last)
                .push_bind(0i32)
                .push_bind(0i32)
                .push_bind(now)
                .push_bind(*last);
        });
        q.build().execute(&mut *tx).await?;
    }
    tx.commit().await?;
    pool.close().await;
    Ok(GenerateSummary {
        users,
        messages,
        box_rows,
        dialogs: dialog_count,
        took: started.elapsed(),
    })
}

async fn insert_rows(tx: &mut sqlx::Transaction<'_, Any>, rows: Vec<BoxRow>) -> anyhow::Result<()> {
    let mut q: QueryBuilder<Any> = QueryBuilder::new(
        "INSERT INTO messages (user_id, message_id, peer_type, peer_id, from_id, is_out, date, message, entities, media, reply_to_msg_id, random_id, fwd, pts, edit_date) ",
    );
    q.push_values(rows, |mut b, r| {
        b.push_bind(r.user)
            .push_bind(r.id)
            .push_bind(1i32)
            .push_bind(r.peer)
            .push_bind(r.from)
            .push_bind(i32::from(r.out))
            .push_bind(r.date)
            .push_bind(r.text)
            .push_bind(Vec::<u8>::new())
            .push_bind(Vec::<u8>::new())
            .push_bind(None::<i32>)
            .push_bind(None::<i64>)
            .push_bind(Vec::<u8>::new())
            .push_bind(r.id)
            .push_bind(None::<i64>);
    });
    q.build().execute(&mut **tx).await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn message_ends_pick_distinct_partners() {
        for k in 0..1000 {
            let (from, to) = message_ends(k, 10);
            assert!(from < 10 && to < 10);
            assert_ne!(from, to);
        }
        assert_eq!(message_ends(5, 1), (0, 0));
        assert_ne!(message_ends(3, 2).0, message_ends(3, 2).1);
    }

    #[tokio::test]
    async fn generates_a_consistent_sqlite_database() {
        let dir = std::env::temp_dir().join(format!("echo-bench-gen-{}", rand::random::<u32>()));
        std::fs::create_dir_all(&dir).unwrap();
        let url = format!("sqlite://{}?mode=rwc", dir.join("gen.db").display());
        let summary = generate(&url, 20, 1000).await.unwrap();
        assert_eq!(summary.box_rows, 2000);
        let storage = echo_storage::Storage::connect(&url).await.unwrap();
        let user = storage.users.get(1_000_000).await.unwrap().unwrap();
        let state = storage.update_states.get_state(user.id).await.unwrap();
        assert_eq!(state.pts, 100, "each of 20 users has 100 box rows");
        let dialogs = storage
            .dialogs
            .list(user.id, echo_storage::DialogQuery::default())
            .await
            .unwrap();
        assert!(!dialogs.is_empty());
        storage.close().await;
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
