//! The media service end to end on SQLite and the local-disk dfs (and on S3 when
//! `ECHO_TEST_S3_ENDPOINT` is set, see scripts/s3-test-server.sh): Telegram's part rules
//! and errors (core.telegram.org/api/files#uploading-files), parts in any order, durable
//! across a restart, content-addressed storage, photos with their sizes, reads by range.

use std::path::PathBuf;
use std::sync::Arc;

use echo_dfs::{Dfs, LocalDisk, S3Config, S3Dfs};
use echo_media::{
    FileLocation, LocalMediaService, MediaError, MediaService, NewDocument, UploadedFile,
};
use echo_storage::Storage;

const OWNER: i64 = 1_000_001;
const PART: usize = 512 * 1024;

struct Env {
    dir: PathBuf,
    storage: Storage,
    dfs: Arc<dyn Dfs>,
}

impl Env {
    async fn new() -> Env {
        let dir = std::env::temp_dir().join(format!(
            "echo-media-test-{}-{:08x}",
            std::process::id(),
            rand::random::<u32>()
        ));
        let storage = Storage::connect("sqlite::memory:").await.expect("storage");
        let dfs: Arc<dyn Dfs> = Arc::new(LocalDisk::new(dir.join("files")));
        dfs.ensure_buckets().await.expect("buckets");
        Env { dir, storage, dfs }
    }

    /// A service over the same dirs and database (what a restart sees).
    fn service(&self) -> LocalMediaService {
        LocalMediaService::new(
            self.dir.join("uploads"),
            self.dfs.clone(),
            self.storage.media.clone(),
            2,
        )
    }
}

impl Drop for Env {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

fn rejected(result: Result<impl std::fmt::Debug, MediaError>) -> String {
    match result {
        Err(MediaError::Rejected(message)) => message,
        other => panic!("expected a rejection, got {other:?}"),
    }
}

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(17).wrapping_add(seed) ^ (i >> 9) as u8)
        .collect()
}

fn file(file_id: i64, parts: i32, big: bool) -> UploadedFile {
    UploadedFile {
        file_id,
        parts,
        name: "f.bin".into(),
        md5_checksum: String::new(),
        big,
    }
}

fn document(file: UploadedFile) -> NewDocument {
    NewDocument {
        file,
        thumb: None,
        mime_type: "application/octet-stream".into(),
        attributes: Vec::new(),
    }
}

/// Uploads `data` in 512 KiB big-file parts, in reverse order and concurrently.
async fn upload_big(media: &Arc<LocalMediaService>, file_id: i64, data: &[u8]) -> i32 {
    let parts: Vec<Vec<u8>> = data.chunks(PART).map(<[u8]>::to_vec).collect();
    let total = i32::try_from(parts.len()).expect("parts");
    let mut tasks = Vec::new();
    for (index, bytes) in parts.into_iter().enumerate().rev() {
        let media = media.clone();
        tasks.push(tokio::spawn(async move {
            let index = i32::try_from(index).expect("index");
            media
                .save_file_part(OWNER, file_id, index, Some(total), bytes)
                .await
        }));
    }
    for task in tasks {
        task.await.expect("join").expect("part saved");
    }
    total
}

async fn read_all(media: &dyn MediaService, location: FileLocation) -> Vec<u8> {
    let mut out = Vec::new();
    loop {
        let chunk = media
            .read_file(location.clone(), out.len() as u64, 1024 * 1024)
            .await
            .expect("read");
        if chunk.bytes.is_empty() {
            return out;
        }
        out.extend(chunk.bytes);
    }
}

