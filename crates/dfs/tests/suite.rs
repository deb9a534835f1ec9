//! The dfs test suite: every case runs against [`LocalDisk`] in a temp dir and against a
//! real S3-protocol server when `ECHO_TEST_S3_ENDPOINT` is set (scripts/s3-test-server.sh
//! starts one; `ECHO_TEST_S3_ACCESS_KEY` / `ECHO_TEST_S3_SECRET_KEY` default to the
//! script's). Without it the S3 variants print why and pass as skipped.

use std::future::Future;
use std::sync::Arc;

use echo_dfs::{Bucket, Dfs, DfsError, LocalDisk, S3Config, S3Dfs, UPLOAD_CHUNK_MIN};

type Case<F> = fn(Arc<dyn Dfs>) -> F;

async fn on_local<F>(case: Case<F>)
where
    F: Future<Output = anyhow::Result<()>>,
{
    let root = std::env::temp_dir().join(format!(
        "echo-dfs-test-{}-{:08x}",
        std::process::id(),
        rand::random::<u32>()
    ));
    let dfs: Arc<dyn Dfs> = Arc::new(LocalDisk::new(&root));
    dfs.ensure_buckets().await.expect("buckets");
    let outcome = case(dfs).await;
    let _ = std::fs::remove_dir_all(&root);
    outcome.expect("local disk case");
}

async fn on_s3<F>(case: Case<F>)
where
    F: Future<Output = anyhow::Result<()>>,
{
    let Ok(endpoint) = std::env::var("ECHO_TEST_S3_ENDPOINT") else {
        eprintln!(
            "SKIPPED: ECHO_TEST_S3_ENDPOINT is not set; run scripts/s3-test-server.sh \
             (scripts/test.sh does) to test the S3 implementation"
        );
        return;
    };
    let config = S3Config {
        endpoint,
        region: "us-east-1".into(),
        access_key: std::env::var("ECHO_TEST_S3_ACCESS_KEY").unwrap_or_else(|_| "echotest".into()),
        secret_key: std::env::var("ECHO_TEST_S3_SECRET_KEY")
            .unwrap_or_else(|_| "echotestsecret".into()),
        bucket_prefix: format!("t{:08x}-", rand::random::<u32>()),
    };
    let dfs: Arc<dyn Dfs> = Arc::new(S3Dfs::new(&config));
    dfs.ensure_buckets().await.expect("S3 buckets");
    case(dfs).await.expect("S3 case");
}

macro_rules! suite {
    ($($case:ident),* $(,)?) => {
        mod local {
            $(
                #[tokio::test]
                async fn $case() {
                    crate::on_local(crate::$case).await;
                }
            )*
        }
        mod s3 {
            $(
                #[tokio::test]
                async fn $case() {
                    crate::on_s3(crate::$case).await;
                }
            )*
        }
    };
}

suite!(
    put_read_ranges,
    missing_objects,
    chunked_upload_joins_in_order,
    buckets_are_separate,
    ensure_buckets_is_idempotent,
);

fn pattern(len: usize, seed: u8) -> Vec<u8> {
    (0..len)
        .map(|i| (i as u8).wrapping_mul(31).wrapping_add(seed))
        .collect()
}

async fn put_read_ranges(dfs: Arc<dyn Dfs>) -> anyhow::Result<()> {
    let data = pattern(100_000, 7);
    dfs.put(Bucket::Documents, "ab/abcdef", data.clone())
        .await?;
    assert_eq!(
        dfs.size(Bucket::Documents, "ab/abcdef").await?,
        Some(100_000)
    );
    assert_eq!(
        dfs.read(Bucket::Documents, "ab/abcdef", 0, 4096).await?,
        data[..4096]
    );
    assert_eq!(
        dfs.read(Bucket::Documents, "ab/abcdef", 98_304, 4096)
            .await?,
        data[98_304..]
    );
    assert!(dfs
        .read(Bucket::Documents, "ab/abcdef", 100_000, 4096)
        .await?
        .is_empty());
    // Replacing an object.
    dfs.put(Bucket::Documents, "ab/abcdef", vec![1, 2, 3])
        .await?;
    assert_eq!(
        dfs.read(Bucket::Documents, "ab/abcdef", 0, 4096).await?,
        [1, 2, 3]
    );
    dfs.delete(Bucket::Documents, "ab/abcdef").await?;
    assert_eq!(dfs.size(Bucket::Documents, "ab/abcdef").await?, None);
    Ok(())
}

