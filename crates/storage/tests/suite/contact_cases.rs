//! Contacts, remembered phone imports, blocked users and privacy rules
//! (core.telegram.org/api/contacts, /api/privacy), and the service user of migration 0003.

use anyhow::Result;
use echo_storage::{ImportedPhone, NewContact, PrivacyKey, PrivacyRule, UserRecord};

use crate::harness::Ctx;
use crate::user_cases::new_user;

fn entry(contact_id: i64, first_name: &str, knows_phone: bool) -> NewContact {
    NewContact {
        contact_id,
        first_name: first_name.to_owned(),
        last_name: String::new(),
        knows_phone,
        share_phone: false,
        now: 1_700_000_100,
    }
}

async fn three_users(ctx: &Ctx) -> Result<(UserRecord, UserRecord, UserRecord)> {
    let users = &ctx.storage.users;
    Ok((
        users.create(new_user("15550001", "Ann")).await?,
        users.create(new_user("15550002", "Bob")).await?,
        users.create(new_user("15550003", "Cid")).await?,
    ))
}

pub async fn contacts_upsert_list_mutual_delete(ctx: Ctx) -> Result<()> {
    let contacts = &ctx.storage.contacts;
    let (a, b, c) = three_users(&ctx).await?;
    let saved = contacts.upsert(a.id, entry(b.id, "Bobby 😀", true)).await?;
    assert_eq!(saved.first_name, "Bobby 😀");
    assert!(saved.knows_phone && !saved.mutual && !saved.share_phone);
    // Renaming keeps knows_phone on; share_phone turns on and stays.
    let mut again = entry(b.id, "Robert", false);
    again.share_phone = true;
    let renamed = contacts.upsert(a.id, again).await?;
    assert_eq!(renamed.first_name, "Robert");
    assert!(renamed.knows_phone && renamed.share_phone);
    contacts.upsert(a.id, entry(c.id, "Cid", false)).await?;
    assert!(contacts
        .upsert(a.id, entry(a.id, "Me", false))
        .await
        .is_err());

    let list = contacts.list(a.id).await?;
    assert_eq!(
        list.iter().map(|e| e.contact_id).collect::<Vec<_>>(),
        vec![b.id, c.id]
    );
    assert!(list.iter().all(|e| !e.mutual));
    contacts.upsert(b.id, entry(a.id, "Ann", false)).await?;
    let list = contacts.list(a.id).await?;
    assert!(list[0].mutual && !list[1].mutual);

    let rel = contacts.relations(b.id, &[a.id, c.id, 42]).await?;
    let with_a = rel.get(&a.id).expect("relation with a");
    assert!(with_a.saved.as_ref().is_some_and(|e| e.mutual));
    assert!(with_a.reverse && with_a.shares_phone);
    assert!(!rel.contains_key(&c.id) && !rel.contains_key(&42));
    let rel = contacts.relations(c.id, &[a.id]).await?;
    let from_a = rel.get(&a.id).expect("a has c");
    assert!(from_a.saved.is_none() && from_a.reverse && !from_a.shares_phone);
    assert_eq!(contacts.owners_of(a.id).await?, vec![b.id]);

    assert_eq!(contacts.delete(a.id, &[b.id, b.id, 42]).await?, vec![b.id]);
    assert!(contacts.delete(a.id, &[]).await?.is_empty());
    assert_eq!(contacts.list(a.id).await?.len(), 1);
    assert!(!contacts.list(b.id).await?[0].mutual);
    Ok(())
}

