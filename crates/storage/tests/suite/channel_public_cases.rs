//! Public channels and channel invite links (crate::channel_public): usernames in any
//! letter case, invite usage limits, revocation, join requests, who joined through a link.

use anyhow::Result;
use echo_storage::{
    ChannelInviteRecord, ChannelRole, InviteEdit, InviteImporterRecord, InviteUse,
    JoinRequestRecord, NewChannel, StorageError,
};

use crate::harness::Ctx;
use crate::user_cases::new_user;

fn new_channel(creator: i64, megagroup: bool) -> NewChannel {
    NewChannel {
        creator_id: creator,
        access_hash: 0x7007,
        title: "Public".into(),
        about: String::new(),
        broadcast: !megagroup,
        megagroup,
        date: 100,
        creator_rights: vec![1],
    }
}

fn invite(hash: &str, channel_id: i64, admin_id: i64, usage_limit: i32) -> ChannelInviteRecord {
    ChannelInviteRecord {
        hash: hash.into(),
        channel_id,
        admin_id,
        date: 300,
        revoked: false,
        permanent: false,
        expire_date: 0,
        usage_limit,
        usage: 0,
        request_needed: false,
        title: Some("for friends".into()),
    }
}

pub async fn channel_usernames_are_case_insensitive(ctx: Ctx) -> Result<()> {
    let alice = ctx
        .storage
        .users
        .create(new_user("15551001", "Alice"))
        .await?
        .id;
    let channels = &ctx.storage.channels;
    let a = channels.create(new_channel(alice, false)).await?;
    let b = channels.create(new_channel(alice, true)).await?;
    channels.set_username(a.id, Some("EchoNews")).await?;
    let found = channels.get_by_username("echonews").await?.expect("found");
    assert_eq!(
        (found.id, found.username.as_deref()),
        (a.id, Some("EchoNews"))
    );
    assert!(matches!(
        channels.set_username(b.id, Some("ECHONEWS")).await,
        Err(StorageError::Conflict(_))
    ));
    channels.set_username(a.id, None).await?;
    assert!(channels.get_by_username("EchoNews").await?.is_none());
    channels.set_username(b.id, Some("echonews")).await?;
    assert_eq!(
        channels.get_by_username("EchoNews").await?.map(|c| c.id),
        Some(b.id)
    );
    Ok(())
}

