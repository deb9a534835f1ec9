//! Albums (core.telegram.org/method/messages.sendMultiMedia: every item carries one
//! `grouped_id`, in the answer, the live pushes, history, getDifference, forwards and basic
//! groups) and live profile photo changes (core.telegram.org/constructor/updateUser after
//! photos.uploadProfilePhoto / photos.deletePhotos).

mod common;

use common::chat::{difference, input, two_users, ALICE_KEY, BOB_KEY};
use common::groups::{chat_peer, input_user, three, CAROL_KEY};
use common::{err, history, Harness};
use echo_tl::{enums, functions, types};

fn part(file_id: i64, file_part: i32, bytes: Vec<u8>) -> functions::upload::SaveFilePart {
    functions::upload::SaveFilePart {
        file_id,
        file_part,
        bytes,
    }
}

/// A small PNG, different per `seed`.
fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, seed]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// Uploads a PNG in one part as file `file_id`.
async fn upload_png(h: &Harness, key: i64, file_id: i64) -> enums::InputFile {
    assert!(h
        .call(key, &part(file_id, 0, png(file_id as u8)))
        .await
        .unwrap());
    enums::InputFile::File(types::InputFile {
        id: file_id,
        parts: 1,
        name: format!("{file_id}.png"),
        md5_checksum: String::new(),
    })
}

/// An album item: an uploaded photo with a caption.
fn album_item(file: enums::InputFile, random_id: i64) -> enums::InputSingleMedia {
    enums::InputSingleMedia::Media(types::InputSingleMedia {
        media: enums::InputMedia::UploadedPhoto(types::InputMediaUploadedPhoto {
            spoiler: false,
            live_photo: false,
            file,
            stickers: None,
            ttl_seconds: None,
            video: None,
        }),
        random_id,
        message: format!("item {random_id}"),
        entities: None,
    })
}

fn send_album(
    peer: enums::InputPeer,
    multi_media: Vec<enums::InputSingleMedia>,
) -> functions::messages::SendMultiMedia {
    functions::messages::SendMultiMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer,
        reply_to: None,
        multi_media,
        schedule_date: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
    }
}

/// An album of `n` photos from files `first_file..`.
async fn album(h: &Harness, key: i64, first_file: i64, n: i64) -> Vec<enums::InputSingleMedia> {
    let mut items = Vec::new();
    for i in 0..n {
        let file = upload_png(h, key, first_file + i).await;
        items.push(album_item(file, first_file * 100 + i));
    }
    items
}

/// The grouped_id of every message in `messages`.
fn groups_of<'a>(messages: impl IntoIterator<Item = &'a enums::Message>) -> Vec<Option<i64>> {
    messages
        .into_iter()
        .map(|m| match m {
            enums::Message::Message(m) => m.grouped_id,
            other => panic!("message expected, got {other:?}"),
        })
        .collect()
}

/// The messages of every updateNewMessage in `pushed`.
fn new_messages(pushed: &[enums::Updates]) -> Vec<enums::Message> {
    let mut out = Vec::new();
    for updates in pushed {
        if let enums::Updates::Updates(u) = updates {
            for update in &u.updates {
                if let enums::Update::NewMessage(n) = update {
                    out.push(n.message.clone());
                }
            }
        }
    }
    out
}

