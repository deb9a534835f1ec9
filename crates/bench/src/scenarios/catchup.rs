//! Catch-up: a device goes offline, `missed` updates happen (its other device sends that many
//! messages to Saved Messages), then it comes back and calls updates.getDifference
//! (core.telegram.org/api/updates#recovering-gaps) until it is up to date. When the server
//! answers updates.differenceTooLong the device refetches history with messages.getHistory, as
//! clients do; the line says which path was taken.

use std::sync::Arc;
use std::time::Instant;

use anyhow::bail;
use echo_tl::{enums, functions};
use serde_json::json;

use super::messages::import_peer;
use super::{sign_up_many, PhoneSource, Target};
use crate::auth::sign_up;
use crate::client::{Client, RpcAnswer};
use crate::stats::{ok_line, round};
use crate::tl_util::{history_texts, send_message};

/// Messages each producing user sends (the server limits sends per user and minute).
const PER_PRODUCER: usize = 250;
/// Most getDifference / getHistory calls one catch-up may take.
const MAX_CALLS: usize = 10_000;

pub async fn run(
    target: &Target,
    missed: usize,
    window: usize,
) -> anyhow::Result<serde_json::Value> {
    let echod = target.start("catchup").await?;
    let phones = Arc::new(PhoneSource::new());
    let phone = phones.next();
    let mut offline = Client::connect_new(echod.addr, &echod.public_key).await?;
    let me = sign_up(&mut offline, &phone).await?;
    let enums::updates::State::State(state) =
        offline.call(&functions::updates::GetState {}).await?;
    let offline_session = offline.session.clone();
    drop(offline);

    // The missed updates: private messages from several users (each stays under the
    // per-user send limit), or Saved Messages from a second device if private chats are
    // not available.
    let produce = Instant::now();
    let producers = missed.div_ceil(PER_PRODUCER).max(1);
    let mut senders = sign_up_many(&echod, &phones, producers, 4).await?;
    let mut done = Vec::with_capacity(missed);
    let mut via = "private messages";
    for (n, (sender, _, _)) in senders.iter_mut().enumerate() {
        let share = PER_PRODUCER.min(missed.saturating_sub(n * PER_PRODUCER));
        let peer = match import_peer(sender, &phone, me).await? {
            Ok(peer) => peer.input_peer(),
            Err(_) => {
                via = "saved messages (no private chats)";
                sign_up(sender, &phone).await?;
                enums::InputPeer::PeerSelf
            }
        };
        let bodies: Vec<Vec<u8>> = (0..share)
            .map(|i| send_message(peer.clone(), format!("missed {n}/{i}"), rand::random()))
            .collect();
        sender.call_pipelined(bodies, window, &mut done).await?;
    }
    let produce_took = produce.elapsed();
    let sent_ok = done
        .iter()
        .filter(|(_, a)| matches!(a, RpcAnswer::Ok(_)))
        .count();
    let mut send_errors: Vec<String> = done
        .iter()
        .filter_map(|(_, a)| match a {
            RpcAnswer::Error { code, message } => Some(format!("{code} {message}")),
            RpcAnswer::Ok(_) => None,
        })
        .collect();
    let send_error_count = send_errors.len();
    send_errors.dedup();
    send_errors.truncate(3);
    let mut back = Client::resume(echod.addr, offline_session).await?;
    // A new connection: initConnection first (a cheap call), outside the timing.
    back.call_init(&functions::help::GetNearestDc {}).await?;
    let started = Instant::now();
    let (mut pts, mut date, mut qts) = (state.pts, state.date, state.qts);
    let mut received = 0usize;
    let mut calls = 0usize;
    let mut answers: Vec<&'static str> = Vec::new();
    let mut too_long = false;
    while calls < MAX_CALLS {
        calls += 1;
        let diff = back
            .call(&functions::updates::GetDifference {
                pts,
                pts_limit: None,
                pts_total_limit: None,
                date,
                qts,
                qts_limit: None,
            })
            .await?;
        match diff {
            enums::updates::Difference::Empty(_) => {
                answers.push("differenceEmpty");
                break;
            }
            enums::updates::Difference::Difference(d) => {
                answers.push("difference");
                received += d.new_messages.len();
                break;
            }
            enums::updates::Difference::Slice(d) => {
                answers.push("differenceSlice");
                received += d.new_messages.len();
                let enums::updates::State::State(s) = d.intermediate_state;
                (pts, date, qts) = (s.pts, s.date, s.qts);
            }
            enums::updates::Difference::TooLong(_) => {
                answers.push("differenceTooLong");
                too_long = true;
                break;
            }
        }
    }
    let diff_took = started.elapsed();
    let mut refetched = 0usize;
    // Refetching is measured for Saved Messages only (private chats would need every dialog).
    if too_long && via.starts_with("saved") {
        // What a client does next: the history, newest first, page by page.
        let mut offset_id = 0;
        while calls < MAX_CALLS && refetched < missed {
            calls += 1;
            let page = back
                .call(&functions::messages::GetHistory {
                    peer: enums::InputPeer::PeerSelf,
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
            let Some((last_id, _)) = texts.last() else {
                break;
            };
            offset_id = *last_id;
            refetched += texts.len();
        }
    }
    let took = started.elapsed();
    if sent_ok == 0 {
        bail!("no message was sent");
    }
    answers.dedup();
    Ok(ok_line(
        "catchup",
        json!({
            "missed_updates": sent_ok,
            "produced_via": via,
            "send_errors": send_error_count,
            "send_errors_sample": send_errors,
            "produce_ms": round(produce_took.as_secs_f64() * 1e3, 1),
            "answers": answers,
            "calls": calls,
            "messages_from_difference": received,
            "messages_refetched_with_history": refetched,
            "get_difference_ms": round(diff_took.as_secs_f64() * 1e3, 2),
            "total_catch_up_ms": round(took.as_secs_f64() * 1e3, 2),
        }),
    ))
}
