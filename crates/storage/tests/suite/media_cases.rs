//! Media metadata: photos with sizes, documents with thumbnails, peer photo history.

use echo_storage::{DocumentRecord, Peer, PhotoRecord, PhotoSizeRecord};

use crate::harness::Ctx;

fn size(kind: &str, width: i32, height: i32) -> PhotoSizeRecord {
    PhotoSizeRecord {
        kind: kind.into(),
        width,
        height,
        size: width * 10,
        bucket: "photos".into(),
        object_key: format!("ab/{kind}{width}"),
        bytes: Vec::new(),
    }
}

fn photo(id: i64) -> PhotoRecord {
    PhotoRecord {
        id,
        access_hash: id ^ 0x5555,
        file_reference: vec![1, 2, 3, 4],
        owner_id: 1_000_001,
        date: 1_700_000_000,
        dc_id: 2,
        sizes: vec![
            size("x", 800, 600),
            PhotoSizeRecord {
                bytes: vec![1, 40, 30, 9, 9],
                object_key: String::new(),
                bucket: String::new(),
                ..size("i", 40, 30)
            },
            size("s", 100, 75),
            size("m", 320, 240),
        ],
    }
}

pub async fn photos_and_documents(ctx: Ctx) -> anyhow::Result<()> {
    let media = &ctx.storage.media;
    assert_eq!(media.get_photo(7).await?, None);
    media.put_photo(photo(7)).await?;
    let got = media.get_photo(7).await?.expect("photo");
    let kinds: Vec<&str> = got.sizes.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["i", "s", "m", "x"], "stripped first, then by area");
    assert_eq!(got.sizes[0].bytes, [1, 40, 30, 9, 9]);
    assert_eq!(got.access_hash, 7 ^ 0x5555);

    let doc = DocumentRecord {
        id: -42,
        access_hash: 99,
        file_reference: vec![9; 16],
        owner_id: 1_000_002,
        date: 1_700_000_001,
        dc_id: 2,
        mime_type: "application/pdf".into(),
        size: 3 * 1024 * 1024 * 1024,
        bucket: "documents".into(),
        object_key: "cd/cdef".into(),
        attributes: vec![0xde, 0xad],
        thumbs: vec![size("m", 320, 200)],
    };
    media.put_document(doc.clone()).await?;
    assert_eq!(media.get_document(-42).await?, Some(doc));
    assert_eq!(media.get_document(42).await?, None);
    Ok(())
}

pub async fn peer_photo_history(ctx: Ctx) -> anyhow::Result<()> {
    let media = &ctx.storage.media;
    let ann = Peer::User(1_000_001);
    let bob = Peer::User(1_000_002);
    let chat = Peer::Chat(5);
    assert!(media.current_peer_photos(&[ann, bob]).await?.is_empty());
    media.set_peer_photo(ann, 10, 100).await?;
    media.set_peer_photo(ann, 11, 101).await?;
    media.set_peer_photo(bob, 20, 102).await?;
    media.set_peer_photo(chat, 10, 103).await?;
    let mut current = media.current_peer_photos(&[ann, bob, chat]).await?;
    current.sort_by_key(|(_, id)| *id);
    assert_eq!(current, [(chat, 10), (ann, 11), (bob, 20)]);
    let history: Vec<i64> = media
        .peer_photos(ann, 0, 10)
        .await?
        .iter()
        .map(|e| e.photo_id)
        .collect();
    assert_eq!(history, [11, 10]);
    assert_eq!(media.count_peer_photos(ann).await?, 2);
    // An older photo chosen again becomes current.
    media.set_peer_photo(ann, 10, 104).await?;
    assert_eq!(media.current_peer_photos(&[ann]).await?, [(ann, 10)]);
    assert_eq!(media.peer_photos(ann, 1, 10).await?[0].photo_id, 11);
    assert_eq!(media.remove_peer_photos(ann, &[10, 99]).await?, [10]);
    assert_eq!(media.current_peer_photos(&[ann]).await?, [(ann, 11)]);
    assert_eq!(media.remove_peer_photos(ann, &[11]).await?, [11]);
    assert!(media.current_peer_photos(&[ann]).await?.is_empty());
    assert_eq!(media.count_peer_photos(ann).await?, 0);
    Ok(())
}
