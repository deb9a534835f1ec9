//! Fan-out (core.telegram.org/api/updates, /method/messages.createChat,
//! /method/messages.addChatUser, /constructor/updateShortChatMessage): one post in a group
//! with M members online, timed from the send to the push read by the LAST member (and the
//! median member), with the server's CPU time for the post.
//!
//! `--kind chat` uses a basic group: createChat with as many invitees as the server's
//! createChat takes (Telegram's basic-group limit, 200), the rest added one by one with
//! addChatUser. `--kind channel` uses a broadcast channel (channels.createChannel, members
//! added with channels.inviteToChannel in pages of 200): one stored post, pushes to the
//! members online (core.telegram.org/api/channel).

use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail, Context};
use echo_tl::{enums, functions, types, Deserializable, Serializable};
use serde_json::json;
use tokio::sync::mpsc;
use tokio::task::JoinSet;

use super::{sign_up_many, PhoneSource, Target};
use crate::auth::BenchUser;
use crate::client::{Client, RpcAnswer};
use crate::stats::{ok_line, percentiles, round, unsupported_line};
use crate::tl_util::{messages_in_updates, send_message};

/// Most invitees one messages.createChat takes (the server's CHAT_MEMBERS_MAX).
pub const CREATE_CHAT_MAX: usize = 200;

/// How long a member waits for a post before it gives up.
const PUSH_WAIT: Duration = Duration::from_secs(30);

/// What the post goes to.
#[derive(Clone, Copy, Debug, PartialEq, Eq, clap::ValueEnum)]
pub enum GroupKind {
    /// A basic group (messages.createChat).
    Chat,
    /// A channel (channels.createChannel).
    Channel,
}

/// The text of post number `n`; members recognise the posts by it.
fn post_text(n: usize) -> String {
    format!("fanout:{n}")
}

fn post_number(text: &str) -> Option<usize> {
    text.strip_prefix("fanout:")?.parse().ok()
}

fn input_user(u: &BenchUser) -> enums::InputUser {
    enums::InputUser::User(types::InputUser {
        user_id: u.id,
        access_hash: u.access_hash,
    })
}

/// The group's id in createChat's answer (the `chat` in its updates).
fn created_chat_id(answer: &[u8]) -> anyhow::Result<i64> {
    let enums::messages::InvitedUsers::Users(invited) =
        enums::messages::InvitedUsers::from_bytes(answer).context("messages.invitedUsers")?;
    let chats = match invited.updates {
        enums::Updates::Updates(u) => u.chats,
        enums::Updates::Combined(u) => u.chats,
        _ => Vec::new(),
    };
    chats
        .iter()
        .find_map(|c| match c {
            enums::Chat::Chat(c) => Some(c.id),
            _ => None,
        })
        .ok_or_else(|| anyhow!("createChat answered without the chat"))
}

/// Creates the basic group of `owner` with every member; `Err(reason)` when the server
/// refuses.
async fn create_group(
    owner: &mut Client,
    members: &[BenchUser],
) -> anyhow::Result<Result<i64, String>> {
    let (first, rest) = members.split_at(members.len().min(CREATE_CHAT_MAX));
    let create = functions::messages::CreateChat {
        users: first.iter().map(input_user).collect(),
        title: "fan-out".into(),
        ttl_period: None,
    };
    let chat_id = match owner.invoke_raw(&create.to_bytes()).await? {
        RpcAnswer::Ok(answer) => created_chat_id(&answer)?,
        RpcAnswer::Error { code, message } => {
            return Ok(Err(format!(
                "messages.createChat with {} users: rpc_error {code} {message}",
                first.len()
            )))
        }
    };
    for user in rest {
        let add = functions::messages::AddChatUser {
            chat_id,
            user_id: input_user(user),
            fwd_limit: 0,
        };
        if let RpcAnswer::Error { code, message } = owner.invoke_raw(&add.to_bytes()).await? {
            return Ok(Err(format!(
                "messages.addChatUser past {CREATE_CHAT_MAX} members: rpc_error {code} {message}"
            )));
        }
    }
    Ok(Ok(chat_id))
}

