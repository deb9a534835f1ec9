//! Contacts, lookups, blocking, privacy and per-viewer user objects
//! (core.telegram.org/api/contacts, /api/privacy, /api/peers#access-hash).

mod common;
mod contacts_support;

use common::{err, Harness};
use echo_tl::{enums, functions, types};

use contacts_support::{get_users, input_peer, input_user, user, A, B, C};

fn phone_contact(client_id: i64, phone: &str, first: &str) -> enums::InputContact {
    enums::InputContact::InputPhoneContact(types::InputPhoneContact {
        client_id,
        phone: phone.into(),
        first_name: first.into(),
        last_name: String::new(),
        note: None,
    })
}

async fn import(
    h: &Harness,
    key: i64,
    contacts: Vec<enums::InputContact>,
) -> types::contacts::ImportedContacts {
    let enums::contacts::ImportedContacts::Contacts(r) = h
        .call(key, &functions::contacts::ImportContacts { contacts })
        .await
        .unwrap();
    r
}

async fn contacts(h: &Harness, key: i64, hash: i64) -> enums::contacts::Contacts {
    h.call(key, &functions::contacts::GetContacts { hash })
        .await
        .unwrap()
}

#[tokio::test]
async fn import_registered_and_later_sign_up() {
    let h = Harness::new().await;
    let a = h.register(A, "+1 555 000 0001", "Ann").await;
    let b = h.register(B, "+1 555 000 0002", "Bob").await;

    let r = import(
        &h,
        A,
        vec![
            phone_contact(11, "+1 (555) 000-0002", "Bobby"),
            phone_contact(12, "15550000003", "Cid"),
            phone_contact(13, "not a phone", "X"),
            phone_contact(14, "+1 555 000 0001", "Me"),
        ],
    )
    .await;
    assert_eq!(r.imported.len(), 1);
    let enums::ImportedContact::Contact(imp) = &r.imported[0];
    assert_eq!((imp.user_id, imp.client_id), (b.id, 11));
    assert_eq!(r.users.len(), 1);
    let seen = user(&r.users[0]);
    assert!(seen.contact && !seen.mutual_contact);
    assert_eq!(seen.first_name.as_deref(), Some("Bobby"));
    // Added by phone: the importer sees the number whatever the privacy says.
    assert_eq!(seen.phone.as_deref(), Some("15550000002"));
    assert_eq!(r.popular_invites.len(), 1);
    let enums::PopularContact::Contact(p) = &r.popular_invites[0];
    assert_eq!((p.client_id, p.importers), (12, 1));
    assert!(r.retry_contacts.is_empty());

    // The unregistered phone signs up: Ann's contacts show Cid now.
    let c = h.register(C, "+1 555 000 0003", "Cid").await;
    let enums::contacts::Contacts::Contacts(list) = contacts(&h, A, 0).await else {
        panic!("contacts expected")
    };
    let ids: Vec<i64> = list
        .contacts
        .iter()
        .map(|enums::Contact::Contact(c)| c.user_id)
        .collect();
    assert_eq!(ids, vec![b.id, c.id]);
    assert_eq!(list.users.len(), 2);
    assert!(list.users.iter().all(|u| user(u).contact));

    // Same hash: not modified. A change: a new list.
    let hash = echo_bff::contacts::telegram_hash([0, b.id, c.id]);
    assert!(matches!(
        contacts(&h, A, hash).await,
        enums::contacts::Contacts::NotModified
    ));

    // Mutual once Bob adds Ann.
    h.call(
        B,
        &functions::contacts::AddContact {
            add_phone_privacy_exception: false,
            id: input_user(&a),
            first_name: "Annie".into(),
            last_name: String::new(),
            phone: String::new(),
            note: None,
        },
    )
    .await
    .unwrap();
    let enums::contacts::Contacts::Contacts(list) = contacts(&h, A, 0).await else {
        panic!("contacts expected")
    };
    assert!(
        matches!(&list.contacts[0], enums::Contact::Contact(c) if c.user_id == b.id && c.mutual)
    );

    // Delete: gone from the list, the returned user is no longer a contact.
    let enums::Updates::Updates(u) = h
        .call(
            A,
            &functions::contacts::DeleteContacts {
                id: vec![input_user(&b)],
            },
        )
        .await
        .unwrap()
    else {
        panic!("updates expected")
    };
    assert!(!user(&u.users[0]).contact);
    let enums::contacts::Contacts::Contacts(list) = contacts(&h, A, 0).await else {
        panic!("contacts expected")
    };
    assert_eq!(list.contacts.len(), 1);
    let statuses = h
        .call(A, &functions::contacts::GetStatuses {})
        .await
        .unwrap();
    assert_eq!(statuses.len(), 1);
}