#[tokio::test]
async fn part_rules_and_errors() {
    let env = Env::new().await;
    let media = env.service();
    let save = |part, total: Option<i32>, bytes: Vec<u8>| {
        let media = &media;
        async move { media.save_file_part(OWNER, 7, part, total, bytes).await }
    };
    assert_eq!(rejected(save(0, None, Vec::new()).await), "FILE_PART_EMPTY");
    assert_eq!(
        rejected(save(0, None, vec![0; PART + 1]).await),
        "FILE_PART_TOO_BIG"
    );
    assert_eq!(
        rejected(save(-1, None, vec![0; 10]).await),
        "FILE_PART_INVALID"
    );
    assert_eq!(
        rejected(save(8000, None, vec![0; 10]).await),
        "FILE_PART_INVALID"
    );
    assert_eq!(
        rejected(save(0, Some(0), vec![0; 1024]).await),
        "FILE_PARTS_INVALID"
    );
    assert_eq!(
        rejected(save(3, Some(3), vec![0; 1024]).await),
        "FILE_PART_INVALID"
    );
    // Not the last part and not 1 KiB x 2^k.
    assert_eq!(
        rejected(save(0, Some(3), vec![0; 1000]).await),
        "FILE_PART_SIZE_INVALID"
    );
    assert_eq!(
        rejected(save(0, Some(3), vec![0; 3072]).await),
        "FILE_PART_SIZE_INVALID"
    );
    save(0, Some(3), vec![0; 4096]).await.expect("first part");
    assert_eq!(
        rejected(save(1, Some(3), vec![0; 8192]).await),
        "FILE_PART_SIZE_CHANGED"
    );
    assert_eq!(
        rejected(save(1, Some(4), vec![0; 4096]).await),
        "FILE_PARTS_INVALID"
    );
    save(2, Some(3), vec![0; 100])
        .await
        .expect("last part may be short");
    let missing = media
        .upload_document(OWNER, document(file(7, 3, true)), 1)
        .await;
    assert_eq!(rejected(missing), "FILE_PART_1_MISSING");
    // Someone else's upload with the same file id is not ours.
    let foreign = media
        .upload_document(OWNER + 1, document(file(7, 3, true)), 1)
        .await;
    assert_eq!(rejected(foreign), "FILE_PART_0_MISSING");

    media
        .save_file_part(OWNER, 8, 0, None, b"hello".to_vec())
        .await
        .expect("part");
    let mut bad_md5 = file(8, 1, false);
    bad_md5.md5_checksum = "00000000000000000000000000000000".into();
    let result = media.upload_document(OWNER, document(bad_md5), 1).await;
    assert_eq!(rejected(result), "MD5_CHECKSUM_INVALID");
    let mut good_md5 = file(8, 1, false);
    good_md5.md5_checksum = "5d41402abc4b2a76b9719d911017c592".into();
    media
        .upload_document(OWNER, document(good_md5), 1)
        .await
        .expect("md5 of 'hello'");
}

#[tokio::test]
async fn parts_survive_a_restart_and_documents_read_back() {
    let env = Env::new().await;
    let data = pattern(3 * PART + 1234, 3);
    {
        let media = Arc::new(env.service());
        upload_big(&media, 42, &data).await;
    }
    // A new service over the same disk: the parts are still there.
    let media = env.service();
    let doc = media
        .upload_document(OWNER, document(file(42, 4, true)), 100)
        .await
        .expect("document");
    assert_eq!(doc.size, data.len() as i64);
    let location = FileLocation::Document {
        id: doc.id,
        access_hash: doc.access_hash,
        file_reference: doc.file_reference.clone(),
        thumb_size: String::new(),
    };
    assert_eq!(read_all(&media, location.clone()).await, data);
    let tail = media
        .read_file(location, 3 * PART as u64, 4096)
        .await
        .expect("tail");
    assert_eq!(tail.bytes, data[3 * PART..]);
    // Used parts are gone.
    let again = media
        .upload_document(OWNER, document(file(42, 4, true)), 100)
        .await;
    assert_eq!(rejected(again), "FILE_PART_0_MISSING");
}

#[tokio::test]
async fn same_content_is_stored_once() {
    let env = Env::new().await;
    let media = Arc::new(env.service());
    let data = pattern(2 * PART, 9);
    upload_big(&media, 1, &data).await;
    upload_big(&media, 2, &data).await;
    let a = media
        .upload_document(OWNER, document(file(1, 2, true)), 1)
        .await
        .expect("first");
    let b = media
        .upload_document(OWNER, document(file(2, 2, true)), 2)
        .await
        .expect("second");
    assert_ne!(a.id, b.id);
    assert_eq!(a.object_key, b.object_key);
    let stored = std::fs::read_dir(env.dir.join("files/documents"))
        .expect("bucket dir")
        .count();
    assert_eq!(stored, 1, "one object directory for two equal uploads");
}

