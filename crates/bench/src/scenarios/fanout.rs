//! Fan-out: one post in a group or channel with M members online, time to the last delivery.
//! Needs basic groups (messages.createChat) or channels (channels.createChannel); until the
//! server has them this probes messages.createChat and reports "unsupported" with the reason.

use std::sync::Arc;

use echo_tl::{enums, functions, Serializable};

use super::{sign_up_many, PhoneSource, Target};
use crate::client::RpcAnswer;
use crate::stats::unsupported_line;

pub async fn run(target: &Target, members: usize) -> anyhow::Result<serde_json::Value> {
    let echod = target.start("fanout").await?;
    let phones = Arc::new(PhoneSource::new());
    let mut users = sign_up_many(&echod, &phones, 2, 2).await?;
    let Some(other) = users.get(1).map(|(_, user, _)| *user) else {
        anyhow::bail!("sign-up failed")
    };
    let Some((owner, _, _)) = users.first_mut() else {
        anyhow::bail!("sign-up failed")
    };
    let create = functions::messages::CreateChat {
        users: vec![enums::InputUser::User(echo_tl::types::InputUser {
            user_id: other.id,
            access_hash: other.access_hash,
        })],
        title: "fan-out".into(),
        ttl_period: None,
    };
    let reason = match owner.invoke_raw(&create.to_bytes()).await? {
        RpcAnswer::Error { code, message } => {
            format!("messages.createChat: rpc_error {code} {message}; groups/channels are not implemented yet")
        }
        RpcAnswer::Ok(_) => format!(
            "messages.createChat works, but the fan-out run ({members} members) is not written yet"
        ),
    };
    Ok(unsupported_line("fanout", &reason))
}
