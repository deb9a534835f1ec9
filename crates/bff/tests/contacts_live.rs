//! Live side of contacts: status pushes to contacts per privacy, updateUserName to the
//! user's other sessions, and the service user 777000 delivering login codes
//! (core.telegram.org/constructor/updateUserStatus, /api/auth).

mod common;
mod contacts_support;

use common::Harness;
use echo_tl::{enums, functions, types};

use contacts_support::{get_users, input_user, user, A, B, C};

#[tokio::test]
async fn service_user_is_verified_support() {
    let h = Harness::new().await;
    let _a = h.register(A, "15550000001", "Ann").await;
    let service = echo_bff::contacts::ensure_service_user(&h.storage)
        .await
        .unwrap();
    let users = get_users(
        &h,
        A,
        vec![enums::InputUser::User(types::InputUser {
            user_id: 777_000,
            access_hash: service.access_hash,
        })],
    )
    .await;
    let u = user(&users[0]);
    assert!(u.verified && u.support);
    assert_eq!(u.first_name.as_deref(), Some("Telegram"));

    // A second device asks for a code: the logged-in device gets it from 777000.
    let a = h
        .storage
        .users
        .get_by_phone("15550000001")
        .await
        .unwrap()
        .unwrap();
    h.send_code(0xA2, "15550000001").await.unwrap();
    let got = h
        .storage
        .messages
        .history(
            a.id,
            echo_storage::Peer::User(777_000),
            echo_storage::HistoryQuery::default(),
        )
        .await
        .unwrap();
    assert_eq!(got.len(), 1);
    assert!(got[0].message.starts_with("Login code: 12345."));
    assert!(!got[0].out);
    assert_eq!(got[0].from_id, 777_000);
    // Nobody logged in on an unregistered phone: nothing is sent anywhere.
    h.send_code(0xA3, "15550000009").await.unwrap();
}

/// Records every push per user.
#[derive(Default)]
struct Recorder {
    pushed: parking_lot::Mutex<Vec<(i64, Vec<u8>)>>,
}

impl echo_bff::PushTarget for Recorder {
    fn deliver(
        &self,
        user_id: i64,
        _except: Option<echo_bff::SessionAddr>,
        updates: std::sync::Arc<Vec<u8>>,
    ) -> usize {
        self.pushed.lock().push((user_id, updates.to_vec()));
        1
    }
}

impl Recorder {
    /// The statuses pushed to `user_id` about `about`, oldest first.
    fn statuses(&self, user_id: i64, about: i64) -> Vec<enums::UserStatus> {
        use echo_tl::Deserializable;
        self.pushed
            .lock()
            .iter()
            .filter(|(to, _)| *to == user_id)
            .filter_map(|(_, bytes)| match enums::Updates::from_bytes(bytes).ok()? {
                enums::Updates::UpdateShort(types::UpdateShort {
                    update: enums::Update::UserStatus(s),
                    ..
                }) if s.user_id == about => Some(s.status),
                _ => None,
            })
            .collect()
    }
}

#[tokio::test]
async fn status_changes_reach_contacts_per_privacy() {
    let h = Harness::new().await;
    let a = h.register(A, "15550000001", "Ann").await;
    let b = h.register(B, "15550000002", "Bob").await;
    let _c = h.register(C, "15550000003", "Cid").await;
    let recorder = std::sync::Arc::new(Recorder::default());
    h.sync_hub.attach(recorder.clone());
    // Ann has Bob in her contacts; Cid has nobody.
    h.call(
        A,
        &functions::contacts::AddContact {
            add_phone_privacy_exception: false,
            id: input_user(&b),
            first_name: "Bob".into(),
            last_name: String::new(),
            phone: String::new(),
            note: None,
        },
    )
    .await
    .unwrap();
    h.call(B, &functions::account::UpdateStatus { offline: false })
        .await
        .unwrap();
    assert!(matches!(
        recorder.statuses(a.id, b.id).as_slice(),
        [enums::UserStatus::Online(_)]
    ));
    h.call(
        B,
        &functions::account::SetPrivacy {
            key: enums::InputPrivacyKey::StatusTimestamp,
            rules: vec![enums::InputPrivacyRule::InputPrivacyValueDisallowAll],
        },
    )
    .await
    .unwrap();
    h.call(B, &functions::account::UpdateStatus { offline: true })
        .await
        .unwrap();
    let seen = recorder.statuses(a.id, b.id);
    assert!(matches!(seen.last(), Some(enums::UserStatus::Recently(_))));
    // Nobody else heard about Bob's status (Bob's own sessions got updatePrivacy only).
    let c = h
        .storage
        .users
        .get_by_phone("15550000003")
        .await
        .unwrap()
        .unwrap();
    assert!(recorder.statuses(c.id, b.id).is_empty());
    assert!(recorder.statuses(b.id, b.id).is_empty());
    let privacy_pushes = recorder
        .pushed
        .lock()
        .iter()
        .filter(|(to, _)| *to == b.id)
        .count();
    assert_eq!(privacy_pushes, 1);

    // A username change reaches Bob's other sessions as updateUserName.
    h.call(
        B,
        &functions::account::UpdateUsername {
            username: "bob_the_builder".into(),
        },
    )
    .await
    .unwrap();
    let names: Vec<types::UpdateUserName> = recorder
        .pushed
        .lock()
        .iter()
        .filter(|(to, _)| *to == b.id)
        .filter_map(|(_, bytes)| {
            use echo_tl::Deserializable;
            match enums::Updates::from_bytes(bytes).ok()? {
                enums::Updates::UpdateShort(types::UpdateShort {
                    update: enums::Update::UserName(n),
                    ..
                }) => Some(n),
                _ => None,
            }
        })
        .collect();
    assert_eq!(names.len(), 1);
    assert_eq!(names[0].first_name, "Bob");
    assert!(matches!(
        names[0].usernames.as_slice(),
        [enums::Username::Username(u)] if u.username == "bob_the_builder" && u.active
    ));
}
