//! Photos and media in channels through the API (core.telegram.org/method/channels.editPhoto,
//! /method/messages.sendMedia, /method/messages.sendMultiMedia,
//! /method/messages.forwardMessages with channel peers): the channel photo everywhere the
//! channel shows and downloadable by those who may see it, media posts in the single channel
//! copy (live, history, getChannelDifference), albums, media bans and forwards.

mod common;

use common::channel::{
    channel_messages_of, create_channel, forward, get_file, invite_to, png, send_album, send_media,
    upload, uploaded_document, uploaded_photo, Channel,
};
use common::chat::{two_users, Pushes, ALICE_KEY, BOB_KEY};
use common::groups::{rights, CAROL_KEY};
use common::{err, history, Harness};
use echo_tl::{enums, functions, types};

fn edit_photo(channel: &Channel, photo: enums::InputChatPhoto) -> functions::channels::EditPhoto {
    functions::channels::EditPhoto {
        channel: channel.input(),
        photo,
    }
}

fn uploaded_chat_photo(file: enums::InputFile) -> enums::InputChatPhoto {
    enums::InputChatPhoto::InputChatUploadedPhoto(types::InputChatUploadedPhoto {
        file: Some(file),
        video: None,
        video_start_ts: None,
        video_emoji_markup: None,
    })
}

/// The channel object of an answer or push.
fn channel_of(updates: &enums::Updates) -> types::Channel {
    let enums::Updates::Updates(u) = updates else {
        panic!("updates expected, got {updates:?}")
    };
    u.chats
        .iter()
        .find_map(|c| match c {
            enums::Chat::Channel(c) => Some(c.clone()),
            _ => None,
        })
        .expect("a channel")
}

fn service_action(updates: &enums::Updates) -> enums::MessageAction {
    channel_messages_of(updates)
        .into_iter()
        .find_map(|m| match m {
            enums::Message::Service(s) => Some(s.action),
            _ => None,
        })
        .expect("a service message")
}

fn peer_photo_location(peer: enums::InputPeer, photo_id: i64) -> enums::InputFileLocation {
    enums::InputFileLocation::InputPeerPhotoFileLocation(types::InputPeerPhotoFileLocation {
        big: true,
        peer,
        photo_id,
    })
}

fn photo_id(channel: &types::Channel) -> Option<i64> {
    match &channel.photo {
        enums::ChatPhoto::Photo(p) => Some(p.photo_id),
        enums::ChatPhoto::Empty => None,
    }
}

async fn broadcast_with_bob_and_carol() -> (Harness, std::sync::Arc<Pushes>, Channel, i64) {
    let (h, pushes, _alice, bob) = two_users().await;
    let carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    let channel = create_channel(&h, ALICE_KEY, false).await;
    invite_to(&h, ALICE_KEY, &channel, &bob).await;
    pushes.got.lock().clear();
    (h, pushes, channel, carol.id)
}

