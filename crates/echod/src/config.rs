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
    /// Bearer token of the admin HTTP API; unset disables `/v1/*` (ECHO_ADMIN_TOKEN overrides).
    pub admin_token: Option<Secret>,
    /// How login codes are delivered (default: the log).
    pub code_sender: Option<CodeSenderConfig>,
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
    pub admin_token: Option<Secret>,
    pub code_sender: CodeSenderConfig,
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
