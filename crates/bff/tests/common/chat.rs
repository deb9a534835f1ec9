//! Helpers for tests of private chats: two signed-up users, a recorder of the pushes the
//! sync hub hands to the session layer, and request builders.

use std::sync::Arc;

use echo_bff::{PushTarget, SessionAddr};
use echo_tl::{enums, functions, types, Deserializable};
use parking_lot::Mutex;

use super::{send_to_self, Harness};

/// Records every push the sync hub hands to the session layer.
type Delivery = (i64, Option<SessionAddr>, enums::Updates);

#[derive(Default)]
pub struct Pushes {
    pub got: Mutex<Vec<Delivery>>,
}

impl PushTarget for Pushes {
    fn deliver(&self, user_id: i64, except: Option<SessionAddr>, updates: Arc<Vec<u8>>) -> usize {
        let decoded = enums::Updates::from_bytes(&updates).expect("pushed Updates decode");
        self.got.lock().push((user_id, except, decoded));
        1
    }
}

impl Pushes {
    pub fn take_for(&self, user_id: i64) -> Vec<enums::Updates> {
        let mut got = self.got.lock();
        let (mine, rest): (Vec<_>, Vec<_>) = got.drain(..).partition(|(u, _, _)| *u == user_id);
        *got = rest;
        mine.into_iter().map(|(_, _, u)| u).collect()
    }
}

pub const ALICE_KEY: i64 = 101;
pub const BOB_KEY: i64 = 202;

pub async fn two_users() -> (Harness, Arc<Pushes>, types::User, types::User) {
    two_users_with(300).await
}

pub async fn two_users_with(per_minute: u32) -> (Harness, Arc<Pushes>, types::User, types::User) {
    let h = Harness::with_config(echo_bff::ServerConfig {
        dev_codes: true,
        send_message_per_minute: per_minute,
        ..echo_bff::ServerConfig::default()
    })
    .await;
    let pushes = Arc::new(Pushes::default());
    h.sync_hub.attach(pushes.clone());
    let alice = h.register(ALICE_KEY, "15550101", "Alice").await;
    let bob = h.register(BOB_KEY, "15550202", "Bob").await;
    (h, pushes, alice, bob)
}

pub fn to_user(user: &types::User, text: &str, random_id: i64) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        peer: enums::InputPeer::User(types::InputPeerUser {
            user_id: user.id,
            access_hash: user.access_hash.unwrap_or(0),
        }),
        ..send_to_self(text, random_id)
    }
}

pub fn input(user: &types::User) -> enums::InputPeer {
    enums::InputPeer::User(types::InputPeerUser {
        user_id: user.id,
        access_hash: user.access_hash.unwrap_or(0),
    })
}

pub fn difference(pts: i32) -> functions::updates::GetDifference {
    functions::updates::GetDifference {
        pts,
        pts_limit: None,
        pts_total_limit: None,
        date: 0,
        qts: 0,
        qts_limit: None,
    }
}
