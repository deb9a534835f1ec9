//! A remote service must be indistinguishable from the local one: the same script of calls
//! runs against a local implementation and, over real gRPC on loopback, against a server
//! wrapping another instance of it; every answer and every error must be the same.

use std::net::SocketAddr;
use std::sync::Arc;

use async_trait::async_trait;
use echo_authsession::{
    AuthKeyInfo, AuthKeyKind, AuthSessionService, ClientInfo, LocalAuthSession,
};
use echo_bff::{RpcContext, RpcError, RpcService};
use echo_msg::{LocalMsgService, MsgService, SendRequest};
use echo_rpc::tonic::transport::server::{Router, TcpIncoming};
use echo_rpc::tonic::transport::Server;
use echo_rpc::{
    ApiServer, AuthSessionServer, Endpoints, MsgServer, RemoteApi, RemoteAuthSession, RemoteMsg,
};
use echo_storage::{MessageEdit, Peer, Storage};

async fn serve(router: Router) -> Arc<Endpoints> {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr: SocketAddr = listener.local_addr().unwrap();
    tokio::spawn(router.serve_with_incoming(TcpIncoming::from(listener)));
    Arc::new(Endpoints::fixed("test", &[addr.to_string()]).unwrap())
}

async fn storage() -> Storage {
    Storage::connect("sqlite::memory:").await.unwrap()
}

fn send(from: i64, to: i64, text: &str, random_id: i64) -> SendRequest {
    SendRequest {
        from,
        to: Peer::User(to),
        date: 100,
        message: text.into(),
        entities: vec![1, 2],
        media: Vec::new(),
        fwd: Vec::new(),
        reply_to_msg_id: None,
        random_id: Some(random_id),
        deliver: true,
        silent: false,
        grouped_id: None,
    }
}

/// The msg script; returns a transcript of every answer.
async fn msg_script(msg: &dyn MsgService) -> Vec<String> {
    const ANN: i64 = 1_000_000;
    const BOB: i64 = 1_000_001;
    let mut out = Vec::new();
    let mut log = |r: String| out.push(r);
    log(format!("{:?}", msg.send(send(ANN, BOB, "hi", 7)).await));
    log(format!("{:?}", msg.send(send(ANN, BOB, "hi", 7)).await));
    log(format!("{:?}", msg.send(send(BOB, ANN, "yo", 8)).await));
    log(format!("{:?}", msg.send(send(ANN, ANN, "self", 9)).await));
    let edit = MessageEdit {
        message: "hi!".into(),
        entities: Vec::new(),
        media: Vec::new(),
        edit_date: 101,
    };
    log(format!("{:?}", msg.edit(ANN, 1, edit.clone()).await));
    log(format!(
        "{:?}",
        msg.edit(ANN, 99, edit.clone())
            .await
            .map_err(|e| e.to_string())
    ));
    log(format!(
        "{:?}",
        msg.edit(BOB, 1, edit).await.map_err(|e| e.to_string())
    ));
    log(format!(
        "{:?}",
        msg.read_history(BOB, Peer::User(ANN), 0, 102).await
    ));
    log(format!(
        "{:?}",
        msg.read_history(BOB, Peer::User(42), 0, 102)
            .await
            .map_err(|e| e.to_string())
    ));
    log(format!(
        "{:?}",
        msg.delete(ANN, &[1, 2, 77], true, 103).await
    ));
    out
}

#[tokio::test]
async fn remote_msg_answers_like_the_local_one() {
    let local = LocalMsgService::new(storage().await);
    let served: Arc<dyn MsgService> = Arc::new(LocalMsgService::new(storage().await));
    let remote =
        RemoteMsg::new(serve(Server::builder().add_service(MsgServer::service(served))).await);
    let expected = msg_script(&local).await;
    assert!(
        expected.iter().any(|l| l.contains("not found")),
        "{expected:?}"
    );
    assert!(
        expected.iter().any(|l| l.contains("not the author")),
        "{expected:?}"
    );
    assert_eq!(msg_script(&remote).await, expected);
}

