//! Helpers shared by the contacts test files (tests/contacts.rs, tests/contacts_live.rs).
#![allow(dead_code)]

use crate::common::Harness;
use echo_tl::{enums, functions, types};

/// Permanent keys of the three test accounts.
pub const A: i64 = 0xA1;
pub const B: i64 = 0xB1;
pub const C: i64 = 0xC1;

pub fn user(u: &enums::User) -> &types::User {
    match u {
        enums::User::User(u) => u,
        other => panic!("user expected, got {other:?}"),
    }
}

pub fn input_user(u: &types::User) -> enums::InputUser {
    enums::InputUser::User(types::InputUser {
        user_id: u.id,
        access_hash: u.access_hash.unwrap(),
    })
}

pub fn input_peer(u: &types::User) -> enums::InputPeer {
    enums::InputPeer::User(types::InputPeerUser {
        user_id: u.id,
        access_hash: u.access_hash.unwrap(),
    })
}

pub async fn get_users(h: &Harness, key: i64, id: Vec<enums::InputUser>) -> Vec<enums::User> {
    h.call(key, &functions::users::GetUsers { id })
        .await
        .unwrap()
}
