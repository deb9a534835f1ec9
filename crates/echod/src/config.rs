//! `echod` configuration: a YAML file (etc/echod.yaml) overridden by environment variables and
//! command-line flags. Defaults run everything embedded (SQLite in the data dir).

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{bail, Context};
use serde::Deserialize;

/// Settings as they may appear in the YAML file; every field is optional there.
#[derive(Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct FileConfig {
    pub data_dir: Option<PathBuf>,
    pub listen: Option<SocketAddr>,
    pub http: Option<SocketAddr>,
    pub public_addr: Option<String>,
    pub database_url: Option<String>,
    pub dc_id: Option<i32>,
    pub dev_codes: Option<bool>,
    pub proxy_secrets: Option<Vec<String>>,
    pub send_code_per_hour: Option<i64>,
    /// Messages one user may send per minute (0: no limit).
    pub send_message_per_minute: Option<u32>,
    /// Flood limits of the login and password flows (`security:` section).
    pub security: Option<SecurityFileConfig>,
    /// Bearer token of the admin HTTP API; unset disables `/v1/*` (ECHO_ADMIN_TOKEN overrides).
    pub admin_token: Option<Secret>,
    /// How login codes are delivered (default: the log).
    pub code_sender: Option<CodeSenderConfig>,
    /// The split deployment (`echod <role>`); ignored by `echod run`.
    pub cluster: Option<ClusterFileConfig>,
    /// Media files on an S3-protocol server instead of the data dir (ECHO_S3_* override).
    pub s3: Option<S3Settings>,
}

/// `cluster:` in etc/<role>.yaml: where the shared servers are and how this role is reached.
#[derive(Clone, Debug, Default, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ClusterFileConfig {
    /// etcd endpoints, "host:port".
    pub etcd: Option<Vec<String>>,
    /// redis://host:port/db
    pub redis_url: Option<String>,
    /// Kafka bootstrap servers, "host:port[,host:port]".
    pub kafka_brokers: Option<String>,
    /// Where this role serves gRPC.
    pub grpc_listen: Option<SocketAddr>,
    /// The address other roles reach this one at (default: grpc_listen, 127.0.0.1 for 0.0.0.0).
    pub grpc_advertise: Option<String>,
    /// Seconds an instance stays registered in etcd without renewing.
    pub lease_ttl_secs: Option<u64>,
    /// Partitions of the Sync and Inbox topics when they are created.
    pub topic_partitions: Option<i32>,
    /// The Sync partitions this sync instance consumes (default: all); several sync
    /// instances split the partitions between them.
    pub sync_partitions: Option<Vec<i32>>,
    /// The Inbox partitions this msg instance applies (default: all).
    pub inbox_partitions: Option<Vec<i32>>,
}

/// `security:` in etc/echod.yaml; each key overrides one of `echo_bff::SecurityLimits`.
#[derive(Debug, Default, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct SecurityFileConfig {
    pub send_code_per_ip_per_hour: Option<i64>,
    pub sign_in_failures_per_hour: Option<i64>,
    pub password_failures_per_hour: Option<i64>,
    pub ip_limit_exempts_loopback: Option<bool>,
    pub login_token_ttl_secs: Option<i64>,
}

impl SecurityFileConfig {
    /// The defaults with this file's keys applied.
    pub fn resolve(&self) -> echo_bff::SecurityLimits {
        let d = echo_bff::SecurityLimits::default();
        echo_bff::SecurityLimits {
            send_code_per_ip_per_hour: self
                .send_code_per_ip_per_hour
                .unwrap_or(d.send_code_per_ip_per_hour),
            sign_in_failures_per_hour: self
                .sign_in_failures_per_hour
                .unwrap_or(d.sign_in_failures_per_hour),
            password_failures_per_hour: self
                .password_failures_per_hour
                .unwrap_or(d.password_failures_per_hour),
            ip_limit_exempts_loopback: self
                .ip_limit_exempts_loopback
                .unwrap_or(d.ip_limit_exempts_loopback),
            login_token_ttl_secs: self.login_token_ttl_secs.unwrap_or(d.login_token_ttl_secs),
        }
    }
}

/// `s3:` in etc/echod.yaml: where the dfs buckets live (MinIO, s3s-fs, AWS).
#[derive(Clone, Debug, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct S3Settings {
    pub endpoint: String,
    #[serde(default)]
    pub region: Option<String>,
    pub access_key: String,
    pub secret_key: Secret,
    /// Put before each bucket name (documents, encryptedfiles, photos, videos).
    #[serde(default)]
    pub bucket_prefix: Option<String>,
}

impl S3Settings {
    /// ECHO_S3_ENDPOINT / ECHO_S3_ACCESS_KEY / ECHO_S3_SECRET_KEY / ECHO_S3_REGION, if the
    /// endpoint is set.
    pub fn from_env() -> Option<S3Settings> {
        let endpoint = std::env::var("ECHO_S3_ENDPOINT").ok()?;
        let var = |name: &str| std::env::var(name).unwrap_or_default();
        Some(S3Settings {
            endpoint,
            region: std::env::var("ECHO_S3_REGION").ok(),
            access_key: var("ECHO_S3_ACCESS_KEY"),
            secret_key: Secret(var("ECHO_S3_SECRET_KEY")),
            bucket_prefix: std::env::var("ECHO_S3_BUCKET_PREFIX").ok(),
        })
    }
}

/// A value that must not appear in logs or `{:?}` output (tokens).
#[derive(Clone, Default, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct Secret(pub String);

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("<redacted>")
    }
}

