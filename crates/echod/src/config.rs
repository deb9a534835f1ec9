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
