//! Uploads, media messages and downloads through the API (core.telegram.org/api/files):
//! saveFilePart / saveBigFilePart errors, sendMedia with an uploaded document, upload.getFile
//! offset/limit rules and file references, re-sending by id, profile photos.

mod common;

use common::{err, Harness};
use echo_tl::{enums, functions, types};

const KEY: i64 = 0x3e;
const PART: usize = 512 * 1024;

fn part(file_id: i64, file_part: i32, bytes: Vec<u8>) -> functions::upload::SaveFilePart {
    functions::upload::SaveFilePart {
        file_id,
        file_part,
        bytes,
    }
}

fn uploaded_document(file_id: i64, parts: i32, name: &str) -> enums::InputMedia {
    enums::InputMedia::UploadedDocument(types::InputMediaUploadedDocument {
        nosound_video: false,
        force_file: true,
        spoiler: false,
        file: enums::InputFile::File(types::InputFile {
            id: file_id,
            parts,
            name: name.into(),
            md5_checksum: String::new(),
        }),
        thumb: None,
        mime_type: "application/octet-stream".into(),
        attributes: Vec::new(),
        stickers: None,
        video_cover: None,
        video_timestamp: None,
        ttl_seconds: None,
    })
}

fn send_media(media: enums::InputMedia, random_id: i64) -> functions::messages::SendMedia {
    functions::messages::SendMedia {
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: enums::InputPeer::PeerSelf,
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

/// The document of the message a send answered with.
fn sent_document(answer: enums::Updates) -> types::Document {
    let enums::Updates::Updates(u) = answer else {
        panic!("full updates expected, got {answer:?}")
    };
    for update in u.updates {
        if let enums::Update::NewMessage(new) = update {
            if let enums::Message::Message(m) = new.message {
                if let Some(enums::MessageMedia::Document(d)) = m.media {
                    if let Some(enums::Document::Document(doc)) = d.document {
                        return doc;
                    }
                }
            }
        }
    }
    panic!("no document in the answer")
}

fn get_file(
    location: enums::InputFileLocation,
    offset: i64,
    limit: i32,
) -> functions::upload::GetFile {
    functions::upload::GetFile {
        precise: false,
        cdn_supported: false,
        location,
        offset,
        limit,
    }
}

fn doc_location(doc: &types::Document, reference: Vec<u8>) -> enums::InputFileLocation {
    enums::InputFileLocation::InputDocumentFileLocation(types::InputDocumentFileLocation {
        id: doc.id,
        access_hash: doc.access_hash,
        file_reference: reference,
        thumb_size: String::new(),
    })
}

fn file_bytes(answer: enums::upload::File) -> Vec<u8> {
    match answer {
        enums::upload::File::File(f) => f.bytes,
        other => panic!("upload.file expected, got {other:?}"),
    }
}

#[tokio::test]
async fn document_upload_send_and_download() {
    let h = Harness::new().await;
    h.register(KEY, "+1 555-0300", "Uploader").await;
    assert_eq!(
        h.call(KEY, &part(1, 0, Vec::new())).await.unwrap_err(),
        err(400, "FILE_PART_EMPTY")
    );
    let data: Vec<u8> = (0..PART + 5000).map(|i| (i % 251) as u8).collect();
    // Parts out of order.
    assert!(h
        .call(KEY, &part(9, 1, data[PART..].to_vec()))
        .await
        .unwrap());
    let early = h
        .call(KEY, &send_media(uploaded_document(9, 2, "a.bin"), 1))
        .await;
    assert_eq!(early.unwrap_err(), err(400, "FILE_PART_0_MISSING"));
    assert!(h
        .call(KEY, &part(9, 0, data[..PART].to_vec()))
        .await
        .unwrap());
    let doc = sent_document(
        h.call(KEY, &send_media(uploaded_document(9, 2, "a.bin"), 2))
            .await
            .unwrap(),
    );
    assert_eq!(doc.size, data.len() as i64);
    assert!(doc.attributes.iter().any(|a| matches!(a,
        enums::DocumentAttribute::Filename(f) if f.file_name == "a.bin")));

    let location = doc_location(&doc, doc.file_reference.clone());
    let mut got = Vec::new();
    for offset in [0, 262_144, 524_288] {
        let chunk = h
            .call(KEY, &get_file(location.clone(), offset, 262_144))
            .await;
        got.extend(file_bytes(chunk.unwrap()));
    }
    assert_eq!(got, data);
    for (offset, limit, error) in [
        (0, 1000, "LIMIT_INVALID"),
        (0, 2 * 1_048_576, "LIMIT_INVALID"),
        (1_040_384, 16_384, "LIMIT_INVALID"),
        (100, 4096, "OFFSET_INVALID"),
    ] {
        let answer = h
            .call(KEY, &get_file(location.clone(), offset, limit))
            .await;
        assert_eq!(answer.unwrap_err(), err(400, error), "{offset} {limit}");
    }
    let stale = doc_location(&doc, vec![0; doc.file_reference.len()]);
    let answer = h.call(KEY, &get_file(stale, 0, 4096)).await;
    assert_eq!(answer.unwrap_err(), err(400, "FILE_REFERENCE_EXPIRED"));
    let mut foreign = doc.clone();
    foreign.access_hash ^= 1;
    let answer = h
        .call(
            KEY,
            &get_file(doc_location(&foreign, doc.file_reference.clone()), 0, 4096),
        )
        .await;
    assert_eq!(answer.unwrap_err(), err(400, "LOCATION_INVALID"));

    // Re-sent by id: the same document; a stale reference is refused.
    let by_id = |reference: Vec<u8>| {
        enums::InputMedia::Document(types::InputMediaDocument {
            spoiler: false,
            id: enums::InputDocument::Document(types::InputDocument {
                id: doc.id,
                access_hash: doc.access_hash,
                file_reference: reference,
            }),
            video_cover: None,
            video_timestamp: None,
            ttl_seconds: None,
            query: None,
        })
    };
    let again = sent_document(
        h.call(KEY, &send_media(by_id(doc.file_reference.clone()), 3))
            .await
            .unwrap(),
    );
    assert_eq!(again.id, doc.id);
    let stale = h.call(KEY, &send_media(by_id(vec![7; 16]), 4)).await;
    assert_eq!(stale.unwrap_err(), err(400, "FILE_REFERENCE_EXPIRED"));
}

#[tokio::test]
async fn profile_photo_upload_list_delete() {
    let h = Harness::new().await;
    let me = h.register(KEY, "+1 555-0301", "Pic").await;
    let image = image::RgbImage::from_fn(300, 200, |x, y| image::Rgb([x as u8, y as u8, 77]));
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .unwrap();
    assert!(h.call(KEY, &part(5, 0, png)).await.unwrap());
    let upload = functions::photos::UploadProfilePhoto {
        fallback: false,
        bot: None,
        file: Some(enums::InputFile::File(types::InputFile {
            id: 5,
            parts: 1,
            name: "me.png".into(),
            md5_checksum: String::new(),
        })),
        video: None,
        video_start_ts: None,
        video_emoji_markup: None,
    };
    let enums::photos::Photo::Photo(answer) = h.call(KEY, &upload).await.unwrap();
    let enums::Photo::Photo(photo) = answer.photo else {
        panic!("photo expected")
    };
    let kinds: Vec<String> = photo
        .sizes
        .iter()
        .map(|s| match s {
            enums::PhotoSize::Size(s) => s.r#type.clone(),
            enums::PhotoSize::PhotoStrippedSize(s) => s.r#type.clone(),
            other => panic!("unexpected size {other:?}"),
        })
        .collect();
    assert_eq!(kinds, ["i", "s", "m"]);
    let users = h
        .call(
            KEY,
            &functions::users::GetUsers {
                id: vec![enums::InputUser::UserSelf],
            },
        )
        .await
        .unwrap();
    let [enums::User::User(u)] = users.as_slice() else {
        panic!("one user expected")
    };
    assert!(matches!(&u.photo, Some(enums::UserProfilePhoto::Photo(p)) if p.photo_id == photo.id));
    let list = h
        .call(
            KEY,
            &functions::photos::GetUserPhotos {
                user_id: enums::InputUser::UserSelf,
                offset: 0,
                max_id: 0,
                limit: 10,
            },
        )
        .await
        .unwrap();
    assert!(matches!(list, enums::photos::Photos::Photos(ref p) if p.photos.len() == 1));
    let deleted = h
        .call(
            KEY,
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
    assert_eq!(deleted, [photo.id]);
    let users = h
        .call(
            KEY,
            &functions::users::GetUsers {
                id: vec![enums::InputUser::UserSelf],
            },
        )
        .await
        .unwrap();
    assert!(matches!(&users[0], enums::User::User(u) if u.photo.is_none() && u.id == me.id));
}