/// `code_sender:` in etc/echod.yaml.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, Eq)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum CodeSenderConfig {
    /// Write codes to the log (INFO).
    #[default]
    Log,
    /// POST `{"phone", "code"}` as JSON to `url` (http://), with `Authorization: Bearer token`
    /// when a token is given.
    Webhook {
        url: String,
        #[serde(default)]
        token: Option<Secret>,
    },
}

impl FileConfig {
    pub fn load(path: &std::path::Path) -> anyhow::Result<Self> {
        let text =
            std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
        serde_yaml::from_str(&text).with_context(|| format!("parsing {}", path.display()))
    }
}

/// The resolved settings `echod run` uses.
#[derive(Clone, Debug)]
pub struct RunConfig {
    pub data_dir: PathBuf,
    pub listen: SocketAddr,
    pub http: SocketAddr,
    /// Host and port clients are told to connect to (help.getConfig dc_options).
    pub public_host: String,
    pub public_port: u16,
    pub database_url: String,
    pub dc_id: i32,
    pub dev_codes: bool,
    pub proxy_secrets: Vec<[u8; 16]>,
    pub send_code_per_hour: i64,
    pub send_message_per_minute: u32,
    pub security: echo_bff::SecurityLimits,
    pub admin_token: Option<Secret>,
    pub code_sender: CodeSenderConfig,
    /// None: media files on the local disk under `data_dir/files`.
    pub s3: Option<S3Settings>,
}

/// Parses "HEX[,HEX]" MTProxy secrets: 16 bytes, optionally prefixed "dd" (padded) or "ee".
pub fn parse_secrets(list: &[String]) -> anyhow::Result<Vec<[u8; 16]>> {
    let mut out = Vec::new();
    for item in list
        .iter()
        .flat_map(|s| s.split(','))
        .map(str::trim)
        .filter(|s| !s.is_empty())
    {
        let bytes =
            hex::decode(item).with_context(|| format!("proxy secret {item:?} is not hex"))?;
        let raw = match bytes.len() {
            16 => &bytes[..],
            17 if bytes[0] == 0xdd || bytes[0] == 0xee => &bytes[1..17],
            n => bail!("proxy secret must be 16 bytes (32 hex digits), optionally prefixed dd; got {n} bytes"),
        };
        let mut secret = [0u8; 16];
        secret.copy_from_slice(raw);
        out.push(secret);
    }
    Ok(out)
}

/// Splits "host:port" (IPv6 as "[::1]:port").
pub fn split_host_port(s: &str) -> anyhow::Result<(String, u16)> {
    let (host, port) = s
        .rsplit_once(':')
        .context("public address must be HOST:PORT")?;
    let host = host
        .trim_start_matches('[')
        .trim_end_matches(']')
        .to_string();
    Ok((host, port.parse().context("bad port in public address")?))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_shipped_config_file_parses() {
        let etc = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../etc");
        let mut seen = 0;
        for entry in std::fs::read_dir(&etc).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "yaml") {
                FileConfig::load(&path).unwrap_or_else(|e| panic!("{}: {e:#}", path.display()));
                seen += 1;
            }
        }
        assert!(seen >= 7, "etc/echod.yaml and one file per role");
    }

    #[test]
    fn admin_settings_parse_and_stay_secret() {
        let file: FileConfig = serde_yaml::from_str(
            "admin_token: s3cret\ncode_sender:\n  kind: webhook\n  url: http://127.0.0.1:9/x\n  token: t\n",
        )
        .unwrap();
        assert_eq!(file.admin_token, Some(Secret("s3cret".into())));
        assert!(!format!("{file:?}").contains("s3cret"));
        assert_eq!(
            file.code_sender,
            Some(CodeSenderConfig::Webhook {
                url: "http://127.0.0.1:9/x".into(),
                token: Some(Secret("t".into()))
            })
        );
        let log: FileConfig = serde_yaml::from_str("code_sender: {kind: log}").unwrap();
        assert_eq!(log.code_sender, Some(CodeSenderConfig::Log));
        assert!(serde_yaml::from_str::<FileConfig>("code_sender: {kind: sms}").is_err());
    }

    #[test]
    fn s3_settings_parse_and_stay_secret() {
        let file: FileConfig = serde_yaml::from_str(
            "s3:\n  endpoint: http://127.0.0.1:9000\n  access_key: ak\n  secret_key: sk-value\n",
        )
        .unwrap();
        let s3 = file.s3.clone().expect("s3 section");
        assert_eq!(s3.endpoint, "http://127.0.0.1:9000");
        assert_eq!(s3.secret_key, Secret("sk-value".into()));
        assert_eq!(s3.region, None);
        assert!(!format!("{file:?}").contains("sk-value"));
        assert!(serde_yaml::from_str::<FileConfig>("s3: {endpoint: x}").is_err());
    }

    #[test]
    fn secrets_and_addresses() {
        let s = parse_secrets(&[
            "dd00112233445566778899aabbccddeeff,00112233445566778899aabbccddeeff".into(),
        ])
        .unwrap();
        assert_eq!(s.len(), 2);
        assert_eq!(s[0], s[1]);
        assert!(parse_secrets(&["abc".into()]).is_err());
        assert_eq!(
            split_host_port("[::1]:443").unwrap(),
            ("::1".to_string(), 443)
        );
        assert_eq!(
            split_host_port("10.0.2.2:10443").unwrap(),
            ("10.0.2.2".to_string(), 10443)
        );
    }
}
