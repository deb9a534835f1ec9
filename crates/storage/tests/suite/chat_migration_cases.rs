//! A basic group becoming a supergroup (ChannelStore::migrate_chat,
//! core.telegram.org/method/messages.migrateChat).

use anyhow::Result;
use echo_storage::{ChannelPhoto, ChannelRole, ChatMigration, MigratedTo, NewChannelMessage};

use crate::harness::Ctx;

const ALICE: i64 = 2_000_000;
const BOB: i64 = 2_000_001;
const CAROL: i64 = 2_000_002;

fn migration(chat_id: i64, access_hash: i64) -> ChatMigration {
    ChatMigration {
        chat_id,
        access_hash,
        date: 300,
        creator_rights: vec![9, 9],
        admin_rights: vec![7],
        photo: Some(ChannelPhoto {
            photo_id: 77,
            dc_id: 2,
            stripped: vec![1, 2],
        }),
        first_message: NewChannelMessage {
            from_id: ALICE,
            date: 300,
            action: vec![0xAA],
            ..NewChannelMessage::default()
        },
    }
}

pub async fn basic_group_migrates_once(ctx: Ctx) -> Result<()> {
    let chats = &ctx.storage.chats;
    let channels = &ctx.storage.channels;
    let chat = chats.create(ALICE, "Trio", &[BOB, CAROL], 100).await?;
    chats.set_about(chat.id, "old group").await?;
    assert!(chats.set_admin(chat.id, BOB, true).await?);
    assert_eq!(chats.get(chat.id).await?.expect("chat").migrated_to, None);

    let done = channels
        .migrate_chat(migration(chat.id, 0x77))
        .await?
        .expect("migrated");
    let channel = &done.channel;
    assert!(channel.megagroup && !channel.broadcast);
    assert_eq!(channel.title, "Trio");
    assert_eq!(channel.about, "old group");
    assert_eq!(channel.creator_id, ALICE);
    assert_eq!(channel.access_hash, 0x77);
    assert_eq!(channel.participants_count, 3);
    assert_eq!(channel.migrated_from_chat_id, Some(chat.id));
    assert_eq!(channel.photo.as_ref().map(|p| p.photo_id), Some(77));
    assert_eq!((channel.pts, channel.max_message_id), (2, 1));
    assert_eq!(done.first_message.id, 1);
    assert_eq!(done.first_message.action, vec![0xAA]);

    let role = |user| async move {
        let p = channels
            .participant(channel.id, user)
            .await?
            .expect("participant");
        anyhow::Ok((p.role, p.admin_rights, p.inviter_id))
    };
    assert_eq!(
        role(ALICE).await?,
        (ChannelRole::Creator, vec![9, 9], ALICE)
    );
    assert_eq!(role(BOB).await?, (ChannelRole::Admin, vec![7], ALICE));
    assert_eq!(role(CAROL).await?, (ChannelRole::Member, Vec::new(), ALICE));
    let log = channels.updates_after(channel.id, 1, 10).await?;
    assert_eq!(log.len(), 1, "the first message is logged");

    // The group remembers the channel and keeps its members (their history stays readable).
    let old = chats.get(chat.id).await?.expect("chat");
    assert_eq!(
        old.migrated_to,
        Some(MigratedTo {
            channel_id: channel.id,
            access_hash: 0x77
        })
    );
    assert_eq!(old.version, chat.version + 2, "set_admin and the migration");
    assert!(chats.is_member(chat.id, CAROL).await?);

    // Once only; unknown and deleted groups do not migrate, and nothing is left behind.
    assert!(channels
        .migrate_chat(migration(chat.id, 0x78))
        .await?
        .is_none());
    assert!(channels
        .migrate_chat(migration(999_999, 1))
        .await?
        .is_none());
    let gone = chats.create(ALICE, "Gone", &[BOB], 100).await?;
    chats.deactivate(gone.id).await?;
    assert!(channels
        .migrate_chat(migration(gone.id, 1))
        .await?
        .is_none());
    assert!(channels.get(channel.id + 1).await?.is_none());
    assert_eq!(channels.channels_of(CAROL).await?.len(), 1);
    Ok(())
}
