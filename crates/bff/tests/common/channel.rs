//! Helpers for tests of channels with media: a channel handle, creation and invites, small
//! uploaded PNGs and media request builders.

use echo_tl::{enums, functions, types};

use super::groups::input_user;
use super::Harness;

pub struct Channel {
    pub id: i64,
    pub access_hash: i64,
}

impl Channel {
    pub fn input(&self) -> enums::InputChannel {
        enums::InputChannel::Channel(types::InputChannel {
            channel_id: self.id,
            access_hash: self.access_hash,
        })
    }

    pub fn peer(&self) -> enums::InputPeer {
        enums::InputPeer::Channel(types::InputPeerChannel {
            channel_id: self.id,
            access_hash: self.access_hash,
        })
    }
}

/// A supergroup (`megagroup`) or broadcast created by the user on `key`.
pub async fn create_channel(h: &Harness, key: i64, megagroup: bool) -> Channel {
    let answer = h
        .call(
            key,
            &functions::channels::CreateChannel {
                broadcast: !megagroup,
                megagroup,
                for_import: false,
                forum: false,
                title: "Pictures".into(),
                about: String::new(),
                geo_point: None,
                address: None,
                ttl_period: None,
            },
        )
        .await
        .unwrap();
    let enums::Updates::Updates(u) = answer else {
        panic!("updates expected")
    };
    let enums::Chat::Channel(c) = &u.chats[0] else {
        panic!("channel expected")
    };
    Channel {
        id: c.id,
        access_hash: c.access_hash.unwrap(),
    }
}

pub async fn invite_to(h: &Harness, key: i64, channel: &Channel, user: &types::User) {
    h.call(
        key,
        &functions::channels::InviteToChannel {
            channel: channel.input(),
            users: vec![input_user(user)],
        },
    )
    .await
    .unwrap();
}

/// A small PNG, different per `seed`.
pub fn png(seed: u8) -> Vec<u8> {
    let image = image::RgbImage::from_fn(64, 48, |x, y| image::Rgb([x as u8, y as u8, seed]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    png
}

/// Uploads `bytes` in one part as file `file_id` named `name`.
pub async fn upload(
    h: &Harness,
    key: i64,
    file_id: i64,
    bytes: Vec<u8>,
    name: &str,
) -> enums::InputFile {
    let part = functions::upload::SaveFilePart {
        file_id,
        file_part: 0,
        bytes,
    };
    assert!(h.call(key, &part).await.unwrap());
    enums::InputFile::File(types::InputFile {
        id: file_id,
        parts: 1,
        name: name.into(),
        md5_checksum: String::new(),
    })
}

pub fn uploaded_photo(file: enums::InputFile) -> enums::InputMedia {
    enums::InputMedia::UploadedPhoto(types::InputMediaUploadedPhoto {
        spoiler: false,
        live_photo: false,
        file,
        stickers: None,
        ttl_seconds: None,
        video: None,
    })
}

pub fn uploaded_document(file: enums::InputFile) -> enums::InputMedia {
    enums::InputMedia::UploadedDocument(types::InputMediaUploadedDocument {
        nosound_video: false,
        force_file: true,
        spoiler: false,
        file,
        thumb: None,
        mime_type: "application/octet-stream".into(),
        attributes: Vec::new(),
        stickers: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    })
}

pub fn send_media(
    peer: enums::InputPeer,
    media: enums::InputMedia,
    random_id: i64,
) -> functions::messages::SendMedia {
    functions::messages::SendMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer,
        reply_to: None,
        media,
        message: "caption".into(),
        random_id,
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
    }
}

pub fn send_album(
    peer: enums::InputPeer,
    media: Vec<enums::InputMedia>,
    first_random_id: i64,
) -> functions::messages::SendMultiMedia {
    let multi_media = media
        .into_iter()
        .zip(first_random_id..)
        .map(|(media, random_id)| {
            enums::InputSingleMedia::Media(types::InputSingleMedia {
                media,
                random_id,
                message: format!("item {random_id}"),
                entities: None,
            })
        })
        .collect();
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

pub fn forward(
    from_peer: enums::InputPeer,
    to_peer: enums::InputPeer,
    id: Vec<i32>,
    first_random_id: i64,
) -> functions::messages::ForwardMessages {
    let random_id = (first_random_id..).take(id.len()).collect();
    functions::messages::ForwardMessages {
        silent: false,
        background: false,
        with_my_score: false,
        drop_author: false,
        drop_media_captions: false,
        noforwards: false,
        allow_paid_floodskip: false,
        from_ephemeral: false,
        from_peer,
        id,
        random_id,
        to_peer,
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
    }
}

pub fn get_file(location: enums::InputFileLocation) -> functions::upload::GetFile {
    functions::upload::GetFile {
        precise: false,
        cdn_supported: false,
        location,
        offset: 0,
        limit: 512 * 1024,
    }
}

/// The messages of every updateNewChannelMessage in `updates`.
pub fn channel_messages_of(updates: &enums::Updates) -> Vec<enums::Message> {
    let enums::Updates::Updates(u) = updates else {
        return Vec::new();
    };
    u.updates
        .iter()
        .filter_map(|x| match x {
            enums::Update::NewChannelMessage(m) => Some(m.message.clone()),
            _ => None,
        })
        .collect()
}