pub async fn imported_phones_claimed_on_sign_up(ctx: Ctx) -> Result<()> {
    let contacts = &ctx.storage.contacts;
    let (a, b, _) = three_users(&ctx).await?;
    for (owner, name) in [(a.id, "Dee"), (b.id, "Dana")] {
        contacts
            .import_phone(ImportedPhone {
                owner_id: owner,
                phone: "15550009".into(),
                first_name: name.into(),
                last_name: "X".into(),
                client_id: 7,
                created_at: 1_700_000_000,
            })
            .await?;
    }
    // Importing again renames instead of adding a row.
    contacts
        .import_phone(ImportedPhone {
            owner_id: a.id,
            phone: "15550009".into(),
            first_name: "Deedee".into(),
            last_name: String::new(),
            client_id: 8,
            created_at: 1_700_000_001,
        })
        .await?;
    assert_eq!(contacts.phone_importers("15550009").await?, 2);
    let mine = contacts.imported_phones(a.id).await?;
    assert_eq!(mine.len(), 1);
    assert_eq!(
        (mine[0].first_name.as_str(), mine[0].client_id),
        ("Deedee", 8)
    );

    let d = ctx
        .storage
        .users
        .create(new_user("15550009", "Dee"))
        .await?;
    assert_eq!(
        contacts.claim_phone(&d, 1_700_000_200).await?,
        vec![a.id, b.id]
    );
    assert_eq!(contacts.phone_importers("15550009").await?, 0);
    let list = contacts.list(a.id).await?;
    assert_eq!(list.len(), 1);
    assert_eq!(list[0].contact_id, d.id);
    assert_eq!(list[0].first_name, "Deedee");
    assert!(list[0].knows_phone);
    // Claiming twice finds nothing more.
    assert!(contacts.claim_phone(&d, 1_700_000_300).await?.is_empty());

    contacts
        .import_phone(ImportedPhone {
            owner_id: a.id,
            phone: "15550077".into(),
            first_name: "Eve".into(),
            last_name: String::new(),
            client_id: 1,
            created_at: 1,
        })
        .await?;
    let gone = contacts
        .delete_imported_phones(a.id, &["15550077".into(), "1".into()])
        .await?;
    assert_eq!(gone, 1);
    assert!(contacts.imported_phones(a.id).await?.is_empty());
    Ok(())
}

pub async fn search_users_by_prefix(ctx: Ctx) -> Result<()> {
    let (a, b, c) = three_users(&ctx).await?;
    let users = &ctx.storage.users;
    users.set_username(b.id, Some("Bob_Smith".into())).await?;
    users.set_username(c.id, Some("ann_like".into())).await?;
    let contacts = &ctx.storage.contacts;
    let ids = |v: Vec<UserRecord>| v.iter().map(|u| u.id).collect::<Vec<_>>();
    assert_eq!(ids(contacts.search_users("bob_", 10).await?), vec![b.id]);
    assert_eq!(
        ids(contacts.search_users("ANN", 10).await?),
        vec![a.id, c.id]
    );
    assert_eq!(ids(contacts.search_users("ann", 1).await?), vec![a.id]);
    // LIKE wildcards in the query are literal.
    assert!(contacts.search_users("%", 10).await?.is_empty());
    assert!(contacts.search_users("b_b", 10).await?.is_empty());
    assert!(contacts.search_users("telegram", 10).await?.is_empty());
    Ok(())
}

pub async fn service_user_is_ensured_once(ctx: Ctx) -> Result<()> {
    let service = UserRecord {
        id: 777_000,
        access_hash: 99,
        phone: "42777".into(),
        first_name: "Telegram".into(),
        last_name: String::new(),
        username: None,
        about: String::new(),
        last_seen_at: 0,
        created_at: 0,
        deleted: false,
    };
    let store = &ctx.storage.service_users;
    assert_eq!(store.ensure_user(service.clone()).await?, service);
    let mut renamed = service.clone();
    renamed.first_name = "Other".into();
    // Already there: kept as it was.
    assert_eq!(store.ensure_user(renamed).await?, service);
    // Allocated ids still start at the first user id.
    let a = ctx
        .storage
        .users
        .create(new_user("15550001", "Ann"))
        .await?;
    assert_eq!(a.id, echo_storage::FIRST_USER_ID);
    let ids: Vec<i64> = ctx
        .storage
        .contacts
        .search_users("telegram", 10)
        .await?
        .iter()
        .map(|u| u.id)
        .collect();
    assert_eq!(ids, vec![777_000]);
    // A phone held by someone else is a conflict, not a second account.
    let mut clash = service.clone();
    clash.id = 777_001;
    clash.phone = "15550001".into();
    assert!(store.ensure_user(clash).await.is_err());
    Ok(())
}

