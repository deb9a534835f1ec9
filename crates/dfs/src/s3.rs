//! [`S3Dfs`]: the [`Dfs`] on an S3-protocol server (MinIO, s3s-fs, AWS S3), through
//! aws-sdk-s3 with path-style addressing and static credentials.
//!
//! Buckets are `<prefix><name>` ([`S3Config::bucket_prefix`], empty in production; tests use
//! a random prefix so runs do not see each other). Chunked uploads are S3 multipart uploads.

use async_trait::async_trait;
use aws_sdk_s3::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_s3::error::{DisplayErrorContext, SdkError};
use aws_sdk_s3::primitives::ByteStream;
use aws_sdk_s3::types::{CompletedMultipartUpload, CompletedPart};
use aws_sdk_s3::Client;

use crate::{check_key, Bucket, Dfs, DfsError, READ_MAX};

/// Where the S3 server is and how to sign for it.
#[derive(Debug, Clone)]
pub struct S3Config {
    /// `http://127.0.0.1:9000` for a local MinIO.
    pub endpoint: String,
    pub region: String,
    pub access_key: String,
    pub secret_key: String,
    /// Put before every bucket name.
    pub bucket_prefix: String,
}

/// Objects in an S3-protocol server.
#[derive(Debug, Clone)]
pub struct S3Dfs {
    client: Client,
    prefix: String,
}

fn s3_error<E, R>(e: SdkError<E, R>) -> DfsError
where
    E: std::error::Error + 'static,
    R: std::fmt::Debug,
{
    DfsError::S3(DisplayErrorContext(&e).to_string())
}

/// The HTTP status of a failed call, when the server answered at all.
fn status_of<E>(e: &SdkError<E, aws_sdk_s3::config::http::HttpResponse>) -> Option<u16> {
    e.raw_response().map(|r| r.status().as_u16())
}

impl S3Dfs {
    pub fn new(config: &S3Config) -> Self {
        let http = aws_smithy_http_client::Builder::new()
            .tls_provider(aws_smithy_http_client::tls::Provider::Rustls(
                aws_smithy_http_client::tls::rustls_provider::CryptoMode::Ring,
            ))
            .build_https();
        let conf = aws_sdk_s3::config::Builder::new()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(config.region.clone()))
            .endpoint_url(&config.endpoint)
            .force_path_style(true)
            .credentials_provider(Credentials::new(
                &config.access_key,
                &config.secret_key,
                None,
                None,
                "echo-config",
            ))
            .http_client(http)
            .build();
        Self {
            client: Client::from_conf(conf),
            prefix: config.bucket_prefix.clone(),
        }
    }

    fn bucket(&self, bucket: Bucket) -> String {
        format!("{}{}", self.prefix, bucket.name())
    }
}

#[async_trait]
impl Dfs for S3Dfs {
    async fn ensure_buckets(&self) -> Result<(), DfsError> {
        for bucket in Bucket::ALL {
            let name = self.bucket(bucket);
            if self.client.head_bucket().bucket(&name).send().await.is_ok() {
                continue;
            }
            match self.client.create_bucket().bucket(&name).send().await {
                Ok(_) => tracing::info!(bucket = %name, "created S3 bucket"),
                // Another server created it in between.
                Err(e) if status_of(&e) == Some(409) => {}
                Err(e) => return Err(s3_error(e)),
            }
        }
        Ok(())
    }

