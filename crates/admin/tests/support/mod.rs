//! Test harness: the admin API on a real TCP port over in-memory SQLite, and a minimal HTTP/1.1
//! client (raw TCP) so the tests exercise exactly what curl would send.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use echo_admin::{AdminDeps, AdminState};
use echo_authsession::LocalAuthSession;
use echo_bff::{Bff, BffDeps, LogCodeSender, RpcContext, RpcService, ServerConfig};
use echo_metrics::Metrics;
use echo_storage::Storage;
use echo_tl::{enums, functions, types, Deserializable, Serializable};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio_util::sync::CancellationToken;

pub const TOKEN: &str = "test-admin-token";
pub const NOW: i64 = 1_800_000_000;

pub struct Server {
    pub addr: SocketAddr,
    pub storage: Storage,
    pub authsession: Arc<LocalAuthSession>,
    pub metrics: Arc<Metrics>,
    pub bff: Bff,
    shutdown: CancellationToken,
}

impl Drop for Server {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}

impl Server {
    pub async fn start(token: Option<&str>) -> Server {
        Self::start_with(token, false).await
    }

    /// `notifier`: wire service notifications to the in-process message service.
    pub async fn start_with(token: Option<&str>, notifier: bool) -> Server {
        let storage = Storage::connect("sqlite::memory:").await.unwrap();
        let authsession = Arc::new(LocalAuthSession::new(storage.clone()));
        let metrics = Arc::new(Metrics::new());
        let bff = Bff::new(BffDeps {
            storage: storage.clone(),
            authsession: authsession.clone(),
            config: ServerConfig::default(),
            code_sender: Arc::new(LogCodeSender),
            messaging: echo_bff::Messaging::local(
                storage.clone(),
                Arc::new(echo_bff::LocalSyncHub::new()),
            ),
            media: echo_bff::local_media(
                std::env::temp_dir().join(format!("echo-admin-test-media-{}", std::process::id())),
                &storage,
                2,
            ),
        })
        .with_metrics(metrics.clone());
        let state = AdminState::new(AdminDeps {
            storage: storage.clone(),
            authsession: authsession.clone(),
            sessions: None,
            metrics: metrics.clone(),
            token: token.map(str::to_owned),
            notifier: notifier.then(|| {
                Arc::new(echo_admin::MsgServiceNotifier::local(
                    storage.clone(),
                    Arc::new(echo_bff::LocalSyncHub::new()),
                    Arc::new(|| NOW),
                )) as Arc<dyn echo_admin::ServiceNotifier>
            }),
            clock: Arc::new(|| NOW),
        });
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let shutdown = CancellationToken::new();
        tokio::spawn(echo_admin::serve(
            listener,
            echo_admin::router(state),
            shutdown.clone(),
        ));
        Server {
            addr,
            storage,
            authsession,
            metrics,
            bff,
            shutdown,
        }
    }

    /// A request with the right token.
    pub async fn call(&self, method: &str, path: &str, body: Option<&str>) -> Answer {
        let auth = format!("Bearer {TOKEN}");
        request(self.addr, method, path, Some(&auth), body).await
    }

    pub async fn call_json(
        &self,
        method: &str,
        path: &str,
        body: Option<&str>,
    ) -> serde_json::Value {
        self.call(method, path, body).await.json()
    }
}

#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub headers: String,
    pub body: String,
}

impl Answer {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.body)
            .unwrap_or_else(|e| panic!("not JSON ({e}): {} {}", self.status, self.body))
    }

    /// The stable error code of an error answer.
    pub fn code(&self) -> String {
        self.json()["code"].as_str().unwrap_or_default().to_string()
    }
}

/// One HTTP/1.1 exchange with `Connection: close`; `body` is sent as JSON.
pub async fn request(
    addr: SocketAddr,
    method: &str,
    path: &str,
    authorization: Option<&str>,
    body: Option<&str>,
) -> Answer {
    let mut stream = TcpStream::connect(addr).await.unwrap();
    let mut head = format!("{method} {path} HTTP/1.1\r\nHost: {addr}\r\nConnection: close\r\n");
    if let Some(a) = authorization {
        head.push_str(&format!("Authorization: {a}\r\n"));
    }
    let body = body.unwrap_or_default();
    if !body.is_empty() || method == "POST" {
        head.push_str(&format!(
            "Content-Type: application/json\r\nContent-Length: {}\r\n",
            body.len()
        ));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes()).await.unwrap();
    stream.write_all(body.as_bytes()).await.unwrap();
    let mut raw = Vec::new();
    stream.read_to_end(&mut raw).await.unwrap();
    let text = String::from_utf8(raw).unwrap();
    let (headers, rest) = text.split_once("\r\n\r\n").unwrap();
    let status = headers.split_whitespace().nth(1).unwrap().parse().unwrap();
    let body = if headers
        .to_ascii_lowercase()
        .contains("transfer-encoding: chunked")
    {
        dechunk(rest)
    } else {
        rest.to_string()
    };
    Answer {
        status,
        headers: headers.to_string(),
        body,
    }
}

fn dechunk(mut rest: &str) -> String {
    let mut out = String::new();
    loop {
        let (size, after) = rest.split_once("\r\n").unwrap();
        let size = usize::from_str_radix(size.trim(), 16).unwrap();
        if size == 0 {
            return out;
        }
        out.push_str(&after[..size]);
        rest = &after[size + 2..];
    }
}

pub async fn create(server: &Server, phone: &str, name: &str) -> i64 {
    let body = format!(r#"{{"phone": "{phone}", "first_name": "{name}"}}"#);
    let answer = server.call("POST", "/v1/users", Some(&body)).await;
    assert_eq!(answer.status, 201, "{}", answer.body);
    answer.json()["id"].as_i64().unwrap()
}

pub fn ctx(perm: i64, user_id: Option<i64>) -> RpcContext {
    RpcContext {
        auth_key_id: perm,
        perm_auth_key_id: Some(perm),
        session_id: 1,
        msg_id: 1,
        layer: echo_tl::LAYER,
        user_id,
        client_ip: None,
        client_dc: None,
        now: NOW,
    }
}

pub async fn send_code(server: &Server, phone: &str) -> Result<String, String> {
    let req = functions::auth::SendCode {
        phone_number: phone.into(),
        api_id: 1,
        api_hash: "0123456789abcdef".into(),
        settings: enums::CodeSettings::Settings(types::CodeSettings {
            allow_flashcall: false,
            current_number: false,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: false,
            unknown_number: false,
            logout_tokens: None,
            token: None,
            app_sandbox: None,
        }),
    };
    match server.bff.invoke(&ctx(5, None), &req.to_bytes()).await {
        Ok(bytes) => match enums::auth::SentCode::from_bytes(&bytes).unwrap() {
            enums::auth::SentCode::Code(c) => Ok(c.phone_code_hash),
            other => panic!("{other:?}"),
        },
        Err(e) => Err(e.message),
    }
}