async fn missing_objects(dfs: Arc<dyn Dfs>) -> anyhow::Result<()> {
    assert_eq!(dfs.size(Bucket::Photos, "no/such").await?, None);
    let err = dfs.read(Bucket::Photos, "no/such", 0, 4096).await;
    assert!(matches!(err, Err(DfsError::NotFound { .. })), "{err:?}");
    dfs.delete(Bucket::Photos, "no/such").await?;
    assert!(matches!(
        dfs.put(Bucket::Photos, "../escape", vec![1]).await,
        Err(DfsError::InvalidKey(_))
    ));
    Ok(())
}

async fn chunked_upload_joins_in_order(dfs: Arc<dyn Dfs>) -> anyhow::Result<()> {
    let first = pattern(UPLOAD_CHUNK_MIN, 1);
    let second = pattern(UPLOAD_CHUNK_MIN, 2);
    let last = pattern(12_345, 3);
    let key = "cd/chunked";
    let id = dfs.begin_upload(Bucket::Videos, key).await?;
    // Chunks may arrive out of order; receipts are handed back in index order.
    let r2 = dfs
        .upload_chunk(Bucket::Videos, key, &id, 2, last.clone())
        .await?;
    let r0 = dfs
        .upload_chunk(Bucket::Videos, key, &id, 0, first.clone())
        .await?;
    let r1 = dfs
        .upload_chunk(Bucket::Videos, key, &id, 1, second.clone())
        .await?;
    assert_eq!(
        dfs.size(Bucket::Videos, key).await?,
        None,
        "not visible before finish"
    );
    dfs.finish_upload(Bucket::Videos, key, &id, vec![r0, r1, r2])
        .await?;
    let total = (2 * UPLOAD_CHUNK_MIN + last.len()) as u64;
    assert_eq!(dfs.size(Bucket::Videos, key).await?, Some(total));
    let boundary = UPLOAD_CHUNK_MIN as u64 - 2048;
    let across = dfs.read(Bucket::Videos, key, boundary, 4096).await?;
    let mut expected = first[first.len() - 2048..].to_vec();
    expected.extend_from_slice(&second[..2048]);
    assert_eq!(across, expected);
    let tail = dfs
        .read(Bucket::Videos, key, 2 * UPLOAD_CHUNK_MIN as u64, 1 << 20)
        .await?;
    assert_eq!(tail, last);

    let dropped = dfs.begin_upload(Bucket::Videos, "cd/dropped").await?;
    dfs.upload_chunk(Bucket::Videos, "cd/dropped", &dropped, 0, vec![9; 10])
        .await?;
    dfs.abort_upload(Bucket::Videos, "cd/dropped", &dropped)
        .await?;
    assert_eq!(dfs.size(Bucket::Videos, "cd/dropped").await?, None);
    Ok(())
}

async fn buckets_are_separate(dfs: Arc<dyn Dfs>) -> anyhow::Result<()> {
    dfs.put(Bucket::Photos, "same/key", vec![1]).await?;
    dfs.put(Bucket::EncryptedFiles, "same/key", vec![2, 2])
        .await?;
    assert_eq!(dfs.size(Bucket::Photos, "same/key").await?, Some(1));
    assert_eq!(dfs.size(Bucket::EncryptedFiles, "same/key").await?, Some(2));
    assert_eq!(dfs.size(Bucket::Documents, "same/key").await?, None);
    Ok(())
}

async fn ensure_buckets_is_idempotent(dfs: Arc<dyn Dfs>) -> anyhow::Result<()> {
    dfs.put(Bucket::Documents, "keep/me", vec![5]).await?;
    dfs.ensure_buckets().await?;
    assert_eq!(dfs.size(Bucket::Documents, "keep/me").await?, Some(1));
    Ok(())
}
