//! Service messages (core.telegram.org/mtproto/service_messages,
//! /mtproto/service_messages_about_messages, /mtproto/description#server-salt): salts,
//! new_session_created, ping / pong, get_future_salts, ping_delay_disconnect, containers and
//! gzip_packed.

use std::time::Duration;

use echo_mtproto::message::PlainMessage;
use echo_session::envelope::{self, MSG_CONTAINER};
use echo_tl::{enums, functions, Deserializable, Serializable};

use crate::support::client::parse_rpc_answer;
use crate::support::{Client, Incoming, RpcAnswer, TestServer};

fn nearest_dc() -> Vec<u8> {
    functions::help::GetNearestDc {}.to_bytes()
}

fn count_new_sessions(client: &Client, session_id: i64) -> usize {
    client
        .received
        .iter()
        .filter(|m| m.session_id == session_id && matches!(m.body, Incoming::NewSession(_)))
        .count()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn salt_zero_gets_bad_server_salt_then_the_new_salt_works() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    client.state.salt = 0;
    let msg_id = client.send_body(&nearest_dc(), true).await.unwrap();
    let bad = client
        .recv_until(|m| match &m.body {
            Incoming::BadServerSalt(b) => Some(b.clone()),
            Incoming::RpcResult { .. } => panic!("a message with salt 0 was answered"),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(bad.bad_msg_id, msg_id);
    assert_eq!(bad.error_code, 48);
    assert_ne!(bad.new_server_salt, 0);
    client.state.salt = bad.new_server_salt;
    let msg_id = client.send_body(&nearest_dc(), true).await.unwrap();
    let answer = client.result_of(msg_id).await.unwrap().ok().unwrap();
    let enums::NearestDc::Dc(dc) = enums::NearestDc::from_bytes(&answer).unwrap();
    assert_eq!(dc.this_dc, 2);

    // Another key: its first salt (from the handshake) is accepted as it is.
    let mut fresh = Client::connect(&server).await.unwrap();
    assert_ne!(fresh.state.salt, 0);
    let msg_id = fresh.send_body(&nearest_dc(), true).await.unwrap();
    fresh.result_of(msg_id).await.unwrap().ok().unwrap();
    assert!(!fresh
        .received
        .iter()
        .any(|m| matches!(m.body, Incoming::BadServerSalt(_))));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn new_session_created_once_per_session() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let first_session = client.state.session_id;
    let mut first_msg_id = 0;
    for i in 0..3 {
        let msg_id = client.send_body(&nearest_dc(), true).await.unwrap();
        if i == 0 {
            first_msg_id = msg_id;
        }
        client.result_of(msg_id).await.unwrap().ok().unwrap();
    }
    assert_eq!(count_new_sessions(&client, first_session), 1);
    let created = client
        .received
        .iter()
        .find_map(|m| match &m.body {
            Incoming::NewSession(n) => Some(n.clone()),
            _ => None,
        })
        .unwrap();
    assert_eq!(created.first_msg_id, first_msg_id);

    // A second session on the same key and connection gets its own notification.
    client.state.session_id = rand::random();
    client.state.content_sent = 0;
    let second_session = client.state.session_id;
    for _ in 0..2 {
        let msg_id = client.send_body(&nearest_dc(), true).await.unwrap();
        client.result_of(msg_id).await.unwrap().ok().unwrap();
    }
    assert_eq!(count_new_sessions(&client, second_session), 1);
    assert_eq!(count_new_sessions(&client, first_session), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_and_future_salts_are_bare_answers() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let ping_id = rand::random::<i64>();
    let msg_id = client
        .send_body(&functions::Ping { ping_id }.to_bytes(), true)
        .await
        .unwrap();
    let (pong, pong_msg_id, pong_seq_no) = client
        .recv_until(|m| match &m.body {
            Incoming::Pong(p) => Some((p.clone(), m.msg_id, m.seq_no)),
            Incoming::RpcResult { req_msg_id, .. } if *req_msg_id == msg_id => {
                panic!("pong inside rpc_result")
            }
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(pong.msg_id, msg_id);
    assert_eq!(pong.ping_id, ping_id);
    assert_eq!(
        pong_msg_id.rem_euclid(4),
        1,
        "a response's msg_id is 1 mod 4"
    );
    assert_eq!(pong_seq_no % 2, 1, "pong is content-related: odd seqno");

    let msg_id = client
        .send_body(&functions::GetFutureSalts { num: 64 }.to_bytes(), true)
        .await
        .unwrap();
    let salts = client
        .recv_until(|m| match &m.body {
            Incoming::FutureSalts(s) => Some(s.clone()),
            Incoming::RpcResult { req_msg_id, .. } if *req_msg_id == msg_id => {
                panic!("future_salts inside rpc_result")
            }
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(salts.req_msg_id, msg_id);
    assert_eq!(salts.salts.0.len(), 64);
    assert!(salts
        .salts
        .0
        .windows(2)
        .all(|w| w[0].valid_since < w[1].valid_since));
    let current = &salts.salts.0[0];
    assert!(current.valid_since <= salts.now && salts.now < current.valid_until);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ping_delay_disconnect_closes_the_connection() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let body = functions::PingDelayDisconnect {
        ping_id: 7,
        disconnect_delay: 1,
    }
    .to_bytes();
    let msg_id = client.send_body(&body, true).await.unwrap();
    let pong = client
        .recv_until(|m| match &m.body {
            Incoming::Pong(p) => Some(p.clone()),
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!((pong.msg_id, pong.ping_id), (msg_id, 7));
    assert!(
        client.wire.closed_within(Duration::from_secs(10)).await,
        "the server kept the connection open"
    );
}

/// Encodes a msg_container of (msg_id, seq_no, body).
fn container(messages: &[(i64, i32, Vec<u8>)]) -> Vec<u8> {
    let mut out = MSG_CONTAINER.to_le_bytes().to_vec();
    out.extend((messages.len() as i32).to_le_bytes());
    for (msg_id, seq_no, body) in messages {
        out.extend(msg_id.to_le_bytes());
        out.extend(seq_no.to_le_bytes());
        out.extend((body.len() as i32).to_le_bytes());
        out.extend(body);
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn container_and_gzip_packed_calls_are_answered() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let state = &mut client.state;
    let call_id = state.next_msg_id();
    let call_seq = state.next_seq_no(true);
    let ping_id = state.next_msg_id();
    let ping_seq = state.next_seq_no(true);
    let body = container(&[
        (call_id, call_seq, nearest_dc()),
        (
            ping_id,
            ping_seq,
            functions::Ping { ping_id: 99 }.to_bytes(),
        ),
    ]);
    let outer = PlainMessage {
        salt: state.salt,
        session_id: state.session_id,
        msg_id: state.next_msg_id(),
        seq_no: state.next_seq_no(false),
        body,
    };
    client.send_message(&outer).await.unwrap();
    let (mut answered, mut ponged) = (false, false);
    while !(answered && ponged) {
        let msg = client.recv().await.unwrap();
        match msg.body {
            Incoming::RpcResult { req_msg_id, result } if req_msg_id == call_id => {
                assert!(matches!(
                    parse_rpc_answer(&result).unwrap(),
                    RpcAnswer::Ok(_)
                ));
                answered = true;
            }
            Incoming::Pong(p) if p.msg_id == ping_id => ponged = true,
            Incoming::BadMsg(b) => panic!("container rejected: {b:?}"),
            _ => {}
        }
    }

    let packed = envelope::deflate(&nearest_dc());
    let answer = client.invoke_raw(&packed).await.unwrap().ok().unwrap();
    let enums::NearestDc::Dc(dc) = enums::NearestDc::from_bytes(&answer).unwrap();
    assert_eq!(dc.this_dc, 2);
}
