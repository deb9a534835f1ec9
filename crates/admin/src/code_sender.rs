//! An HTTP webhook [`CodeSender`]: every login code is POSTed as JSON
//! `{"phone": "...", "code": "..."}` to an operator's endpoint (an SMS gateway adapter, a chat
//! bot...). Plain `http://` only, HTTP/1.1 with `Connection: close`, bounded in time and in
//! how much of the answer is read; any 2xx status counts as delivered.

use std::time::Duration;

use async_trait::async_trait;
use echo_bff::{CodeSendError, CodeSender};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;

/// The whole exchange (connect, send, read the status line) must finish within this.
const TIMEOUT: Duration = Duration::from_secs(10);
/// Bytes of the answer read to find the status line.
const MAX_ANSWER: usize = 4096;

/// Where and how to POST codes.
#[derive(Clone)]
pub struct WebhookCodeSender {
    host: String,
    port: u16,
    path: String,
    /// Sent as `Authorization: Bearer <token>` when set.
    token: Option<String>,
}

impl std::fmt::Debug for WebhookCodeSender {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("WebhookCodeSender")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("webhook URL must look like http://host[:port][/path]: {0}")]
pub struct BadWebhookUrl(String);

impl WebhookCodeSender {
    pub fn new(url: &str, token: Option<String>) -> Result<Self, BadWebhookUrl> {
        let bad = || BadWebhookUrl(url.to_string());
        let rest = url.strip_prefix("http://").ok_or_else(bad)?;
        let (authority, path) = match rest.find('/') {
            Some(i) => (&rest[..i], &rest[i..]),
            None => (rest, "/"),
        };
        let (host, port) = match authority.rsplit_once(':') {
            Some((h, p)) if !h.ends_with(']') || h.starts_with('[') => {
                (h, p.parse::<u16>().map_err(|_| bad())?)
            }
            _ => (authority, 80),
        };
        let host = host.trim_start_matches('[').trim_end_matches(']');
        if host.is_empty() || path.contains(['\r', '\n', ' ']) {
            return Err(bad());
        }
        Ok(Self {
            host: host.to_string(),
            port,
            path: path.to_string(),
            token: token.filter(|t| !t.is_empty()),
        })
    }

    fn request(&self, phone: &str, code: &str) -> Vec<u8> {
        // A struct, not json!{}: its field order does not depend on serde_json's features.
        #[derive(serde::Serialize)]
        struct Body<'a> {
            phone: &'a str,
            code: &'a str,
        }
        let body = serde_json::to_string(&Body { phone, code }).unwrap_or_default();
        let host = if self.host.contains(':') {
            format!("[{}]", self.host)
        } else {
            self.host.clone()
        };
        let mut head = format!(
            "POST {} HTTP/1.1\r\nHost: {}:{}\r\nContent-Type: application/json\r\n\
             Content-Length: {}\r\nConnection: close\r\nUser-Agent: echod\r\n",
            self.path,
            host,
            self.port,
            body.len()
        );
        if let Some(token) = &self.token {
            head.push_str(&format!("Authorization: Bearer {token}\r\n"));
        }
        head.push_str("\r\n");
        let mut out = head.into_bytes();
        out.extend_from_slice(body.as_bytes());
        out
    }

    async fn post(&self, phone: &str, code: &str) -> Result<u16, String> {
        let mut stream = TcpStream::connect((self.host.as_str(), self.port))
            .await
            .map_err(|e| format!("connect: {e}"))?;
        stream
            .write_all(&self.request(phone, code))
            .await
            .map_err(|e| format!("send: {e}"))?;
        let mut answer = Vec::new();
        let mut buf = [0u8; 512];
        while answer.len() < MAX_ANSWER && !answer.windows(2).any(|w| w == b"\r\n") {
            let n = stream
                .read(&mut buf)
                .await
                .map_err(|e| format!("read: {e}"))?;
            if n == 0 {
                break;
            }
            answer.extend_from_slice(buf.get(..n).unwrap_or_default());
        }
        status_of(&answer).ok_or_else(|| "no HTTP status line in the answer".to_string())
    }
}

/// The status code of an `HTTP/1.x NNN ...` status line.
fn status_of(answer: &[u8]) -> Option<u16> {
    let line = answer.split(|b| *b == b'\n').next()?;
    let line = std::str::from_utf8(line).ok()?;
    let mut parts = line.split_whitespace();
    if !parts.next()?.starts_with("HTTP/1.") {
        return None;
    }
    parts.next()?.parse().ok()
}

#[async_trait]
impl CodeSender for WebhookCodeSender {
    async fn send(&self, phone: &str, code: &str) -> Result<(), CodeSendError> {
        match tokio::time::timeout(TIMEOUT, self.post(phone, code)).await {
            Ok(Ok(status)) if (200..300).contains(&status) => {
                tracing::debug!(phone = %phone, status, "login code delivered by webhook");
                Ok(())
            }
            Ok(Ok(status)) => Err(CodeSendError(format!("webhook answered {status}"))),
            Ok(Err(e)) => Err(CodeSendError(e)),
            Err(_) => Err(CodeSendError("webhook timed out".into())),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_urls() {
        let s = WebhookCodeSender::new("http://127.0.0.1:9000/sms/send", None).unwrap();
        assert_eq!(
            (s.host.as_str(), s.port, s.path.as_str()),
            ("127.0.0.1", 9000, "/sms/send")
        );
        let s = WebhookCodeSender::new("http://example.test", Some(String::new())).unwrap();
        assert_eq!(
            (s.port, s.path.as_str(), s.token.is_none()),
            (80, "/", true)
        );
        let s = WebhookCodeSender::new("http://[::1]:81/x", None).unwrap();
        assert_eq!((s.host.as_str(), s.port), ("::1", 81));
        for bad in [
            "https://x",
            "ftp://x",
            "http://",
            "http://h:port/",
            "http://h/a b",
        ] {
            assert!(WebhookCodeSender::new(bad, None).is_err(), "{bad}");
        }
    }

    #[test]
    fn builds_request_and_reads_status() {
        let s = WebhookCodeSender::new("http://h:1/p", Some("t0k".into())).unwrap();
        let req = String::from_utf8(s.request("155", "12345")).unwrap();
        assert!(req.starts_with("POST /p HTTP/1.1\r\nHost: h:1\r\n"));
        assert!(req.contains("Authorization: Bearer t0k\r\n"));
        assert!(req.ends_with("\r\n\r\n{\"phone\":\"155\",\"code\":\"12345\"}"));
        assert_eq!(status_of(b"HTTP/1.1 204 No Content\r\n"), Some(204));
        assert_eq!(status_of(b"garbage"), None);
        assert_eq!(status_of(b""), None);
    }
}
