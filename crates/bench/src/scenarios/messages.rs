//! Private-message throughput and latency (core.telegram.org/method/messages.sendMessage,
//! /api/updates): N pairs of users; each sender adds its peer with contacts.importContacts and
//! sends to inputPeerUser, `window` calls in flight; each receiver reads the pushed
//! updateShortMessage (or updates/updateNewMessage). Latency is send → push read, both clocks in
//! this process (the send time travels in the message text). A server that cannot do private
//! chats yet gets an honest "unsupported" line.

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use echo_tl::{enums, functions, types};
use serde_json::json;
use tokio::task::JoinSet;

use super::{sign_up_many, PhoneSource, Target};
use crate::auth::BenchUser;
use crate::client::{Client, RpcAnswer};
use crate::stats::{ok_line, percentiles, rate, round, unsupported_line};
use crate::tl_util::{messages_in_updates, send_message};

/// How long a receiver waits for the next push before it gives up on the rest.
const PUSH_WAIT: Duration = Duration::from_secs(10);

/// The peer as the sender sees it after contacts.importContacts (its access_hash for the
/// sender); an `Err` with the reason when the server cannot do it.
pub async fn import_peer(
    client: &mut Client,
    phone: &str,
    expect: BenchUser,
) -> anyhow::Result<Result<BenchUser, String>> {
    let request = functions::contacts::ImportContacts {
        contacts: vec![enums::InputContact::InputPhoneContact(
            types::InputPhoneContact {
                client_id: 1,
                phone: phone.into(),
                first_name: "Peer".into(),
                last_name: String::new(),
                note: None,
            },
        )],
    };
    let answer = client
        .invoke_raw(&echo_tl::Serializable::to_bytes(&request))
        .await?;
    let bytes = match answer {
        RpcAnswer::Ok(bytes) => bytes,
        RpcAnswer::Error { code, message } => {
            return Ok(Err(format!(
                "contacts.importContacts: rpc_error {code} {message}"
            )))
        }
    };
    let enums::contacts::ImportedContacts::Contacts(imported) =
        <enums::contacts::ImportedContacts as echo_tl::Deserializable>::from_bytes(&bytes)?;
    let found = imported.users.iter().find_map(|u| match u {
        enums::User::User(u) if u.id == expect.id => Some(BenchUser {
            id: u.id,
            access_hash: u.access_hash.unwrap_or(0),
        }),
        _ => None,
    });
    Ok(found.ok_or_else(|| "contacts.importContacts did not return the peer".to_string()))
}

struct Pair {
    sender: Client,
    receiver: Client,
    peer: BenchUser,
}

/// Signs up 2N users and connects them as contacts; `Err(reason)` if the server cannot.
async fn make_pairs(
    target_users: Vec<(Client, BenchUser, String)>,
) -> anyhow::Result<Result<Vec<Pair>, String>> {
    let mut pairs = Vec::new();
    let mut it = target_users.into_iter();
    while let (Some((mut sender, _, _)), Some((receiver, user, phone))) = (it.next(), it.next()) {
        let peer = match import_peer(&mut sender, &phone, user).await? {
            Ok(peer) => peer,
            Err(reason) => return Ok(Err(reason)),
        };
        pairs.push(Pair {
            sender,
            receiver,
            peer,
        });
    }
    Ok(Ok(pairs))
}

/// One message from the first pair, to see that private chats and live pushes work.
async fn probe(pair: &mut Pair) -> anyhow::Result<Result<(), String>> {
    let body = send_message(pair.peer.input_peer(), "probe".into(), rand::random());
    match pair.sender.invoke_raw(&body).await? {
        RpcAnswer::Ok(_) => {}
        RpcAnswer::Error { code, message } => {
            return Ok(Err(format!(
                "messages.sendMessage to inputPeerUser: rpc_error {code} {message}"
            )))
        }
    }
    let deadline = Instant::now() + PUSH_WAIT;
    while Instant::now() < deadline {
        let Ok(pushed) = tokio::time::timeout(PUSH_WAIT, pair.receiver.next_pushed()).await else {
            break;
        };
        if messages_in_updates(&pushed?.body)
            .iter()
            .any(|m| m.text == "probe")
        {
            return Ok(Ok(()));
        }
    }
    Ok(Err(
        "the receiver got no pushed update for the message".into()
    ))
}

