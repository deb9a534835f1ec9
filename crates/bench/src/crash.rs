//! Crash safety: message traffic against a real `echod run`, SIGKILL mid-stream, restart on the
//! same data, then check that every message whose sender got a result is stored for both sides
//! exactly once, that resending the unanswered ones (same random_id, as clients do) creates no
//! duplicates, and that the pts sequence (core.telegram.org/api/updates) has no holes: the box
//! gained exactly as many messages as pts advanced, and the pts values the sender was given are distinct.
//!
//! Conversations: Saved Messages (two devices of one user are the two sides, one box) and a
//! private chat (two users who imported each other; each side's own box is checked).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;
use std::time::Duration;

use anyhow::{anyhow, bail};
use echo_tl::{enums, functions};

use crate::auth::sign_up;
use crate::client::{Client, RpcAnswer, Session};
use crate::scenarios::messages::import_peer;
use crate::server::{free_port, Echod, SpawnOptions};
use crate::tl_util::{history_texts, messages_in_updates, send_message};

/// Who talks to whom.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Conversation {
    /// One user's Saved Messages; the other side is the same user's second device.
    SavedMessages,
    /// A private chat between two users (contacts.importContacts, inputPeerUser).
    Private,
}

#[derive(Clone, Debug)]
pub struct CrashOptions {
    pub binary: PathBuf,
    pub data_dir: PathBuf,
    pub conversation: Conversation,
    /// SIGKILL once this many sends got their result.
    pub kill_after_acked: usize,
    /// Calls in flight at once (so some are mid-way when the kill lands).
    pub window: usize,
}

/// What the check found; `problems()` is empty when the server kept its promises.
#[derive(Clone, Debug, Default)]
pub struct CrashReport {
    pub sent: usize,
    pub acknowledged: usize,
    pub resent_after_restart: usize,
    pub stored_sender_side: usize,
    pub stored_other_side: usize,
    pub pushed_before_crash: usize,
    pub initial_pts: i32,
    pub final_pts: i32,
    pub missing: Vec<String>,
    pub duplicates: Vec<String>,
    pub pushed_but_missing: Vec<String>,
    pub sides_differ: bool,
    pub pts_problems: Vec<String>,
}

impl CrashReport {
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if !self.missing.is_empty() {
            out.push(format!("acknowledged but missing: {:?}", self.missing));
        }
        if !self.duplicates.is_empty() {
            out.push(format!("duplicated: {:?}", self.duplicates));
        }
        if !self.pushed_but_missing.is_empty() {
            out.push(format!("pushed but missing: {:?}", self.pushed_but_missing));
        }
        if self.sides_differ {
            out.push("the two sides' histories differ".into());
        }
        out.extend(self.pts_problems.iter().cloned());
        out
    }
}

fn text_of(i: usize) -> String {
    format!("crash-safety {i}")
}

/// Every message of the dialog with `peer` as `client` sees it, oldest first.
async fn full_history(
    client: &mut Client,
    peer: &enums::InputPeer,
) -> anyhow::Result<Vec<(i32, String)>> {
    let mut all = Vec::new();
    let mut offset_id = 0;
    for _ in 0..100_000 {
        let page = client
            .call(&functions::messages::GetHistory {
                peer: peer.clone(),
                offset_id,
                offset_date: 0,
                add_offset: 0,
                limit: 100,
                max_id: 0,
                min_id: 0,
                hash: 0,
            })
            .await?;
        let texts = history_texts(&page);
        let Some((last, _)) = texts.last() else { break };
        offset_id = *last;
        all.extend(texts);
    }
    all.reverse();
    Ok(all)
}

async fn get_state(client: &mut Client) -> anyhow::Result<echo_tl::types::updates::State> {
    let enums::updates::State::State(state) = client.call(&functions::updates::GetState {}).await?;
    Ok(state)
}

async fn reconnect(echod: &Echod, session: Session) -> anyhow::Result<Client> {
    let mut client =
        Client::resume(echod.addr, Session::with_key(session.key, session.salt)).await?;
    client.call_init(&functions::help::GetNearestDc {}).await?;
    Ok(client)
}