async fn authsession_script(a: &dyn AuthSessionService) -> Vec<String> {
    let key = |id: i64, kind| AuthKeyInfo {
        auth_key_id: id,
        auth_key: [id as u8; 256],
        kind,
        expires_at: (kind != AuthKeyKind::Perm).then_some(5_000),
        perm_auth_key_id: None,
    };
    let mut out = Vec::new();
    out.push(format!(
        "{:?}",
        a.save_auth_key(key(11, AuthKeyKind::Perm), 100).await
    ));
    out.push(format!(
        "{:?}",
        a.save_auth_key(key(12, AuthKeyKind::Temp), 100).await
    ));
    out.push(format!("{:?}", a.bind_temp_auth_key(12, 11, 5_000).await));
    for id in [11, 12, 13] {
        let got = a.get_auth_key(id).await.map(|k| {
            k.map(|k| {
                (
                    k.auth_key_id,
                    k.auth_key[0],
                    k.kind,
                    k.expires_at,
                    k.perm_auth_key_id,
                )
            })
        });
        out.push(format!("{got:?}"));
    }
    let info = ClientInfo {
        auth_key_id: 11,
        layer: 229,
        api_id: 6,
        device_model: "pc".into(),
        app_version: "1.0".into(),
        ip: "127.0.0.1".into(),
        now: 120,
        ..Default::default()
    };
    out.push(format!("{:?}", a.set_client_info(info).await));
    out.push(format!("{:?}", a.bind_user(11, 1_000_000, 130).await));
    out.push(format!("{:?}", a.user_of(11).await));
    let auth = a.get_authorization(11).await.map(|r| {
        r.map(|r| {
            (
                r.user_id,
                r.layer,
                r.api_id,
                r.device_model,
                r.ip,
                r.created_at,
                r.active_at,
            )
        })
    });
    out.push(format!("{auth:?}"));
    out.push(format!("{:?}", a.log_out(11).await));
    out.push(format!("{:?}", a.user_of(11).await));
    out.push(format!("{:?}", a.get_authorization(999).await));
    out
}

#[tokio::test]
async fn remote_authsession_answers_like_the_local_one() {
    let local = LocalAuthSession::new(storage().await);
    let served: Arc<dyn AuthSessionService> = Arc::new(LocalAuthSession::new(storage().await));
    let router = Server::builder().add_service(AuthSessionServer::service(served));
    let remote = RemoteAuthSession::new(serve(router).await);
    let expected = authsession_script(&local).await;
    assert!(
        expected.iter().any(|l| l.contains("Some(1000000)")),
        "{expected:?}"
    );
    assert_eq!(authsession_script(&remote).await, expected);
}

/// Echoes the context back, or fails the way a handler does.
struct EchoApi;

#[async_trait]
impl RpcService for EchoApi {
    async fn invoke(&self, ctx: &RpcContext, request: &[u8]) -> Result<Vec<u8>, RpcError> {
        if request.is_empty() {
            return Err(RpcError::bad_request("MESSAGE_EMPTY"));
        }
        Ok(format!("{ctx:?}/{request:?}").into_bytes())
    }
}

#[tokio::test]
async fn remote_api_carries_context_results_and_rpc_errors() {
    let remote = RemoteApi::new(
        serve(Server::builder().add_service(ApiServer::service(Arc::new(EchoApi)))).await,
    );
    let ctx = RpcContext {
        auth_key_id: -1,
        perm_auth_key_id: Some(-2),
        session_id: 3,
        msg_id: 4,
        layer: 220,
        user_id: Some(1_000_000),
        client_ip: Some("10.1.2.3".parse().unwrap()),
        client_dc: Some(2),
        now: 5,
    };
    assert_eq!(
        remote.invoke(&ctx, &[9]).await,
        EchoApi.invoke(&ctx, &[9]).await
    );
    assert_eq!(
        remote.invoke(&ctx, &[]).await,
        Err(RpcError::bad_request("MESSAGE_EMPTY"))
    );
    // No instance: the client sees an internal error, never a hang or a panic.
    let nobody = RemoteApi::new(Arc::new(Endpoints::new("bff")));
    assert_eq!(
        nobody.invoke(&ctx, &[9]).await.map_err(|e| e.code),
        Err(500)
    );
}