/// Most users one channels.inviteToChannel takes.
const INVITE_PAGE: usize = 200;

/// The channel created by `owner` with every member in it; `Err(reason)` when the server
/// refuses.
async fn create_channel(
    owner: &mut Client,
    members: &[BenchUser],
) -> anyhow::Result<Result<enums::InputChannel, String>> {
    let create = functions::channels::CreateChannel {
        broadcast: true,
        megagroup: false,
        for_import: false,
        forum: false,
        title: "fan-out".into(),
        about: String::new(),
        geo_point: None,
        address: None,
        ttl_period: None,
    };
    let answer = match owner.invoke_raw(&create.to_bytes()).await? {
        RpcAnswer::Ok(answer) => answer,
        RpcAnswer::Error { code, message } => {
            return Ok(Err(format!(
                "channels.createChannel: rpc_error {code} {message}"
            )))
        }
    };
    let chats = match enums::Updates::from_bytes(&answer).context("createChannel updates")? {
        enums::Updates::Updates(u) => u.chats,
        enums::Updates::Combined(u) => u.chats,
        _ => Vec::new(),
    };
    let channel = chats
        .iter()
        .find_map(|c| match c {
            enums::Chat::Channel(c) => Some(enums::InputChannel::Channel(types::InputChannel {
                channel_id: c.id,
                access_hash: c.access_hash.unwrap_or_default(),
            })),
            _ => None,
        })
        .ok_or_else(|| anyhow!("createChannel answered without the channel"))?;
    for page in members.chunks(INVITE_PAGE) {
        let invite = functions::channels::InviteToChannel {
            channel: channel.clone(),
            users: page.iter().map(input_user).collect(),
        };
        if let RpcAnswer::Error { code, message } = owner.invoke_raw(&invite.to_bytes()).await? {
            return Ok(Err(format!(
                "channels.inviteToChannel: rpc_error {code} {message}"
            )));
        }
    }
    Ok(Ok(channel))
}

/// One member: reports when it read each post's push.
async fn member_reader(
    mut client: Client,
    posts: usize,
    seen: mpsc::UnboundedSender<(usize, Instant)>,
) -> anyhow::Result<()> {
    let mut next = 0;
    while next < posts {
        let pushed = tokio::time::timeout(PUSH_WAIT, client.next_pushed())
            .await
            .map_err(|_| anyhow!("no push for post {next} within {PUSH_WAIT:?}"))??;
        for m in messages_in_updates(&pushed.body) {
            if let Some(n) = post_number(&m.text) {
                // A closed channel means the run already gave up on this post.
                let _ = seen.send((n, pushed.at));
                next = next.max(n + 1);
            }
        }
    }
    Ok(())
}