#[tokio::test]
async fn channel_photo_shows_everywhere_and_downloads_for_members() {
    let (h, pushes, channel, _carol) = broadcast_with_bob_and_carol().await;
    let bob_id = h.ctx(BOB_KEY).await.user_id.unwrap();
    let file = upload(&h, ALICE_KEY, 1, png(1), "logo.png").await;
    assert_eq!(
        h.call(
            BOB_KEY,
            &edit_photo(&channel, uploaded_chat_photo(file.clone()))
        )
        .await
        .unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    assert_eq!(
        h.call(
            ALICE_KEY,
            &edit_photo(&channel, enums::InputChatPhoto::Empty)
        )
        .await
        .unwrap_err(),
        err(400, "CHAT_NOT_MODIFIED")
    );
    let missing = enums::InputChatPhoto::InputChatUploadedPhoto(types::InputChatUploadedPhoto {
        file: None,
        video: None,
        video_start_ts: None,
        video_emoji_markup: None,
    });
    assert_eq!(
        h.call(ALICE_KEY, &edit_photo(&channel, missing))
            .await
            .unwrap_err(),
        err(400, "PHOTO_FILE_MISSING")
    );

    let answer = h
        .call(ALICE_KEY, &edit_photo(&channel, uploaded_chat_photo(file)))
        .await
        .unwrap();
    let enums::MessageAction::ChatEditPhoto(action) = service_action(&answer) else {
        panic!("messageActionChatEditPhoto expected")
    };
    let enums::Photo::Photo(photo) = action.photo else {
        panic!("photo expected")
    };
    let shown = channel_of(&answer);
    let enums::ChatPhoto::Photo(chat_photo) = &shown.photo else {
        panic!("chatPhoto expected, got {:?}", shown.photo)
    };
    assert_eq!(chat_photo.photo_id, photo.id);
    assert_eq!(chat_photo.dc_id, photo.dc_id);
    assert!(chat_photo.stripped_thumb.is_some(), "stripped thumb");

    // Bob gets the service message live, with the channel showing the photo.
    let pushed = pushes.take_for(bob_id);
    assert_eq!(pushed.len(), 1);
    assert!(matches!(
        service_action(&pushed[0]),
        enums::MessageAction::ChatEditPhoto(_)
    ));
    assert_eq!(photo_id(&channel_of(&pushed[0])), Some(photo.id));

    // getChannels, getFullChannel and dialogs show it.
    let enums::messages::Chats::Chats(chats) = h
        .call(
            BOB_KEY,
            &functions::channels::GetChannels {
                id: vec![channel.input()],
            },
        )
        .await
        .unwrap()
    else {
        panic!("chats expected")
    };
    let enums::Chat::Channel(got) = &chats.chats[0] else {
        panic!("channel expected")
    };
    assert_eq!(photo_id(got), Some(photo.id));
    let enums::messages::ChatFull::Full(full) = h
        .call(
            BOB_KEY,
            &functions::channels::GetFullChannel {
                channel: channel.input(),
            },
        )
        .await
        .unwrap();
    let enums::ChatFull::ChannelFull(full_channel) = &full.full_chat else {
        panic!("channelFull expected")
    };
    assert!(matches!(&full_channel.chat_photo, enums::Photo::Photo(p) if p.id == photo.id));
    let dialogs = h
        .call(
            BOB_KEY,
            &functions::messages::GetDialogs {
                exclude_pinned: false,
                folder_id: None,
                offset_date: 0,
                offset_id: 0,
                offset_peer: enums::InputPeer::Empty,
                limit: 20,
                hash: 0,
            },
        )
        .await
        .unwrap();
    let enums::messages::Dialogs::Dialogs(d) = dialogs else {
        panic!("dialogs expected")
    };
    assert!(d
        .chats
        .iter()
        .any(|c| matches!(c, enums::Chat::Channel(c) if photo_id(c) == Some(photo.id))));

    // A member downloads it; an outsider of the private channel may not; a forged hash
    // names no location.
    let location = peer_photo_location(channel.peer(), photo.id);
    match h.call(BOB_KEY, &get_file(location.clone())).await.unwrap() {
        enums::upload::File::File(f) => assert!(f.bytes.starts_with(&[0xff, 0xd8])),
        other => panic!("file expected, got {other:?}"),
    }
    assert_eq!(
        h.call(CAROL_KEY, &get_file(location)).await.unwrap_err(),
        err(400, "CHANNEL_PRIVATE")
    );
    let forged = enums::InputPeer::Channel(types::InputPeerChannel {
        channel_id: channel.id,
        access_hash: channel.access_hash ^ 1,
    });
    assert_eq!(
        h.call(BOB_KEY, &get_file(peer_photo_location(forged, photo.id)))
            .await
            .unwrap_err(),
        err(400, "LOCATION_INVALID")
    );

    // The same photo again changes nothing; removing it is a service message too.
    let same = enums::InputChatPhoto::Photo(types::InputChatPhoto {
        id: enums::InputPhoto::Photo(types::InputPhoto {
            id: photo.id,
            access_hash: photo.access_hash,
            file_reference: photo.file_reference.clone(),
        }),
    });
    assert_eq!(
        h.call(ALICE_KEY, &edit_photo(&channel, same))
            .await
            .unwrap_err(),
        err(400, "CHAT_NOT_MODIFIED")
    );
    let removed = h
        .call(
            ALICE_KEY,
            &edit_photo(&channel, enums::InputChatPhoto::Empty),
        )
        .await
        .unwrap();
    assert_eq!(
        service_action(&removed),
        enums::MessageAction::ChatDeletePhoto
    );
    assert_eq!(photo_id(&channel_of(&removed)), None);

    // Bob, catching up, sees both changes in getChannelDifference.
    let difference = h
        .call(
            BOB_KEY,
            &functions::updates::GetChannelDifference {
                force: false,
                channel: channel.input(),
                filter: enums::ChannelMessagesFilter::Empty,
                pts: 1,
                limit: 100,
            },
        )
        .await
        .unwrap();
    let enums::updates::ChannelDifference::Difference(diff) = difference else {
        panic!("difference expected")
    };
    let actions: Vec<&enums::MessageAction> = diff
        .new_messages
        .iter()
        .filter_map(|m| match m {
            enums::Message::Service(s) => Some(&s.action),
            _ => None,
        })
        .collect();
    assert!(actions
        .iter()
        .any(|a| matches!(a, enums::MessageAction::ChatEditPhoto(_))));
    assert!(actions.contains(&&enums::MessageAction::ChatDeletePhoto));
}

/// The photo of a media message.
fn photo_of(m: &enums::Message) -> types::Photo {
    let enums::Message::Message(m) = m else {
        panic!("message expected, got {m:?}")
    };
    match &m.media {
        Some(enums::MessageMedia::Photo(types::MessageMediaPhoto {
            photo: Some(enums::Photo::Photo(p)),
            ..
        })) => p.clone(),
        other => panic!("photo expected, got {other:?}"),
    }
}

/// The type of the biggest size of a photo.
fn biggest(photo: &types::Photo) -> String {
    photo
        .sizes
        .iter()
        .rev()
        .find_map(|s| match s {
            enums::PhotoSize::Size(s) => Some(s.r#type.clone()),
            _ => None,
        })
        .expect("a size")
}

fn grouped_ids(messages: &[enums::Message]) -> Vec<Option<i64>> {
    messages
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.grouped_id,
            other => panic!("message expected, got {other:?}"),
        })
        .collect()
}

