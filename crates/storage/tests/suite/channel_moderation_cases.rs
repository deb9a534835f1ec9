//! Admin rights, bans, toggles and pins of channels (crate::channel_moderation).

use anyhow::Result;
use echo_storage::{
    AdminGrant, BanGrant, ChannelRole, ChannelToggle, ChannelUpdateKind, NewChannel,
    NewChannelMessage, ParticipantFilter,
};

use crate::harness::Ctx;
use crate::user_cases::new_user;

fn megagroup(creator: i64) -> NewChannel {
    NewChannel {
        creator_id: creator,
        access_hash: 7,
        title: "Mods".into(),
        about: String::new(),
        broadcast: false,
        megagroup: true,
        date: 100,
        creator_rights: vec![9],
    }
}

fn ban(by: i64, kicked: bool) -> BanGrant {
    BanGrant {
        rights: vec![4, 2],
        until: 0,
        banned_by: by,
        kicked,
        date: 150,
    }
}

pub async fn channel_admins_and_bans(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15550101", "Alice")).await?.id;
    let bob = users.create(new_user("15550102", "Bob")).await?.id;
    let carol = users.create(new_user("15550103", "Carol")).await?.id;
    let dave = users.create(new_user("15550104", "Dave")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(megagroup(alice)).await?;
    channels.join(c.id, bob, alice, 110, false).await?;
    channels.join(c.id, carol, alice, 111, false).await?;

    let grant = AdminGrant {
        rights: vec![1, 1],
        promoted_by: alice,
        rank: Some("mod".into()),
    };
    assert!(channels.set_admin(c.id, bob, Some(grant.clone())).await?);
    let b = channels.participant(c.id, bob).await?.expect("bob");
    assert_eq!(b.role, ChannelRole::Admin);
    assert_eq!((b.admin_rights, b.promoted_by), (vec![1, 1], alice));
    assert_eq!(b.rank.as_deref(), Some("mod"));
    assert!(
        !channels.set_admin(c.id, alice, Some(grant.clone())).await?,
        "creator"
    );
    assert!(
        !channels.set_admin(c.id, dave, Some(grant)).await?,
        "not a member"
    );
    let (admins, n) = channels
        .participants(c.id, &ParticipantFilter::Admins, 0, 10)
        .await?;
    assert_eq!((admins.len(), n), (2, 2));
    assert!(channels.set_admin(c.id, bob, None).await?);
    assert_eq!(
        channels.participant(c.id, bob).await?.expect("bob").role,
        ChannelRole::Member
    );

    // Restricted: still a member, listed as banned, not as kicked.
    assert!(
        channels
            .set_banned(c.id, bob, Some(ban(alice, false)))
            .await?
    );
    let b = channels.participant(c.id, bob).await?.expect("bob");
    assert_eq!(
        (b.role, b.banned_rights.clone()),
        (ChannelRole::Member, vec![4, 2])
    );
    assert!(channels.member_ids(c.id).await?.contains(&bob));
    let banned = ParticipantFilter::Banned(String::new());
    let kicked = ParticipantFilter::Kicked(String::new());
    assert_eq!(channels.participants(c.id, &banned, 0, 10).await?.1, 1);
    assert_eq!(channels.participants(c.id, &kicked, 0, 10).await?.1, 0);
    assert!(channels.set_banned(c.id, bob, None).await?);
    assert!(channels
        .participant(c.id, bob)
        .await?
        .expect("bob")
        .banned_rights
        .is_empty());

    // Kicked: out of the members, cannot rejoin until unbanned (then left).
    assert!(
        channels
            .set_banned(c.id, carol, Some(ban(alice, true)))
            .await?
    );
    let got = channels.get(c.id).await?.expect("c");
    assert_eq!(got.participants_count, 2);
    assert!(!channels.member_ids(c.id).await?.contains(&carol));
    assert_eq!(channels.participants(c.id, &kicked, 0, 10).await?.1, 1);
    assert!(!channels.join(c.id, carol, carol, 160, false).await?);
    assert!(channels.set_banned(c.id, carol, None).await?);
    assert_eq!(
        channels
            .participant(c.id, carol)
            .await?
            .expect("carol")
            .role,
        ChannelRole::Left
    );
    assert!(channels.join(c.id, carol, carol, 170, false).await?);
    // A kick of a stranger keeps them out; the creator cannot be banned.
    assert!(
        channels
            .set_banned(c.id, dave, Some(ban(alice, true)))
            .await?
    );
    assert!(!channels.join(c.id, dave, dave, 180, false).await?);
    assert!(
        !channels
            .set_banned(c.id, alice, Some(ban(bob, true)))
            .await?
    );
    Ok(())
}

pub async fn channel_toggles_slowmode_and_pins(ctx: Ctx) -> Result<()> {
    let alice = ctx
        .storage
        .users
        .create(new_user("15550111", "Alice"))
        .await?
        .id;
    let channels = &ctx.storage.channels;
    let c = channels.create(megagroup(alice)).await?;
    assert!(
        channels
            .toggle(c.id, ChannelToggle::Signatures(true))
            .await?
    );
    assert!(
        channels
            .toggle(c.id, ChannelToggle::PreHistoryHidden(true))
            .await?
    );
    assert!(
        channels
            .toggle(c.id, ChannelToggle::SlowModeSeconds(30))
            .await?
    );
    assert!(channels.set_default_banned_rights(c.id, &[5, 5]).await?);
    let got = channels.get(c.id).await?.expect("c");
    assert!(got.signatures && got.pre_history_hidden);
    assert_eq!(
        (got.slowmode_seconds, got.default_banned_rights),
        (30, vec![5, 5])
    );

    assert_eq!(channels.last_post_date(c.id, alice).await?, None);
    for (i, date) in [(1, 200), (2, 260)] {
        let m = NewChannelMessage {
            from_id: alice,
            date,
            message: format!("m{i}"),
            random_id: Some(i),
            ..NewChannelMessage::default()
        };
        channels.post(c.id, m).await?;
    }
    assert_eq!(channels.last_post_date(c.id, alice).await?, Some(260));

    let before = channels.get(c.id).await?.expect("c").pts;
    let pinned = channels.set_pinned(c.id, &[1, 2, 99], true, 300).await?;
    assert_eq!(
        (pinned.ids, pinned.pts, pinned.pts_count),
        (vec![1, 2], before + 1, 1)
    );
    let again = channels.set_pinned(c.id, &[1], true, 301).await?;
    assert!(again.ids.is_empty() && again.pts == before + 1);
    assert_eq!(channels.pinned_ids(c.id).await?, vec![2, 1]);
    assert!(channels.messages(c.id, &[1]).await?[0].pinned);
    let log = channels.updates_after(c.id, before, 10).await?;
    assert_eq!(log.len(), 1);
    assert_eq!(log[0].kind, ChannelUpdateKind::Other);
    assert_eq!(log[0].message_ids, vec![1, 2]);
    let unpinned = channels.set_pinned(c.id, &[2], false, 310).await?;
    assert_eq!(unpinned.ids, vec![2]);
    assert_eq!(channels.pinned_ids(c.id).await?, vec![1]);
    Ok(())
}

pub async fn channel_views_history_and_deletion(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15550121", "Alice")).await?.id;
    let bob = users.create(new_user("15550122", "Bob")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(megagroup(alice)).await?;
    channels.join(c.id, bob, alice, 110, false).await?;
    for i in 1..=3 {
        let m = NewChannelMessage {
            from_id: alice,
            date: 200 + i,
            message: format!("m{i}"),
            random_id: Some(i),
            ..NewChannelMessage::default()
        };
        channels.post(c.id, m).await?;
    }
    assert_eq!(
        channels.view_messages(c.id, &[1, 2, 77], bob).await?,
        vec![(1, 1), (2, 1)]
    );
    assert_eq!(
        channels.view_messages(c.id, &[1], bob).await?,
        vec![(1, 1)],
        "once"
    );
    assert_eq!(
        channels.view_messages(c.id, &[1], alice).await?,
        vec![(1, 2)]
    );

    assert!(channels.hide_history(c.id, bob, 2).await?);
    assert!(!channels.hide_history(c.id, bob, 1).await?, "never back");
    let b = channels.participant(c.id, bob).await?.expect("bob");
    assert_eq!(b.available_min_id, 2);

    assert!(channels.delete_channel(c.id).await?);
    assert!(!channels.delete_channel(c.id).await?);
    assert!(channels.get(c.id).await?.expect("c").deleted);
    Ok(())
}
