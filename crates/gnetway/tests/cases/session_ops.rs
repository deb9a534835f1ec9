//! Session-level requests besides ping (core.telegram.org/mtproto/service_messages,
//! /mtproto/service_messages_about_messages, /api/invoking): msgs_state_req, destroy_session,
//! rpc_drop_answer and invokeAfterMsg.

use echo_tl::{enums, functions, types, Deserializable, Identifiable, Serializable};

use crate::support::{Client, Incoming, RpcAnswer, TestServer};

fn nearest_dc() -> Vec<u8> {
    functions::help::GetNearestDc {}.to_bytes()
}

/// The body of a message, or of the result it carries, if it starts with constructor `id`.
fn find_object(client: &Client, id: u32) -> Option<Vec<u8>> {
    client.received.iter().find_map(|m| {
        let bytes = match &m.body {
            Incoming::Other(bytes) => bytes.clone(),
            Incoming::RpcResult { result, .. } => result.clone(),
            _ => return None,
        };
        (bytes.get(..4) == Some(&id.to_le_bytes()[..])).then(|| bytes[4..].to_vec())
    })
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn msgs_state_req_reports_received_messages() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let known = client.send_body(&nearest_dc(), true).await.unwrap();
    client.result_of(known).await.unwrap().ok().unwrap();
    let unknown = known - 4_000;
    let mut body = types::MsgsStateReq::CONSTRUCTOR_ID.to_le_bytes().to_vec();
    types::MsgsStateReq {
        msg_ids: vec![known, unknown],
    }
    .serialize(&mut body);
    let req = client.send_body(&body, true).await.unwrap();
    let info = client
        .recv_until(|m| match &m.body {
            Incoming::Other(b)
                if b.get(..4) == Some(&types::MsgsStateInfo::CONSTRUCTOR_ID.to_le_bytes()[..]) =>
            {
                Some(types::MsgsStateInfo::from_bytes(&b[4..]).unwrap())
            }
            _ => None,
        })
        .await
        .unwrap();
    assert_eq!(info.req_msg_id, req);
    assert_eq!(info.info.len(), 2);
    assert_eq!(
        info.info[0] & 7,
        4,
        "a received message is reported as received"
    );
    assert_ne!(
        info.info[1] & 7,
        4,
        "an unknown message is not reported as received"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn destroy_session_ends_another_session_of_the_key() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let first = client.state.session_id;
    let msg_id = client.send_body(&nearest_dc(), true).await.unwrap();
    client.result_of(msg_id).await.unwrap().ok().unwrap();

    client.state.session_id = rand::random();
    client.state.content_sent = 0;
    client
        .send_body(
            &functions::DestroySession { session_id: first }.to_bytes(),
            true,
        )
        .await
        .unwrap();
    let stranger = rand::random::<i64>();
    client
        .send_body(
            &functions::DestroySession {
                session_id: stranger,
            }
            .to_bytes(),
            true,
        )
        .await
        .unwrap();
    // Both answers precede the answer to a later call.
    let last = client.send_body(&nearest_dc(), true).await.unwrap();
    client.result_of(last).await.unwrap().ok().unwrap();
    let ok =
        find_object(&client, types::DestroySessionOk::CONSTRUCTOR_ID).expect("destroy_session_ok");
    assert_eq!(i64::from_bytes(&ok).unwrap(), first);
    let none = find_object(&client, types::DestroySessionNone::CONSTRUCTOR_ID)
        .expect("destroy_session_none");
    assert_eq!(i64::from_bytes(&none).unwrap(), stranger);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rpc_drop_answer_and_invoke_after_msg_are_answered() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let call = client.send_body(&nearest_dc(), true).await.unwrap();
    client.result_of(call).await.unwrap().ok().unwrap();
    let drop = client
        .send_body(
            &functions::RpcDropAnswer { req_msg_id: call }.to_bytes(),
            true,
        )
        .await
        .unwrap();
    let answer = client.result_of(drop).await.unwrap().ok().unwrap();
    assert!(matches!(
        enums::RpcDropAnswer::from_bytes(&answer).unwrap(),
        enums::RpcDropAnswer::RpcAnswerUnknown | enums::RpcDropAnswer::RpcAnswerDropped(_)
    ));

    // TDLib wraps calls in invokeAfterMsg; the answer is the inner call's.
    let after = functions::InvokeAfterMsg {
        msg_id: call,
        query: functions::help::GetNearestDc {},
    }
    .to_bytes();
    let answer = client.invoke_raw(&after).await.unwrap();
    let RpcAnswer::Ok(bytes) = answer else {
        panic!("invokeAfterMsg failed: {answer:?}")
    };
    let enums::NearestDc::Dc(dc) = enums::NearestDc::from_bytes(&bytes).unwrap();
    assert_eq!(dc.this_dc, 2);
}