#[tokio::test]
async fn photos_get_sizes_and_checked_locations() {
    let env = Env::new().await;
    let media = env.service();
    let image = image::RgbImage::from_fn(1024, 768, |x, y| {
        image::Rgb([(x % 256) as u8, (y % 256) as u8, 128])
    });
    let mut png = Vec::new();
    image::DynamicImage::ImageRgb8(image)
        .write_to(&mut std::io::Cursor::new(&mut png), image::ImageFormat::Png)
        .expect("png");
    for (index, chunk) in png.chunks(PART).enumerate() {
        let index = i32::try_from(index).expect("index");
        media
            .save_file_part(OWNER, 5, index, None, chunk.to_vec())
            .await
            .expect("part");
    }
    let parts = i32::try_from(png.len().div_ceil(PART)).expect("parts");
    let photo = media
        .upload_photo(OWNER, file(5, parts, false), 10)
        .await
        .expect("photo");
    let kinds: Vec<&str> = photo.sizes.iter().map(|s| s.kind.as_str()).collect();
    assert_eq!(kinds, ["i", "s", "m", "x", "y"]);
    let at = |thumb: &str, reference: Vec<u8>, hash: i64| FileLocation::Photo {
        id: photo.id,
        access_hash: hash,
        file_reference: reference,
        thumb_size: thumb.into(),
    };
    let x = read_all(
        &media,
        at("x", photo.file_reference.clone(), photo.access_hash),
    )
    .await;
    let decoded = image::load_from_memory(&x).expect("x decodes");
    assert_eq!((decoded.width(), decoded.height()), (800, 600));
    let stale = media
        .read_file(at("x", vec![0; 16], photo.access_hash), 0, 4096)
        .await;
    assert_eq!(rejected(stale), "FILE_REFERENCE_EXPIRED");
    let short = media
        .read_file(at("x", vec![1, 2], photo.access_hash), 0, 4096)
        .await;
    assert_eq!(rejected(short), "FILE_REFERENCE_INVALID");
    let foreign = media
        .read_file(
            at("x", photo.file_reference.clone(), photo.access_hash ^ 1),
            0,
            4096,
        )
        .await;
    assert_eq!(rejected(foreign), "LOCATION_INVALID");
    let no_size = media
        .read_file(
            at("w", photo.file_reference.clone(), photo.access_hash),
            0,
            4096,
        )
        .await;
    assert_eq!(rejected(no_size), "LOCATION_INVALID");

    media
        .save_file_part(OWNER, 6, 0, None, b"not an image".to_vec())
        .await
        .expect("part");
    let garbage = media.upload_photo(OWNER, file(6, 1, false), 10).await;
    assert_eq!(rejected(garbage), "IMAGE_PROCESS_FAILED");
}

/// A big document through the S3 dfs: multipart chunks, range reads.
#[tokio::test]
async fn big_document_on_s3() {
    let Ok(endpoint) = std::env::var("ECHO_TEST_S3_ENDPOINT") else {
        eprintln!("SKIPPED: ECHO_TEST_S3_ENDPOINT is not set (scripts/s3-test-server.sh)");
        return;
    };
    let mut env = Env::new().await;
    env.dfs = Arc::new(S3Dfs::new(&S3Config {
        endpoint,
        region: "us-east-1".into(),
        access_key: std::env::var("ECHO_TEST_S3_ACCESS_KEY").unwrap_or_else(|_| "echotest".into()),
        secret_key: std::env::var("ECHO_TEST_S3_SECRET_KEY")
            .unwrap_or_else(|_| "echotestsecret".into()),
        bucket_prefix: format!("m{:08x}-", rand::random::<u32>()),
    }));
    env.dfs.ensure_buckets().await.expect("S3 buckets");
    let media = Arc::new(env.service());
    // 9 MiB + a bit: two multipart chunks (8 MiB and the rest).
    let data = pattern(18 * PART + 777, 1);
    let parts = upload_big(&media, 77, &data).await;
    let doc = media
        .upload_document(OWNER, document(file(77, parts, true)), 1)
        .await
        .expect("document on S3");
    let location = FileLocation::Document {
        id: doc.id,
        access_hash: doc.access_hash,
        file_reference: doc.file_reference.clone(),
        thumb_size: String::new(),
    };
    assert_eq!(read_all(media.as_ref(), location).await, data);
}
