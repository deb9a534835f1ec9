//! Basic group membership (crate::chats).

use anyhow::Result;

use crate::harness::Ctx;

const ALICE: i64 = 1_000_000;
const BOB: i64 = 1_000_001;
const CAROL: i64 = 1_000_002;

pub async fn chats_membership(ctx: Ctx) -> Result<()> {
    let chats = &ctx.storage.chats;
    let chat = chats.create(ALICE, "Trio", &[BOB, ALICE, BOB], 100).await?;
    assert_eq!(chat.title, "Trio");
    assert_eq!(chat.creator_id, ALICE);
    assert_eq!(chat.participants_count, 2);
    assert_eq!(chat.version, 1);
    let other = chats.create(BOB, "Other", &[], 101).await?;
    assert_ne!(other.id, chat.id);

    let members = chats.members(chat.id).await?;
    assert_eq!(members.len(), 2);
    assert_eq!(members[0].user_id, ALICE);
    assert!(members[0].is_admin);
    assert!(!members[1].is_admin);
    assert_eq!(members[1].inviter_id, ALICE);

    assert!(chats.add_member(chat.id, CAROL, BOB, 102).await?);
    assert!(!chats.add_member(chat.id, CAROL, BOB, 103).await?, "once");
    assert!(chats.is_member(chat.id, CAROL).await?);
    assert!(chats.remove_member(chat.id, BOB).await?);
    assert!(!chats.remove_member(chat.id, BOB).await?);
    assert!(!chats.is_member(chat.id, BOB).await?);

    let renamed = chats.set_title(chat.id, "Duo").await?.expect("exists");
    assert_eq!(renamed.title, "Duo");
    assert_eq!(renamed.participants_count, 2);
    assert_eq!(renamed.version, 4);
    assert!(chats.set_title(999_999, "x").await?.is_none());

    assert!(chats.set_about(chat.id, "about us").await?);
    assert!(
        chats.set_about(chat.id, "about us").await?,
        "unchanged text"
    );
    assert!(!chats.set_about(999_999, "x").await?);
    assert_eq!(chats.get(chat.id).await?.expect("exists").about, "about us");
    assert!(chats.set_admin(chat.id, CAROL, true).await?);
    assert!(!chats.set_admin(chat.id, BOB, true).await?, "not a member");
    let carol = chats.members(chat.id).await?;
    assert!(carol.iter().any(|m| m.user_id == CAROL && m.is_admin));
    assert_eq!(chats.get(chat.id).await?.expect("exists").version, 5);

    let invite = |hash: &str| echo_storage::ChatInviteRecord {
        hash: hash.into(),
        chat_id: chat.id,
        admin_id: ALICE,
        date: 110,
        revoked: false,
    };
    chats.create_invite(invite("aaaa"), false).await?;
    assert_eq!(chats.invite("aaaa").await?, Some(invite("aaaa")));
    assert!(
        chats.invite("AAAA").await?.is_none(),
        "hashes are case-sensitive"
    );
    chats.create_invite(invite("bbbb"), true).await?;
    assert!(chats.invite("aaaa").await?.expect("kept").revoked);
    assert!(!chats.invite("bbbb").await?.expect("new").revoked);

    let banned = chats
        .set_default_banned_rights(chat.id, &[1, 2, 3])
        .await?
        .expect("exists");
    assert_eq!(banned.default_banned_rights, vec![1, 2, 3]);
    assert!(chats
        .get(other.id)
        .await?
        .expect("exists")
        .default_banned_rights
        .is_empty());

    let gone = chats.deactivate(other.id).await?.expect("exists");
    assert_eq!(gone, vec![BOB]);
    let other_now = chats.get(other.id).await?.expect("kept");
    assert!(other_now.deactivated && other_now.participants_count == 0);
    assert!(chats.deactivate(999_999).await?.is_none());

    let many = chats
        .get_many(&[other.id, chat.id, 999_999, chat.id])
        .await?;
    assert_eq!(many.len(), 2);
    assert!(chats.get(999_999).await?.is_none());
    Ok(())
}
