//! The webhook code sender against a real (tiny) HTTP server: what it sends, and how it treats
//! error statuses, silence and garbage.

use echo_admin::WebhookCodeSender;
use echo_bff::CodeSender;
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpListener;

/// Accepts one connection, captures the request, answers `reply`.
async fn one_shot(reply: &'static str) -> (String, tokio::task::JoinHandle<String>) {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/send-code", listener.local_addr().unwrap());
    let task = tokio::spawn(async move {
        let (mut stream, _) = listener.accept().await.unwrap();
        let mut request = Vec::new();
        let mut buf = [0u8; 1024];
        // Read the head, then the body by Content-Length.
        loop {
            let n = stream.read(&mut buf).await.unwrap();
            request.extend_from_slice(&buf[..n]);
            let text = String::from_utf8_lossy(&request).to_string();
            if let Some((head, body)) = text.split_once("\r\n\r\n") {
                let len: usize = head
                    .lines()
                    .find_map(|l| l.strip_prefix("Content-Length: "))
                    .map(|v| v.trim().parse().unwrap())
                    .unwrap_or(0);
                if body.len() >= len {
                    break;
                }
            }
            if n == 0 {
                break;
            }
        }
        stream.write_all(reply.as_bytes()).await.unwrap();
        String::from_utf8(request).unwrap()
    });
    (url, task)
}

#[tokio::test]
async fn posts_the_code_as_json() {
    let (url, server) = one_shot("HTTP/1.1 204 No Content\r\n\r\n").await;
    let sender = WebhookCodeSender::new(&url, Some("hook-token".into())).unwrap();
    sender.send("15550001", "54321").await.unwrap();
    let request = server.await.unwrap();
    assert!(request.starts_with("POST /send-code HTTP/1.1\r\n"));
    assert!(request.contains("Content-Type: application/json\r\n"));
    assert!(request.contains("Authorization: Bearer hook-token\r\n"));
    let body = request.split_once("\r\n\r\n").unwrap().1;
    let json: serde_json::Value = serde_json::from_str(body).unwrap();
    assert_eq!(json["phone"], "15550001");
    assert_eq!(json["code"], "54321");
}

#[tokio::test]
async fn error_statuses_and_garbage_fail() {
    let (url, _server) = one_shot("HTTP/1.1 500 Internal Server Error\r\n\r\n").await;
    let err = WebhookCodeSender::new(&url, None)
        .unwrap()
        .send("15550001", "1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("500"), "{err}");

    let (url, _server) = one_shot("SSH-2.0-OpenSSH\r\n").await;
    let err = WebhookCodeSender::new(&url, None)
        .unwrap()
        .send("15550001", "1")
        .await
        .unwrap_err();
    assert!(err.to_string().contains("status"), "{err}");
}

#[tokio::test]
async fn a_closed_port_fails() {
    let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/", listener.local_addr().unwrap());
    drop(listener);
    let sender = WebhookCodeSender::new(&url, None).unwrap();
    assert!(sender.send("15550001", "1").await.is_err());
}