#[tokio::test]
async fn media_posts_live_in_history_and_download() {
    let (h, pushes, alice, bob) = two_users().await;
    let group = create_channel(&h, ALICE_KEY, true).await;
    invite_to(&h, ALICE_KEY, &group, &bob).await;
    pushes.got.lock().clear();

    let file = upload(&h, BOB_KEY, 10, png(10), "a.png").await;
    let answer = h
        .call(BOB_KEY, &send_media(group.peer(), uploaded_photo(file), 1))
        .await
        .unwrap();
    let sent = channel_messages_of(&answer);
    let photo = photo_of(&sent[0]);
    let live = pushes.take_for(alice.id);
    assert_eq!(live.len(), 1);
    assert_eq!(photo_of(&channel_messages_of(&live[0])[0]).id, photo.id);

    // Alice downloads it with the file reference the message carries.
    let location =
        enums::InputFileLocation::InputPhotoFileLocation(types::InputPhotoFileLocation {
            id: photo.id,
            access_hash: photo.access_hash,
            file_reference: photo.file_reference.clone(),
            thumb_size: biggest(&photo),
        });
    assert!(matches!(
        h.call(ALICE_KEY, &get_file(location)).await.unwrap(),
        enums::upload::File::File(f) if f.bytes.starts_with(&[0xff, 0xd8])
    ));

    // An album: one grouped_id for every item, live and in history.
    pushes.got.lock().clear();
    let mut items = Vec::new();
    for i in 0..3 {
        let file = upload(&h, ALICE_KEY, 20 + i, png(20 + i as u8), "p.png").await;
        items.push(uploaded_photo(file));
    }
    let answer = h
        .call(ALICE_KEY, &send_album(group.peer(), items, 100))
        .await
        .unwrap();
    let album = channel_messages_of(&answer);
    let groups = grouped_ids(&album);
    assert_eq!(groups.len(), 3);
    assert!(groups[0].is_some() && groups.iter().all(|g| *g == groups[0]));
    let enums::Updates::Updates(u) = &answer else {
        panic!("updates")
    };
    assert_eq!(
        u.updates
            .iter()
            .filter(|x| matches!(x, enums::Update::MessageId(_)))
            .count(),
        3
    );
    let live: Vec<enums::Message> = pushes
        .take_for(bob.id)
        .iter()
        .flat_map(channel_messages_of)
        .collect();
    assert_eq!(grouped_ids(&live), groups);
    let enums::messages::Messages::ChannelMessages(page) = h
        .call(BOB_KEY, &history(group.peer(), 0, 0, 3))
        .await
        .unwrap()
    else {
        panic!("channelMessages expected")
    };
    assert_eq!(grouped_ids(&page.messages), groups);

    // Forwarding the album to Saved Messages keeps it grouped (under a new id) and names
    // the sender of the supergroup messages.
    let ids: Vec<i32> = album
        .iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.id,
            _ => 0,
        })
        .collect();
    let fwd = h
        .call(
            BOB_KEY,
            &forward(group.peer(), enums::InputPeer::PeerSelf, ids, 500),
        )
        .await
        .unwrap();
    let enums::Updates::Updates(u) = &fwd else {
        panic!("updates")
    };
    let copies: Vec<&types::Message> = u
        .updates
        .iter()
        .filter_map(|x| match x {
            enums::Update::NewMessage(types::UpdateNewMessage {
                message: enums::Message::Message(m),
                ..
            }) => Some(m),
            _ => None,
        })
        .collect();
    assert_eq!(copies.len(), 3);
    let copied_group = copies[0].grouped_id;
    assert!(copied_group.is_some() && copied_group != groups[0]);
    assert!(copies.iter().all(|m| m.grouped_id == copied_group));
    assert!(copies.iter().all(|m| matches!(&m.fwd_from,
        Some(enums::MessageFwdHeader::Header(h))
            if h.from_id == Some(enums::Peer::User(types::PeerUser { user_id: alice.id })))));
    assert!(u
        .users
        .iter()
        .any(|x| matches!(x, enums::User::User(x) if x.id == alice.id)));
}