    async fn put(&self, bucket: Bucket, key: &str, data: Vec<u8>) -> Result<(), DfsError> {
        check_key(key)?;
        self.client
            .put_object()
            .bucket(self.bucket(bucket))
            .key(key)
            .body(ByteStream::from(data))
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    async fn size(&self, bucket: Bucket, key: &str) -> Result<Option<u64>, DfsError> {
        check_key(key)?;
        match self
            .client
            .head_object()
            .bucket(self.bucket(bucket))
            .key(key)
            .send()
            .await
        {
            Ok(head) => Ok(Some(
                u64::try_from(head.content_length().unwrap_or(0)).unwrap_or(0),
            )),
            Err(e) if status_of(&e) == Some(404) => Ok(None),
            Err(e) => Err(s3_error(e)),
        }
    }

    async fn read(
        &self,
        bucket: Bucket,
        key: &str,
        offset: u64,
        limit: u32,
    ) -> Result<Vec<u8>, DfsError> {
        check_key(key)?;
        if limit > READ_MAX {
            return Err(DfsError::BadRequest(format!("read of {limit} bytes")));
        }
        if limit == 0 {
            return Ok(Vec::new());
        }
        let last = offset + u64::from(limit) - 1;
        let got = self
            .client
            .get_object()
            .bucket(self.bucket(bucket))
            .key(key)
            .range(format!("bytes={offset}-{last}"))
            .send()
            .await;
        let object = match got {
            Ok(o) => o,
            // A range starting past the end.
            Err(e) if status_of(&e) == Some(416) => return Ok(Vec::new()),
            Err(e) if status_of(&e) == Some(404) => {
                return Err(DfsError::NotFound {
                    bucket: bucket.name(),
                    key: key.to_string(),
                })
            }
            Err(e) => return Err(s3_error(e)),
        };
        let body = object
            .body
            .collect()
            .await
            .map_err(|e| DfsError::S3(e.to_string()))?;
        let mut bytes = body.into_bytes().to_vec();
        // A server that ignores Range sends everything; keep only what was asked for.
        if object.content_range.is_none() && bytes.len() as u64 > u64::from(limit) {
            let start = usize::try_from(offset)
                .unwrap_or(usize::MAX)
                .min(bytes.len());
            let end = start.saturating_add(limit as usize).min(bytes.len());
            bytes = bytes[start..end].to_vec();
        }
        Ok(bytes)
    }

    async fn delete(&self, bucket: Bucket, key: &str) -> Result<(), DfsError> {
        check_key(key)?;
        match self
            .client
            .delete_object()
            .bucket(self.bucket(bucket))
            .key(key)
            .send()
            .await
        {
            Ok(_) => Ok(()),
            Err(e) if status_of(&e) == Some(404) => Ok(()),
            Err(e) => Err(s3_error(e)),
        }
    }

    async fn begin_upload(&self, bucket: Bucket, key: &str) -> Result<String, DfsError> {
        check_key(key)?;
        let started = self
            .client
            .create_multipart_upload()
            .bucket(self.bucket(bucket))
            .key(key)
            .send()
            .await
            .map_err(s3_error)?;
        started
            .upload_id()
            .map(str::to_string)
            .ok_or_else(|| DfsError::S3("no upload id in CreateMultipartUpload".into()))
    }

    async fn upload_chunk(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        index: u32,
        data: Vec<u8>,
    ) -> Result<String, DfsError> {
        check_key(key)?;
        let part_number = i32::try_from(index + 1)
            .map_err(|_| DfsError::BadRequest(format!("chunk index {index}")))?;
        let part = self
            .client
            .upload_part()
            .bucket(self.bucket(bucket))
            .key(key)
            .upload_id(upload_id)
            .part_number(part_number)
            .body(ByteStream::from(data))
            .send()
            .await
            .map_err(s3_error)?;
        part.e_tag()
            .map(str::to_string)
            .ok_or_else(|| DfsError::S3("no ETag in UploadPart".into()))
    }

    async fn finish_upload(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
        receipts: Vec<String>,
    ) -> Result<(), DfsError> {
        check_key(key)?;
        let mut parts = Vec::with_capacity(receipts.len());
        for (index, etag) in receipts.into_iter().enumerate() {
            let number = i32::try_from(index + 1)
                .map_err(|_| DfsError::BadRequest(format!("chunk index {index}")))?;
            parts.push(
                CompletedPart::builder()
                    .e_tag(etag)
                    .part_number(number)
                    .build(),
            );
        }
        self.client
            .complete_multipart_upload()
            .bucket(self.bucket(bucket))
            .key(key)
            .upload_id(upload_id)
            .multipart_upload(
                CompletedMultipartUpload::builder()
                    .set_parts(Some(parts))
                    .build(),
            )
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }

    async fn abort_upload(
        &self,
        bucket: Bucket,
        key: &str,
        upload_id: &str,
    ) -> Result<(), DfsError> {
        check_key(key)?;
        self.client
            .abort_multipart_upload()
            .bucket(self.bucket(bucket))
            .key(key)
            .upload_id(upload_id)
            .send()
            .await
            .map_err(s3_error)?;
        Ok(())
    }
}