fn local_media(dir: &std::path::Path, storage: &Storage) -> echo_media::LocalMediaService {
    let dfs: Arc<dyn echo_dfs::Dfs> = Arc::new(echo_dfs::LocalDisk::new(dir.join("files")));
    echo_media::LocalMediaService::new(dir.join("parts"), dfs, storage.media.clone(), 2)
}

async fn media_script(m: &dyn echo_media::MediaService) -> Vec<String> {
    use echo_media::{FileLocation, NewDocument, UploadedFile};
    const ANN: i64 = 1_000_000;
    let mut out = Vec::new();
    let part = vec![7u8; 1024];
    out.push(format!(
        "{:?}",
        m.save_file_part(ANN, 5, 0, None, part.clone()).await
    ));
    out.push(format!(
        "{:?}",
        m.save_file_part(ANN, 5, 1, None, vec![8u8; 100]).await
    ));
    out.push(format!(
        "{:?}",
        m.save_file_part(ANN, 5, 2, None, Vec::new()).await
    ));
    let file = |parts| UploadedFile {
        file_id: 5,
        parts,
        name: "a.bin".into(),
        md5_checksum: String::new(),
        big: false,
    };
    let doc = |parts| NewDocument {
        file: file(parts),
        thumb: None,
        mime_type: "application/octet-stream".into(),
        attributes: Vec::new(),
    };
    // A part that never came, then the real upload.
    out.push(format!("{:?}", m.upload_document(ANN, doc(3), 100).await));
    let d = m.upload_document(ANN, doc(2), 100).await.unwrap();
    out.push(format!(
        "{:?}",
        (d.size, &d.mime_type, d.owner_id, d.date, d.thumbs.len())
    ));
    out.push(format!(
        "{:?}",
        m.document(d.id).await.map(|x| x.map(|x| x.size))
    ));
    out.push(format!("{:?}", m.photo(d.id).await));
    let at = |reference: Vec<u8>| FileLocation::Document {
        id: d.id,
        access_hash: d.access_hash,
        file_reference: reference,
        thumb_size: String::new(),
    };
    let chunk = m.read_file(at(d.file_reference.clone()), 0, 4096).await;
    out.push(format!(
        "{:?}",
        chunk.map(|c| (c.bytes.len(), c.bytes.first().copied(), c.jpeg))
    ));
    out.push(format!(
        "{:?}",
        m.read_file(at(vec![1, 2, 3]), 0, 4096).await
    ));
    out
}

#[tokio::test]
async fn remote_media_answers_like_the_local_one() {
    let dir = std::env::temp_dir().join(format!("echo-rpc-media-{}", std::process::id()));
    let local = local_media(&dir.join("a"), &storage().await);
    let served: Arc<dyn echo_media::MediaService> =
        Arc::new(local_media(&dir.join("b"), &storage().await));
    let router = Server::builder().add_service(echo_rpc::MediaServer::service(served));
    let remote = echo_rpc::RemoteMedia::new(serve(router).await);
    let expected = media_script(&local).await;
    let got = media_script(&remote).await;
    let _ = std::fs::remove_dir_all(&dir);
    assert!(
        expected.iter().any(|l| l.contains("FILE_PART")),
        "{expected:?}"
    );
    assert!(
        expected
            .iter()
            .any(|l| l.contains("(1124, Some(7), false)")),
        "{expected:?}"
    );
    assert_eq!(got, expected);
}