pub async fn run(
    target: &Target,
    pairs: usize,
    per_pair: usize,
    window: usize,
) -> anyhow::Result<serde_json::Value> {
    let echod = target.start("messages").await?;
    let phones = Arc::new(PhoneSource::new());
    let users = sign_up_many(&echod, &phones, pairs.max(1) * 2, 8).await?;
    let mut pairs = match make_pairs(users).await? {
        Ok(p) => p,
        Err(reason) => return Ok(unsupported_line("messages", &reason)),
    };
    let Some(first) = pairs.first_mut() else {
        bail!("no pairs")
    };
    if let Err(reason) = probe(first).await? {
        return Ok(unsupported_line("messages", &reason));
    }

    let pair_count = pairs.len();
    let base = Instant::now();
    let cpu_before = echod.cpu_time();
    let mut set = JoinSet::new();
    for (index, pair) in pairs.into_iter().enumerate() {
        let Pair {
            mut sender,
            mut receiver,
            peer,
        } = pair;
        // Receiver: reads pushes until it has every message or the pushes stop.
        set.spawn(async move {
            let mut latencies = Vec::with_capacity(per_pair);
            while latencies.len() < per_pair {
                let Ok(pushed) = tokio::time::timeout(PUSH_WAIT, receiver.next_pushed()).await
                else {
                    break;
                };
                let pushed = pushed?;
                let read_at = pushed.at.duration_since(base);
                for m in messages_in_updates(&pushed.body) {
                    if let Some(sent) = parse_sent_at(&m.text) {
                        latencies.push(read_at.saturating_sub(sent));
                    }
                }
            }
            Ok::<_, anyhow::Error>(Outcome::Received(latencies))
        });
        // Sender: the send time is computed when the body is built, just before it is sent,
        // so bodies are made in batches of `window`.
        set.spawn(async move {
            let mut sent_ok = 0usize;
            let mut errors = 0usize;
            let mut remaining = per_pair;
            while remaining > 0 {
                let batch = remaining.min(window.max(1));
                let bodies: Vec<Vec<u8>> = (0..batch)
                    .map(|_| {
                        let at = base.elapsed().as_nanos();
                        send_message(peer.input_peer(), format!("b{index}:{at}"), rand::random())
                    })
                    .collect();
                let mut done = Vec::with_capacity(batch);
                sender.call_pipelined(bodies, window, &mut done).await?;
                for (_, answer) in done {
                    match answer {
                        RpcAnswer::Ok(_) => sent_ok += 1,
                        RpcAnswer::Error { .. } => errors += 1,
                    }
                }
                remaining -= batch;
            }
            Ok(Outcome::Sent { sent_ok, errors })
        });
    }
    let mut latencies = Vec::new();
    let (mut sent, mut errors) = (0usize, 0usize);
    let mut failures = Vec::new();
    while let Some(done) = set.join_next().await {
        match done.map_err(|e| anyhow!("task: {e}"))? {
            Ok(Outcome::Received(l)) => latencies.extend(l),
            Ok(Outcome::Sent { sent_ok, errors: e }) => {
                sent += sent_ok;
                errors += e;
            }
            Err(e) => failures.push(format!("{e:#}")),
        }
    }
    let took = base.elapsed();
    let cpu = echod.cpu_time().zip(cpu_before).map(|(a, b)| a - b);
    let delivered = latencies.len();
    let p = percentiles(&mut latencies);
    failures.truncate(3);
    Ok(ok_line(
        "messages",
        json!({
            "pairs": pair_count,
            "per_pair": per_pair,
            "window": window,
            "sent_ok": sent,
            "send_errors": errors,
            "delivered": delivered,
            "failures_sample": failures,
            "seconds": round(took.as_secs_f64(), 2),
            "delivered_per_s": rate(delivered, took),
            "latency_p50_ms": p.p50_ms,
            "latency_p99_ms": p.p99_ms,
            "latency_max_ms": p.max_ms,
            "server_cpu_us_per_message": cpu.filter(|_| delivered > 0)
                .map(|c| round(c.as_secs_f64() * 1e6 / delivered as f64, 1)),
        }),
    ))
}

enum Outcome {
    Received(Vec<Duration>),
    Sent { sent_ok: usize, errors: usize },
}

/// The send time a message text carries: "b<pair>:<nanos since the run's base>".
fn parse_sent_at(text: &str) -> Option<Duration> {
    let nanos: u64 = text.strip_prefix('b')?.split_once(':')?.1.parse().ok()?;
    Some(Duration::from_nanos(nanos))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn send_time_round_trips_through_the_text() {
        assert_eq!(parse_sent_at("b3:1500"), Some(Duration::from_nanos(1500)));
        assert_eq!(parse_sent_at("probe"), None);
        assert_eq!(parse_sent_at("b3:x"), None);
    }
}