#[tokio::test]
async fn wrong_access_hash_is_never_revealed() {
    let h = Harness::new().await;
    let _a = h.register(A, "15550000001", "Ann").await;
    let b = h.register(B, "15550000002", "Bob").await;
    let mut forged = b.clone();
    forged.access_hash = Some(b.access_hash.unwrap() ^ 1);
    assert!(get_users(&h, A, vec![input_user(&forged)]).await.is_empty());
    assert_eq!(get_users(&h, A, vec![input_user(&b)]).await.len(), 1);
    let full = h
        .call(
            A,
            &functions::users::GetFullUser {
                id: input_user(&forged),
            },
        )
        .await;
    assert_eq!(full.unwrap_err(), err(400, "USER_ID_INVALID"));
    let blocked = h
        .call(
            A,
            &functions::contacts::Block {
                my_stories_from: false,
                id: input_peer(&forged),
            },
        )
        .await;
    assert_eq!(blocked.unwrap_err(), err(400, "PEER_ID_INVALID"));
    let added = h
        .call(
            A,
            &functions::contacts::AddContact {
                add_phone_privacy_exception: false,
                id: input_user(&forged),
                first_name: "B".into(),
                last_name: String::new(),
                phone: String::new(),
                note: None,
            },
        )
        .await;
    assert_eq!(added.unwrap_err(), err(400, "USER_ID_INVALID"));
}