pub async fn blocks_and_privacy(ctx: Ctx) -> Result<()> {
    let (a, b, c) = three_users(&ctx).await?;
    let blocks = &ctx.storage.blocks;
    assert!(blocks.block(a.id, b.id, 100).await?);
    assert!(!blocks.block(a.id, b.id, 101).await?);
    assert!(blocks.block(a.id, c.id, 200).await?);
    assert!(blocks.is_blocked(a.id, b.id).await?);
    assert!(!blocks.is_blocked(b.id, a.id).await?);
    assert_eq!(blocks.blocks_between(a.id, b.id).await?, (true, false));
    assert_eq!(blocks.blocks_between(b.id, a.id).await?, (false, true));
    assert_eq!(blocks.blocks_between(b.id, c.id).await?, (false, false));
    blocks.block(c.id, b.id, 300).await?;
    assert_eq!(blocks.blocks_between(b.id, c.id).await?, (false, true));
    assert_eq!(
        blocks.blocked_by(&[c.id, a.id, b.id, a.id], b.id).await?,
        vec![a.id, c.id]
    );
    assert!(blocks.blocked_by(&[], b.id).await?.is_empty());
    blocks.unblock(c.id, b.id).await?;
    // Answers that a store may cache follow each block and unblock.
    assert_eq!(blocks.blocks_between(c.id, b.id).await?, (false, false));
    let page = blocks.list_blocked(a.id, 0, 10).await?;
    assert_eq!(
        page.iter().map(|r| r.blocked_id).collect::<Vec<_>>(),
        vec![c.id, b.id]
    );
    assert_eq!(page[1].created_at, 100);
    assert_eq!(blocks.list_blocked(a.id, 1, 10).await?.len(), 1);
    assert_eq!(blocks.count_blocked(a.id).await?, 2);
    assert!(blocks.unblock(a.id, b.id).await?);
    assert!(!blocks.unblock(a.id, b.id).await?);
    assert_eq!(blocks.blocks_between(b.id, a.id).await?, (false, false));
    assert_eq!(blocks.count_blocked(a.id).await?, 1);

    let privacy = &ctx.storage.privacy;
    assert_eq!(
        privacy.get_rules(a.id, PrivacyKey::PhoneNumber).await?,
        None
    );
    let rules = vec![
        PrivacyRule::AllowUsers(vec![b.id]),
        PrivacyRule::DisallowAll,
    ];
    privacy
        .set_rules(a.id, PrivacyKey::PhoneNumber, &rules, 5)
        .await?;
    privacy
        .set_rules(b.id, PrivacyKey::PhoneNumber, &[PrivacyRule::AllowAll], 5)
        .await?;
    assert_eq!(
        privacy.get_rules(a.id, PrivacyKey::PhoneNumber).await?,
        Some(rules.clone())
    );
    assert_eq!(
        privacy.get_rules(a.id, PrivacyKey::StatusTimestamp).await?,
        None
    );
    privacy
        .set_rules(
            a.id,
            PrivacyKey::PhoneNumber,
            &[PrivacyRule::AllowContacts],
            6,
        )
        .await?;
    let many = privacy
        .get_rules_many(&[a.id, b.id, c.id], PrivacyKey::PhoneNumber)
        .await?;
    assert_eq!(many.len(), 2);
    assert_eq!(many.get(&a.id), Some(&vec![PrivacyRule::AllowContacts]));
    Ok(())
}
