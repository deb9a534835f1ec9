//! What the server refuses: bad msg_ids (core.telegram.org/mtproto/service_messages_about_messages,
//! /mtproto/description#message-identifier-msg-id), duplicates, calls before login and calls
//! it does not know or implement (core.telegram.org/api/errors).

use echo_tl::{functions, Identifiable, Serializable};

use crate::support::stack::layers;
use crate::support::wire::msg_id_at;
use crate::support::{get_self, Client, Incoming, RpcAnswer, TestServer};

fn ping(ping_id: i64) -> Vec<u8> {
    functions::Ping { ping_id }.to_bytes()
}

/// Sends a ping whose msg_id is replaced by `msg_id`; returns the bad_msg_notification code.
async fn bad_msg_code(client: &mut Client, msg_id: i64) -> i32 {
    let mut msg = client.envelope(ping(1), true);
    msg.msg_id = msg_id;
    client.send_message(&msg).await.unwrap();
    client
        .recv_until(|m| match &m.body {
            Incoming::BadMsg(b) if b.bad_msg_id == msg_id => Some(b.error_code),
            Incoming::Pong(p) if p.msg_id == msg_id => panic!("msg_id {msg_id:x} was accepted"),
            _ => None,
        })
        .await
        .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn bad_msg_ids_are_refused_with_their_codes() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    assert_eq!(
        bad_msg_code(&mut client, msg_id_at(-600)).await,
        16,
        "10 minutes old"
    );
    assert_eq!(
        bad_msg_code(&mut client, msg_id_at(120)).await,
        17,
        "2 minutes ahead"
    );
    assert_eq!(
        bad_msg_code(&mut client, msg_id_at(0) + 2).await,
        18,
        "not divisible by 4"
    );
    assert_eq!(bad_msg_code(&mut client, msg_id_at(0) + 1).await, 18, "odd");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn duplicate_msg_ids_are_answered_once() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let first = client.envelope(ping(5), true);
    client.send_message(&first).await.unwrap();
    let call = client.envelope(functions::help::GetNearestDc {}.to_bytes(), true);
    client.send_message(&call).await.unwrap();
    client.result_of(call.msg_id).await.unwrap().ok().unwrap();
    // The same messages again (encrypted anew), then a marker; the session works in order, so
    // a second answer to either would arrive before the marker's pong.
    client.send_message(&first).await.unwrap();
    client.send_message(&call).await.unwrap();
    let marker = client.send_body(&ping(6), true).await.unwrap();
    client
        .recv_until(|m| matches!(&m.body, Incoming::Pong(p) if p.msg_id == marker).then_some(()))
        .await
        .unwrap();
    let pongs = client
        .received
        .iter()
        .filter(|m| matches!(&m.body, Incoming::Pong(p) if p.msg_id == first.msg_id));
    assert_eq!(pongs.count(), 1);
    let results = client.received.iter().filter(
        |m| matches!(&m.body, Incoming::RpcResult { req_msg_id, .. } if *req_msg_id == call.msg_id),
    );
    assert_eq!(results.count(), 1);
}

fn assert_bad_request(answer: RpcAnswer, what: &str) {
    match answer {
        RpcAnswer::Error { code: 400, message } => {
            assert!(!message.is_empty(), "{what}: empty message")
        }
        other => panic!("{what}: expected a 400 error, got {other:?}"),
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unauthorized_unknown_and_unimplemented_calls_fail() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let answer = get_self(&mut client).await.unwrap().unwrap_err();
    assert_eq!(
        answer,
        RpcAnswer::Error {
            code: 401,
            message: "AUTH_KEY_UNREGISTERED".into()
        }
    );

    let mut unknown = 0xdead_beef_u32.to_le_bytes().to_vec();
    unknown.extend([0u8; 8]);
    assert_bad_request(
        client.invoke_raw(&unknown).await.unwrap(),
        "unknown constructor",
    );
    // The same inside invokeWithLayer of an older layer (fails in the transcoder instead).
    let wrapped = crate::support::client::init_connection_body(220, unknown.clone());
    assert_bad_request(
        client.invoke_raw(&wrapped).await.unwrap(),
        "unknown constructor at layer 220",
    );

    let implemented = server.bff.implemented();
    let candidates: [(u32, Vec<u8>); 4] = [
        (
            functions::smsjobs::IsEligibleToJoin::CONSTRUCTOR_ID,
            functions::smsjobs::IsEligibleToJoin {}.to_bytes(),
        ),
        (
            functions::smsjobs::GetStatus::CONSTRUCTOR_ID,
            functions::smsjobs::GetStatus {}.to_bytes(),
        ),
        (
            functions::payments::GetStarsTopupOptions::CONSTRUCTOR_ID,
            functions::payments::GetStarsTopupOptions {}.to_bytes(),
        ),
        (
            functions::help::GetPremiumPromo::CONSTRUCTOR_ID,
            functions::help::GetPremiumPromo {}.to_bytes(),
        ),
    ];
    let (_, body) = candidates
        .into_iter()
        .find(|(id, _)| !implemented.contains(id))
        .expect("some candidate method is still unimplemented");
    assert_bad_request(
        client.invoke_raw(&body).await.unwrap(),
        "unimplemented method",
    );
    // The connection and session still work afterwards.
    let config = client
        .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
        .await
        .unwrap();
    assert!(matches!(config, RpcAnswer::Ok(_)));
}