pub async fn channel_invites_limits_and_requests(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15551011", "Alice")).await?.id;
    let bob = users.create(new_user("15551012", "Bob")).await?.id;
    let carol = users.create(new_user("15551013", "Carol")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(new_channel(alice, true)).await?;

    channels
        .create_invite(invite("once", c.id, alice, 1), false)
        .await?;
    let stored = channels.invite("once").await?.expect("stored");
    assert_eq!((stored.usage_limit, stored.usage), (1, 0));
    assert_eq!(stored.title.as_deref(), Some("for friends"));
    assert_eq!(
        channels.use_invite("once", bob, 310, false).await?,
        InviteUse::Joined
    );
    let bob_row = channels.participant(c.id, bob).await?.expect("bob");
    assert_eq!(
        (bob_row.role, bob_row.inviter_id),
        (ChannelRole::Member, alice)
    );
    assert_eq!(
        channels.use_invite("once", carol, 311, false).await?,
        InviteUse::LimitReached
    );
    assert_eq!(channels.invite("once").await?.expect("once").usage, 1);

    // A member using a link again does not use it up.
    channels
        .create_invite(invite("open", c.id, alice, 0), false)
        .await?;
    assert_eq!(
        channels.use_invite("open", bob, 312, false).await?,
        InviteUse::NotJoined
    );
    assert_eq!(channels.invite("open").await?.expect("open").usage, 0);

    // A new permanent link revokes the admin's older permanent one.
    let mut first = invite("perm1", c.id, alice, 0);
    first.permanent = true;
    channels.create_invite(first, false).await?;
    let mut second = invite("perm2", c.id, alice, 0);
    second.permanent = true;
    channels.create_invite(second, true).await?;
    assert!(channels.invite("perm1").await?.expect("perm1").revoked);
    let live = channels.invites_of(c.id, alice, false).await?;
    assert_eq!(live.len(), 3, "once, open, perm2");
    let edited = channels
        .edit_invite(
            c.id,
            "open",
            InviteEdit {
                expire_date: 900,
                usage_limit: 3,
                request_needed: false,
                title: None,
            },
        )
        .await?
        .expect("live link");
    assert_eq!((edited.expire_date, edited.usage_limit), (900, 3));
    assert_eq!(edited.title, None);
    assert!(channels.revoke_invite(c.id, "open").await?);
    assert!(!channels.revoke_invite(c.id, "open").await?);
    let revoked_edit = InviteEdit {
        expire_date: 0,
        usage_limit: 0,
        request_needed: true,
        title: None,
    };
    assert!(channels
        .edit_invite(c.id, "open", revoked_edit)
        .await?
        .is_none());
    assert_eq!(channels.invites_of(c.id, alice, true).await?.len(), 2);

    let request = JoinRequestRecord {
        channel_id: c.id,
        user_id: carol,
        invite_hash: "perm2".into(),
        date: 400,
    };
    assert!(channels.add_join_request(request.clone()).await?);
    assert!(!channels.add_join_request(request.clone()).await?, "once");
    assert_eq!(channels.join_requests(c.id).await?, vec![request.clone()]);
    assert_eq!(channels.join_request(c.id, carol).await?, Some(request));
    assert!(channels.remove_join_request(c.id, carol).await?);
    assert!(!channels.remove_join_request(c.id, carol).await?);
    assert!(channels.join_requests(c.id).await?.is_empty());
    Ok(())
}

pub async fn channel_invite_importers_by_link(ctx: Ctx) -> Result<()> {
    let users = &ctx.storage.users;
    let alice = users.create(new_user("15551021", "Alice")).await?.id;
    let bob = users.create(new_user("15551022", "Bob")).await?.id;
    let carol = users.create(new_user("15551023", "Carol")).await?.id;
    let dave = users.create(new_user("15551024", "Dave")).await?.id;
    let channels = &ctx.storage.channels;
    let c = channels.create(new_channel(alice, true)).await?;
    channels
        .create_invite(invite("open", c.id, alice, 0), false)
        .await?;
    channels
        .create_invite(invite("asked", c.id, alice, 0), false)
        .await?;

    // Joining through a link records the importer; an approved request names the admin.
    assert_eq!(
        channels.use_invite("open", bob, 500, false).await?,
        InviteUse::Joined
    );
    assert_eq!(
        channels.use_invite("open", carol, 501, false).await?,
        InviteUse::Joined
    );
    let approved = InviteImporterRecord {
        channel_id: c.id,
        hash: "asked".into(),
        user_id: dave,
        date: 502,
        approved_by: alice,
    };
    channels.add_invite_importer(approved.clone()).await?;

    let open = channels
        .invite_importers(c.id, Some("open"), None, 10)
        .await?;
    assert_eq!(
        open.iter()
            .map(|i| (i.user_id, i.date, i.approved_by))
            .collect::<Vec<_>>(),
        vec![(carol, 501, 0), (bob, 500, 0)],
        "newest first"
    );
    let all = channels.invite_importers(c.id, None, None, 10).await?;
    assert_eq!(all.first(), Some(&approved));
    assert_eq!(all.len(), 3);
    let page = channels
        .invite_importers(c.id, None, Some((501, carol)), 10)
        .await?;
    assert_eq!(
        page.iter().map(|i| i.user_id).collect::<Vec<_>>(),
        vec![bob]
    );
    assert_eq!(
        channels.invite_importers(c.id, None, None, 1).await?.len(),
        1
    );

    // A rejoin through the same link keeps one record, with the newer date.
    channels.leave(c.id, bob).await?;
    assert_eq!(
        channels.use_invite("open", bob, 600, false).await?,
        InviteUse::Joined
    );
    let open = channels
        .invite_importers(c.id, Some("open"), None, 10)
        .await?;
    assert_eq!(
        open.iter().map(|i| (i.user_id, i.date)).collect::<Vec<_>>(),
        vec![(bob, 600), (carol, 501)]
    );
    Ok(())
}