async fn bob_photo(h: &Harness, file_id: i64) -> enums::InputMedia {
    uploaded_photo(upload(h, BOB_KEY, file_id, png(file_id as u8), "b.png").await)
}

#[tokio::test]
async fn media_bans_and_broadcast_rights() {
    let (h, pushes, _alice, bob) = two_users().await;
    let _carol = h.register(CAROL_KEY, "15550303", "Carol").await;
    let group = create_channel(&h, ALICE_KEY, true).await;
    invite_to(&h, ALICE_KEY, &group, &bob).await;
    let news = create_channel(&h, ALICE_KEY, false).await;
    invite_to(&h, ALICE_KEY, &news, &bob).await;

    // A subscriber may not post media in a broadcast; an outsider nowhere.
    assert_eq!(
        h.call(BOB_KEY, &send_media(news.peer(), bob_photo(&h, 1).await, 1))
            .await
            .unwrap_err(),
        err(403, "CHAT_ADMIN_REQUIRED")
    );
    let carol_photo = uploaded_photo(upload(&h, CAROL_KEY, 2, png(2), "c.png").await);
    assert_eq!(
        h.call(CAROL_KEY, &send_media(group.peer(), carol_photo, 2))
            .await
            .unwrap_err(),
        err(400, "CHANNEL_PRIVATE")
    );

    // Default banned rights: photos, then all media.
    let mut banned = rights(false);
    let enums::ChatBannedRights::Rights(r) = &mut banned;
    r.send_photos = true;
    let defaults = |banned_rights| functions::messages::EditChatDefaultBannedRights {
        peer: group.peer(),
        banned_rights,
    };
    h.call(ALICE_KEY, &defaults(banned.clone())).await.unwrap();
    assert_eq!(
        h.call(
            BOB_KEY,
            &send_media(group.peer(), bob_photo(&h, 3).await, 3)
        )
        .await
        .unwrap_err(),
        err(403, "CHAT_SEND_PHOTOS_FORBIDDEN")
    );
    let doc = uploaded_document(upload(&h, BOB_KEY, 4, vec![7; 1000], "notes.bin").await);
    h.call(BOB_KEY, &send_media(group.peer(), doc, 4))
        .await
        .expect("documents are still allowed");
    let enums::ChatBannedRights::Rights(r) = &mut banned;
    r.send_media = true;
    h.call(ALICE_KEY, &defaults(banned)).await.unwrap();
    let doc = uploaded_document(upload(&h, BOB_KEY, 5, vec![8; 1000], "more.bin").await);
    assert_eq!(
        h.call(BOB_KEY, &send_media(group.peer(), doc, 5))
            .await
            .unwrap_err(),
        err(403, "CHAT_SEND_MEDIA_FORBIDDEN")
    );
    // Admins are not held back.
    let mine = uploaded_photo(upload(&h, ALICE_KEY, 6, png(6), "a.png").await);
    let post = h
        .call(ALICE_KEY, &send_media(news.peer(), mine, 6))
        .await
        .unwrap();
    let posted = channel_messages_of(&post);
    let enums::Message::Message(m) = &posted[0] else {
        panic!("message expected")
    };
    assert!(m.post && m.from_id.is_none() && m.media.is_some());
    pushes.got.lock().clear();

    // A broadcast post forwarded into the supergroup names the channel and the post.
    let fwd = h
        .call(
            ALICE_KEY,
            &forward(news.peer(), group.peer(), vec![m.id], 700),
        )
        .await
        .unwrap();
    let copies = channel_messages_of(&fwd);
    let enums::Message::Message(copy) = &copies[0] else {
        panic!("message expected")
    };
    let Some(enums::MessageFwdHeader::Header(header)) = &copy.fwd_from else {
        panic!("forward header expected")
    };
    assert_eq!(
        header.from_id,
        Some(enums::Peer::Channel(types::PeerChannel {
            channel_id: news.id
        }))
    );
    assert_eq!(header.channel_post, Some(m.id));
    assert!(copy.media.is_some());
    assert!(pushes
        .take_for(bob.id)
        .iter()
        .any(|u| !channel_messages_of(u).is_empty()));
    // Bob may not forward media into the supergroup while media are banned.
    assert_eq!(
        h.call(
            BOB_KEY,
            &forward(news.peer(), group.peer(), vec![m.id], 800)
        )
        .await
        .unwrap_err(),
        err(403, "CHAT_SEND_MEDIA_FORBIDDEN")
    );
}