#[tokio::test]
async fn usernames_resolve_and_search() {
    let h = Harness::new().await;
    let a = h.register(A, "15550000001", "Ann").await;
    let _b = h.register(B, "15550000002", "Bob").await;
    let unknown = h
        .call(
            B,
            &functions::contacts::ResolveUsername {
                username: "ann_lee".into(),
                referer: None,
            },
        )
        .await;
    assert_eq!(unknown.unwrap_err(), err(400, "USERNAME_NOT_OCCUPIED"));
    h.call(
        A,
        &functions::account::UpdateUsername {
            username: "Ann_Lee".into(),
        },
    )
    .await
    .unwrap();
    let again = h
        .call(
            A,
            &functions::account::UpdateUsername {
                username: "Ann_Lee".into(),
            },
        )
        .await;
    assert_eq!(again.unwrap_err(), err(400, "USERNAME_NOT_MODIFIED"));
    let taken = h
        .call(
            B,
            &functions::account::CheckUsername {
                username: "ann_lee".into(),
            },
        )
        .await;
    assert_eq!(taken.unwrap_err(), err(400, "USERNAME_OCCUPIED"));
    let enums::contacts::ResolvedPeer::Peer(r) = h
        .call(
            B,
            &functions::contacts::ResolveUsername {
                username: "@ANN_LEE".into(),
                referer: None,
            },
        )
        .await
        .unwrap();
    assert_eq!(r.peer, enums::Peer::User(types::PeerUser { user_id: a.id }));
    let seen = user(&r.users[0]);
    assert_eq!(seen.access_hash, a.access_hash);
    assert_eq!(seen.phone, None);

    let enums::contacts::Found::Found(found) = h
        .call(
            B,
            &functions::contacts::Search {
                broadcasts: false,
                bots: false,
                q: "ann".into(),
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(found.my_results.is_empty());
    assert_eq!(found.results.len(), 1);
    // Names of non-contacts are not searchable: "Bob" finds nobody for Ann.
    let enums::contacts::Found::Found(found) = h
        .call(
            A,
            &functions::contacts::Search {
                broadcasts: false,
                bots: false,
                q: "bob".into(),
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(found.results.is_empty() && found.my_results.is_empty());

    let enums::contacts::ResolvedPeer::Peer(r) = h
        .call(
            B,
            &functions::contacts::ResolvePhone {
                phone: "+15550000001".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(user(&r.users[0]).id, a.id);
    let none = h
        .call(
            B,
            &functions::contacts::ResolvePhone {
                phone: "15559999999".into(),
            },
        )
        .await;
    assert_eq!(none.unwrap_err(), err(400, "PHONE_NOT_OCCUPIED"));
}

#[tokio::test]
async fn block_unblock_and_list() {
    let h = Harness::new().await;
    let a = h.register(A, "15550000001", "Ann").await;
    let b = h.register(B, "15550000002", "Bob").await;
    let c = h.register(C, "15550000003", "Cid").await;
    for target in [&b, &c] {
        let ok = h
            .call(
                A,
                &functions::contacts::Block {
                    my_stories_from: false,
                    id: input_peer(target),
                },
            )
            .await
            .unwrap();
        assert!(ok);
    }
    let me_block = h
        .call(
            A,
            &functions::contacts::Block {
                my_stories_from: false,
                id: enums::InputPeer::PeerSelf,
            },
        )
        .await;
    assert_eq!(me_block.unwrap_err(), err(400, "CONTACT_ID_INVALID"));
    let get = |offset, limit| functions::contacts::GetBlocked {
        my_stories_from: false,
        offset,
        limit,
    };
    let enums::contacts::Blocked::Blocked(all) = h.call(A, &get(0, 10)).await.unwrap() else {
        panic!("whole list expected")
    };
    assert_eq!(all.blocked.len(), 2);
    assert_eq!(all.users.len(), 2);
    // Bob, blocked by Ann, sees no last-seen time for her.
    h.call(A, &functions::account::UpdateStatus { offline: false })
        .await
        .unwrap();
    let seen = get_users(&h, B, vec![input_user(&a)]).await;
    assert_eq!(user(&seen[0]).status, Some(enums::UserStatus::Empty));
    let enums::contacts::Blocked::Slice(slice) = h.call(A, &get(0, 1)).await.unwrap() else {
        panic!("slice expected")
    };
    assert_eq!((slice.count, slice.blocked.len()), (2, 1));
    let enums::users::UserFull::Full(full) = h
        .call(A, &functions::users::GetFullUser { id: input_user(&b) })
        .await
        .unwrap();
    let enums::UserFull::Full(full) = full.full_user;
    assert!(full.blocked);
    h.call(
        A,
        &functions::contacts::Unblock {
            my_stories_from: false,
            id: input_peer(&b),
        },
    )
    .await
    .unwrap();
    let enums::contacts::Blocked::Blocked(all) = h.call(A, &get(0, 10)).await.unwrap() else {
        panic!("whole list expected")
    };
    assert_eq!(all.blocked.len(), 1);
    let seen = get_users(&h, B, vec![input_user(&a)]).await;
    assert!(matches!(
        user(&seen[0]).status,
        Some(enums::UserStatus::Online(_))
    ));
}

#[tokio::test]
async fn privacy_hides_phone_and_status() {
    let h = Harness::new().await;
    let a = h.register(A, "15550000001", "Ann").await;
    let b = h.register(B, "15550000002", "Bob").await;
    let c = h.register(C, "15550000003", "Cid").await;
    // Ann has Bob as a contact (not by phone), nobody else.
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
    let phone_of_ann = |viewer| {
        let h = &h;
        let a = a.clone();
        async move {
            let users = get_users(h, viewer, vec![input_user(&a)]).await;
            user(&users[0]).phone.clone()
        }
    };
    // Default: contacts see the phone.
    assert_eq!(phone_of_ann(B).await.as_deref(), Some("15550000001"));
    assert_eq!(phone_of_ann(C).await, None);

    let set = |key, rules| functions::account::SetPrivacy { key, rules };
    let enums::account::PrivacyRules::Rules(r) = h
        .call(
            A,
            &set(
                enums::InputPrivacyKey::PhoneNumber,
                vec![enums::InputPrivacyRule::InputPrivacyValueDisallowAll],
            ),
        )
        .await
        .unwrap();
    assert_eq!(r.rules, vec![enums::PrivacyRule::PrivacyValueDisallowAll]);
    assert_eq!(phone_of_ann(B).await, None);
    assert_eq!(phone_of_ann(C).await, None);

    // An exception for Cid; wrong access hashes in rules are dropped.
    let mut forged = b.clone();
    forged.access_hash = Some(1);
    let enums::account::PrivacyRules::Rules(r) = h
        .call(
            A,
            &set(
                enums::InputPrivacyKey::PhoneNumber,
                vec![
                    enums::InputPrivacyRule::InputPrivacyValueAllowUsers(
                        types::InputPrivacyValueAllowUsers {
                            users: vec![input_user(&c), input_user(&forged)],
                        },
                    ),
                    enums::InputPrivacyRule::InputPrivacyValueDisallowAll,
                ],
            ),
        )
        .await
        .unwrap();
    assert_eq!(r.users.len(), 1);
    assert_eq!(phone_of_ann(C).await.as_deref(), Some("15550000001"));
    assert_eq!(phone_of_ann(B).await, None);
    let enums::account::PrivacyRules::Rules(got) = h
        .call(
            A,
            &functions::account::GetPrivacy {
                key: enums::InputPrivacyKey::PhoneNumber,
            },
        )
        .await
        .unwrap();
    assert_eq!(got.rules, r.rules);

    // Status: online Ann hides it from everybody; others see "recently".
    h.call(A, &functions::account::UpdateStatus { offline: false })
        .await
        .unwrap();
    let status_of_ann = |viewer| {
        let h = &h;
        let a = a.clone();
        async move {
            let users = get_users(h, viewer, vec![input_user(&a)]).await;
            user(&users[0]).status.clone()
        }
    };
    assert!(matches!(
        status_of_ann(B).await,
        Some(enums::UserStatus::Online(_))
    ));
    h.call(
        A,
        &set(
            enums::InputPrivacyKey::StatusTimestamp,
            vec![enums::InputPrivacyRule::InputPrivacyValueDisallowAll],
        ),
    )
    .await
    .unwrap();
    assert!(matches!(
        status_of_ann(B).await,
        Some(enums::UserStatus::Recently(_))
    ));
    // The user still sees their own.
    assert!(matches!(
        status_of_ann(A).await,
        Some(enums::UserStatus::Online(_))
    ));
    let unsupported = h
        .call(
            A,
            &set(
                enums::InputPrivacyKey::About,
                vec![enums::InputPrivacyRule::InputPrivacyValueDisallowAll],
            ),
        )
        .await;
    assert_eq!(unsupported.unwrap_err(), err(400, "PRIVACY_KEY_INVALID"));
}