pub async fn run(opts: &CrashOptions) -> anyhow::Result<CrashReport> {
    let spawn = SpawnOptions {
        binary: opts.binary.clone(),
        data_dir: opts.data_dir.clone(),
        database_url: None,
        ports: Some((free_port()?, free_port()?)),
        send_message_per_minute: None,
    };
    let (mut echod, _) = Echod::spawn(&spawn).await?;
    let run = rand::random::<u32>() % 100_000;
    let phone = format!("+98{run:05}0001");
    let mut sender = Client::connect_new(echod.addr, &echod.public_key).await?;
    let sender_user = sign_up(&mut sender, &phone).await?;
    let mut other = Client::connect_new(echod.addr, &echod.public_key).await?;
    let (sender_peer, other_peer) = match opts.conversation {
        Conversation::SavedMessages => {
            sign_up(&mut other, &phone).await?;
            (enums::InputPeer::PeerSelf, enums::InputPeer::PeerSelf)
        }
        Conversation::Private => {
            let other_phone = format!("+98{run:05}0002");
            let other_user = sign_up(&mut other, &other_phone).await?;
            let to_other = import_peer(&mut sender, &other_phone, other_user)
                .await?
                .map_err(|e| anyhow!("private chats: {e}"))?;
            let to_sender = import_peer(&mut other, &phone, sender_user)
                .await?
                .map_err(|e| anyhow!("private chats: {e}"))?;
            (to_other.input_peer(), to_sender.input_peer())
        }
    };
    // Logging in and importing contacts may advance pts; only the sends count from here.
    let initial = get_state(&mut sender).await?;
    let other_initial = get_state(&mut other).await?;
    let sender_session = sender.session.clone();
    let other_session = other.session.clone();

    // The other side reads pushes until the connection dies.
    let reader = tokio::spawn(async move {
        let mut seen = Vec::new();
        while let Ok(Ok(p)) =
            tokio::time::timeout(Duration::from_secs(60), other.next_pushed()).await
        {
            seen.extend(messages_in_updates(&p.body).into_iter().map(|m| m.text));
        }
        seen
    });

    // The sender sends batches of `window` until the server dies.
    let acked_count = Arc::new(AtomicUsize::new(0));
    let acked_seen = acked_count.clone();
    let window = opts.window.max(1);
    let peer = sender_peer.clone();
    let writer = tokio::spawn(async move {
        let mut acked: Vec<(usize, i32)> = Vec::new();
        let mut sent = 0usize;
        loop {
            let first = sent;
            let bodies: Vec<Vec<u8>> = (first..first + window)
                .map(|i| send_message(peer.clone(), text_of(i), i as i64 + 1))
                .collect();
            sent += window;
            let mut done = Vec::new();
            let outcome = sender.call_pipelined(bodies, window, &mut done).await;
            for (index, answer) in done {
                if let RpcAnswer::Ok(bytes) = answer {
                    let pts = messages_in_updates(&bytes).first().map_or(0, |m| m.pts);
                    acked.push((first + index, pts));
                }
            }
            acked_seen.store(acked.len(), Ordering::Relaxed);
            if outcome.is_err() {
                return (sent, acked);
            }
        }
    });
    while acked_count.load(Ordering::Relaxed) < opts.kill_after_acked {
        if writer.is_finished() {
            bail!("the sender stopped before the kill");
        }
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    echod.kill_hard()?;
    let (sent, acked) = writer.await.map_err(|e| anyhow!("sender task: {e}"))?;
    let pushed = reader.await.map_err(|e| anyhow!("reader task: {e}"))?;
    drop(echod);

    let (echod, _) = Echod::spawn(&spawn).await?;
    let mut sender = reconnect(&echod, sender_session).await?;
    // What a client does after a crash: resend what got no answer, with the same random_id.
    let acked_set: HashSet<usize> = acked.iter().map(|(i, _)| *i).collect();
    let unanswered: Vec<usize> = (0..sent).filter(|i| !acked_set.contains(i)).collect();
    let bodies = unanswered
        .iter()
        .map(|&i| send_message(sender_peer.clone(), text_of(i), i as i64 + 1))
        .collect();
    let mut resent = Vec::new();
    sender.call_pipelined(bodies, window, &mut resent).await?;

    let mine = full_history(&mut sender, &sender_peer).await?;
    let mut theirs_client = reconnect(&echod, other_session).await?;
    let theirs = full_history(&mut theirs_client, &other_peer).await?;
    let state = get_state(&mut sender).await?;
    let other_state = get_state(&mut theirs_client).await?;

    let mut report = CrashReport {
        sent,
        acknowledged: acked.len(),
        resent_after_restart: resent.len(),
        stored_sender_side: mine.len(),
        stored_other_side: theirs.len(),
        pushed_before_crash: pushed.len(),
        initial_pts: initial.pts,
        final_pts: state.pts,
        // Box ids differ between two users' boxes; the texts, in order, must not.
        sides_differ: mine
            .iter()
            .map(|(_, t)| t)
            .ne(theirs.iter().map(|(_, t)| t)),
        ..CrashReport::default()
    };
    let mut counts: HashMap<&str, usize> = HashMap::new();
    for (_, text) in &mine {
        *counts.entry(text.as_str()).or_default() += 1;
    }
    report.duplicates = counts
        .iter()
        .filter(|(_, n)| **n > 1)
        .map(|(t, _)| t.to_string())
        .collect();
    report.missing = acked
        .iter()
        .map(|(i, _)| text_of(*i))
        .filter(|t| !counts.contains_key(t.as_str()))
        .collect();
    report.pushed_but_missing = pushed
        .iter()
        .filter(|t| !counts.contains_key(t.as_str()))
        .cloned()
        .collect();
    // Every send is one new message and one pts: a hole or a double would break this.
    if usize::try_from(state.pts - initial.pts).ok() != Some(mine.len()) {
        report.pts_problems.push(format!(
            "pts went from {} to {} but the box holds {} messages",
            initial.pts,
            state.pts,
            mine.len()
        ));
    }
    if other_state.pts - other_initial.pts
        != if opts.conversation == Conversation::SavedMessages {
            state.pts - initial.pts
        } else {
            i32::try_from(theirs.len()).unwrap_or(i32::MAX)
        }
    {
        report.pts_problems.push(format!(
            "the other side's pts went from {} to {} for {} messages",
            other_initial.pts,
            other_state.pts,
            theirs.len()
        ));
    }
    let mut given: Vec<i32> = acked.iter().map(|(_, pts)| *pts).collect();
    given.sort_unstable();
    let before = given.len();
    given.dedup();
    if given.len() != before {
        report
            .pts_problems
            .push("two acknowledged messages were given the same pts".into());
    }
    if given.iter().any(|&p| p <= initial.pts || p > state.pts) {
        report.pts_problems.push(format!(
            "an acknowledged pts is outside {}..={}",
            initial.pts + 1,
            state.pts
        ));
    }
    let ids: HashSet<i32> = mine.iter().map(|(id, _)| *id).collect();
    if ids.len() != mine.len() {
        report.pts_problems.push("two messages share an id".into());
    }
    Ok(report)
}