pub async fn run(
    target: &Target,
    kind: GroupKind,
    members: usize,
    posts: usize,
) -> anyhow::Result<serde_json::Value> {
    let members = members.max(1);
    let posts = posts.max(1);
    let echod = target.start("fanout").await?;
    let phones = Arc::new(PhoneSource::new());
    let mut users = sign_up_many(&echod, &phones, members + 1, 8).await?;
    if users.len() != members + 1 {
        bail!("signed up {} of {} users", users.len(), members + 1);
    }
    let (mut owner, _, _) = users.remove(0);
    let member_users: Vec<BenchUser> = users.iter().map(|(_, u, _)| *u).collect();
    let created = match kind {
        GroupKind::Channel => create_channel(&mut owner, &member_users)
            .await?
            .map(|channel| match channel {
                enums::InputChannel::Channel(c) => {
                    enums::InputPeer::Channel(types::InputPeerChannel {
                        channel_id: c.channel_id,
                        access_hash: c.access_hash,
                    })
                }
                _ => enums::InputPeer::Empty,
            }),
        GroupKind::Chat => create_group(&mut owner, &member_users)
            .await?
            .map(|chat_id| enums::InputPeer::Chat(types::InputPeerChat { chat_id })),
    };
    let peer = match created {
        Ok(peer) => peer,
        Err(reason) => return Ok(unsupported_line("fanout", &reason)),
    };

    let (seen_tx, mut seen_rx) = mpsc::unbounded_channel();
    let mut readers = JoinSet::new();
    for (client, _, _) in users {
        readers.spawn(member_reader(client, posts, seen_tx.clone()));
    }
    drop(seen_tx);

    let mut last_ms = Vec::with_capacity(posts);
    let mut p50_ms = Vec::with_capacity(posts);
    let mut answer_ms = Vec::with_capacity(posts);
    let mut cpu_ms = Vec::with_capacity(posts);
    let mut early: Vec<(usize, Instant)> = Vec::new();
    for post in 0..posts {
        let cpu_before = echod.cpu_time();
        let sent_at = Instant::now();
        let body = send_message(peer.clone(), post_text(post), rand::random());
        if let RpcAnswer::Error { code, message } = owner.invoke_raw(&body).await? {
            bail!("messages.sendMessage to the group: rpc_error {code} {message}");
        }
        answer_ms.push(ms(sent_at.elapsed()));
        let mut delays: Vec<Duration> = Vec::with_capacity(members);
        early.retain(|(n, at)| {
            if *n == post {
                delays.push(at.saturating_duration_since(sent_at));
            }
            *n > post
        });
        while delays.len() < members {
            let got = tokio::time::timeout(PUSH_WAIT, seen_rx.recv()).await;
            let Ok(Some((n, at))) = got else {
                bail!(
                    "post {post}: {} of {members} members got the push",
                    delays.len()
                );
            };
            match n.cmp(&post) {
                std::cmp::Ordering::Equal => delays.push(at.saturating_duration_since(sent_at)),
                std::cmp::Ordering::Greater => early.push((n, at)),
                std::cmp::Ordering::Less => {}
            }
        }
        let cpu = echod.cpu_time().zip(cpu_before).map(|(a, b)| a - b);
        let p = percentiles(&mut delays);
        last_ms.push(p.max_ms);
        p50_ms.push(p.p50_ms);
        if let Some(cpu) = cpu {
            cpu_ms.push(cpu.as_secs_f64() * 1e3);
        }
    }
    while let Some(done) = readers.join_next().await {
        done.map_err(|e| anyhow!("member task: {e}"))??;
    }
    Ok(ok_line(
        "fanout",
        json!({
            "kind": match kind {
                GroupKind::Chat => "chat",
                GroupKind::Channel => "channel",
            },
            "members_online": members,
            "group_size": members + 1,
            "posts": posts,
            "last_delivery_ms": median(&mut last_ms.clone()),
            "p50_delivery_ms": median(&mut p50_ms),
            "sender_answer_ms": median(&mut answer_ms),
            "last_delivery_ms_each": last_ms,
            "server_cpu_ms_per_post": (!cpu_ms.is_empty()).then(|| round(median(&mut cpu_ms), 1)),
            "server_cpu_us_per_delivery": (!cpu_ms.is_empty())
                .then(|| round(median(&mut cpu_ms) * 1e3 / members as f64, 1)),
        }),
    ))
}

fn ms(d: Duration) -> f64 {
    round(d.as_secs_f64() * 1e3, 3)
}

/// The median of a few figures (the lower middle one for an even count); 0 for none.
fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values
        .get(values.len().saturating_sub(1) / 2)
        .copied()
        .unwrap_or(0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn post_numbers_round_trip_through_the_text() {
        assert_eq!(post_number(&post_text(7)), Some(7));
        assert_eq!(post_number("fanout:x"), None);
        assert_eq!(post_number("hello"), None);
    }

    #[test]
    fn median_takes_the_lower_middle() {
        assert_eq!(median(&mut [3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&mut [4.0, 1.0, 3.0, 2.0]), 2.0);
        assert_eq!(median(&mut []), 0.0);
    }
}