#[tokio::test]
async fn album_shares_one_grouped_id_everywhere() {
    let (h, pushes, alice, bob) = two_users().await;
    let too_many = vec![album_item(upload_png(&h, ALICE_KEY, 1).await, 1); 11];
    let answer = h.call(ALICE_KEY, &send_album(input(&bob), too_many)).await;
    assert_eq!(answer.unwrap_err(), err(400, "MULTI_MEDIA_TOO_LONG"));
    let empty = h
        .call(ALICE_KEY, &send_album(input(&bob), Vec::new()))
        .await;
    assert_eq!(empty.unwrap_err(), err(400, "MEDIA_EMPTY"));

    let items = album(&h, ALICE_KEY, 10, 3).await;
    let enums::Updates::Updates(answer) = h
        .call(ALICE_KEY, &send_album(input(&bob), items.clone()))
        .await
        .unwrap()
    else {
        panic!("one full updates expected")
    };
    let ids = answer
        .updates
        .iter()
        .filter(|u| matches!(u, enums::Update::MessageId(_)))
        .count();
    let mine = new_messages(&[enums::Updates::Updates(answer.clone())]);
    assert_eq!((ids, mine.len()), (3, 3));
    let group = groups_of(&mine)[0];
    assert!(group.is_some_and(|g| g > 0));
    assert_eq!(groups_of(&mine), vec![group; 3]);

    // Live: Bob and Alice's other sessions get the three items with the same album id.
    assert_eq!(
        groups_of(&new_messages(&pushes.take_for(bob.id))),
        vec![group; 3]
    );
    assert_eq!(
        groups_of(&new_messages(&pushes.take_for(alice.id))),
        vec![group; 3]
    );

    // A retry of the same random_ids (the photos now named by id) sends nothing new and
    // keeps the album id.
    let by_id: Vec<enums::InputSingleMedia> = items
        .iter()
        .zip(&mine)
        .map(|(item, sent)| {
            let enums::InputSingleMedia::Media(item) = item;
            let enums::Message::Message(types::Message {
                media:
                    Some(enums::MessageMedia::Photo(types::MessageMediaPhoto {
                        photo: Some(enums::Photo::Photo(photo)),
                        ..
                    })),
                ..
            }) = sent
            else {
                panic!("a photo message expected, got {sent:?}")
            };
            enums::InputSingleMedia::Media(types::InputSingleMedia {
                media: enums::InputMedia::Photo(types::InputMediaPhoto {
                    spoiler: false,
                    live_photo: false,
                    id: enums::InputPhoto::Photo(types::InputPhoto {
                        id: photo.id,
                        access_hash: photo.access_hash,
                        file_reference: photo.file_reference.clone(),
                    }),
                    ttl_seconds: None,
                    video: None,
                }),
                ..item.clone()
            })
        })
        .collect();
    let again = h
        .call(ALICE_KEY, &send_album(input(&bob), by_id))
        .await
        .unwrap();
    assert_eq!(groups_of(&new_messages(&[again])), vec![group; 3]);
    assert!(pushes.take_for(bob.id).is_empty());

    // Stored: Bob's history and getDifference show it.
    let page = h
        .call(BOB_KEY, &history(input(&alice), 0, 0, 10))
        .await
        .unwrap();
    let enums::messages::Messages::Messages(page) = page else {
        panic!("full history expected")
    };
    assert_eq!(groups_of(&page.messages), vec![group; 3]);
    let enums::updates::Difference::Difference(diff) =
        h.call(BOB_KEY, &difference(1)).await.unwrap()
    else {
        panic!("a difference expected")
    };
    assert_eq!(groups_of(&diff.new_messages), vec![group; 3]);

    // Forwarded, the items stay one album under a new id.
    let ids: Vec<i32> = page
        .messages
        .iter()
        .filter_map(|m| match m {
            enums::Message::Message(m) => Some(m.id),
            _ => None,
        })
        .collect();
    let forwarded = h
        .call(
            BOB_KEY,
            &functions::messages::ForwardMessages {
                silent: false,
                background: false,
                with_my_score: false,
                drop_author: false,
                drop_media_captions: false,
                noforwards: false,
                allow_paid_floodskip: false,
                from_ephemeral: false,
                from_peer: input(&alice),
                random_id: vec![71, 72, 73],
                id: ids,
                to_peer: enums::InputPeer::PeerSelf,
                top_msg_id: None,
                reply_to: None,
                schedule_date: None,
                schedule_repeat_period: None,
                send_as: None,
                quick_reply_shortcut: None,
                effect: None,
                video_timestamp: None,
                allow_paid_stars: None,
                suggested_post: None,
            },
        )
        .await
        .unwrap();
    let copies = groups_of(&new_messages(&[forwarded]));
    assert_eq!(copies.len(), 3);
    assert!(copies[0].is_some() && copies[0] != group);
    assert_eq!(copies, vec![copies[0]; 3]);
}

#[tokio::test]
async fn album_in_a_basic_group_reaches_every_member_grouped() {
    let (h, pushes, _alice, bob, carol, chat_id) = three().await;
    let items = album(&h, ALICE_KEY, 20, 2).await;
    let answer = h
        .call(ALICE_KEY, &send_album(chat_peer(chat_id), items))
        .await
        .unwrap();
    let mine = groups_of(&new_messages(&[answer]));
    assert_eq!(mine.len(), 2);
    assert!(mine[0].is_some());
    for (user, key) in [(&bob, BOB_KEY), (&carol, CAROL_KEY)] {
        assert_eq!(groups_of(&new_messages(&pushes.take_for(user.id))), mine);
        let page = h
            .call(key, &history(chat_peer(chat_id), 0, 0, 2))
            .await
            .unwrap();
        // The group's service message is older, so this is a slice.
        let enums::messages::Messages::Slice(page) = page else {
            panic!("a history slice expected")
        };
        assert_eq!(groups_of(&page.messages), mine);
    }
}

/// The photo id of the user an updateUser push carries, if it is one.
fn pushed_photo(pushed: &enums::Updates, user_id: i64) -> Option<Option<i64>> {
    let enums::Updates::Updates(u) = pushed else {
        return None;
    };
    if !u
        .updates
        .iter()
        .any(|x| matches!(x, enums::Update::User(x) if x.user_id == user_id))
    {
        return None;
    }
    u.users.iter().find_map(|x| match x {
        enums::User::User(x) if x.id == user_id => Some(match &x.photo {
            Some(enums::UserProfilePhoto::Photo(p)) => Some(p.photo_id),
            _ => None,
        }),
        _ => None,
    })
}

#[tokio::test]
async fn profile_photo_changes_reach_peers_live() {
    let (h, pushes, alice, bob) = two_users().await;
    h.register(CAROL_KEY, "15550303", "Carol").await;
    h.call(BOB_KEY, &common::chat::to_user(&alice, "hi", 1))
        .await
        .unwrap();
    pushes.got.lock().clear();

    let file = upload_png(&h, ALICE_KEY, 30).await;
    let upload = functions::photos::UploadProfilePhoto {
        fallback: false,
        bot: None,
        file: Some(file),
        video: None,
        video_start_ts: None,
        video_emoji_markup: None,
    };
    let enums::photos::Photo::Photo(answer) = h.call(ALICE_KEY, &upload).await.unwrap();
    let enums::Photo::Photo(photo) = answer.photo else {
        panic!("photo expected")
    };
    // Bob (a private dialog with Alice) and Alice's other sessions hear of it; Carol not.
    let to_bob = pushes.take_for(bob.id);
    assert_eq!(to_bob.len(), 1);
    assert_eq!(pushed_photo(&to_bob[0], alice.id), Some(Some(photo.id)));
    let own = pushes.got.lock().clone();
    assert_eq!(own.len(), 1, "only Alice's own sessions are left: {own:?}");
    assert_eq!(own[0].0, alice.id);
    assert!(own[0].1.is_some(), "the calling session is skipped");
    assert_eq!(pushed_photo(&own[0].2, alice.id), Some(Some(photo.id)));
    pushes.got.lock().clear();

    let users = h
        .call(
            BOB_KEY,
            &functions::users::GetUsers {
                id: vec![input_user(&alice)],
            },
        )
        .await
        .unwrap();
    assert!(matches!(&users[0], enums::User::User(u)
        if matches!(&u.photo, Some(enums::UserProfilePhoto::Photo(p)) if p.photo_id == photo.id)));

    // Deleting the current photo is a change too; Bob sees no photo.
    h.call(
        ALICE_KEY,
        &functions::photos::DeletePhotos {
            id: vec![enums::InputPhoto::Photo(types::InputPhoto {
                id: photo.id,
                access_hash: photo.access_hash,
                file_reference: photo.file_reference.clone(),
            })],
        },
    )
    .await
    .unwrap();
    let to_bob = pushes.take_for(bob.id);
    assert_eq!(to_bob.len(), 1);
    assert_eq!(pushed_photo(&to_bob[0], alice.id), Some(None));
}
