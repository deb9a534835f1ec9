//! Hostile and unlucky input (core.telegram.org/mtproto/mtproto-transports#transport-errors,
//! /mtproto/security_guidelines): unknown keys, garbage, absurd length prefixes. Each may close
//! its own connection and nothing else; and two stacks in one process share nothing.

use echo_mtproto::crypto::AuthKey;
use echo_mtproto::transport::TransportKind;
use echo_tl::functions;
use echo_tl::Serializable;
use rand::RngCore;

use crate::support::stack::layers;
use crate::support::{
    get_self, sign_up, test_phone, Client, SessionState, StackOptions, TestServer, TransportChoice,
    Wire, WAIT,
};

/// Sends one call with `state` over a new connection and expects transport error -404, then EOF.
async fn expect_unknown_key(server: &TestServer, state: SessionState) {
    let mut client = Client::resume(server, TransportChoice::default(), state)
        .await
        .unwrap();
    client
        .send_body(&functions::help::GetNearestDc {}.to_bytes(), true)
        .await
        .unwrap();
    let frame = client
        .wire
        .recv()
        .await
        .unwrap()
        .expect("an answer before closing");
    assert_eq!(frame.transport_error(), Some(-404), "got {frame:?}");
    assert!(
        client.wire.closed_within(WAIT).await,
        "connection left open after -404"
    );
}

/// Bytes no transport accepts: not a tag, not HTTP, not a full-transport start, and not an
/// obfuscated2 header (its decrypted tag is random).
fn garbage() -> Vec<u8> {
    let mut bytes = vec![0u8; 256];
    rand::thread_rng().fill_bytes(&mut bytes);
    bytes[0] = 0x01;
    bytes[4] = 0x01;
    bytes
}

async fn garbage_connection(server: std::net::SocketAddr) -> bool {
    let mut wire = Wire::connect(server, TransportChoice::default())
        .await
        .unwrap();
    // The server may close while we are still writing.
    let _ = wire.write_raw(&garbage()).await;
    wire.closed_within(WAIT).await
}

async fn get_config_works(client: &mut Client) {
    let config = client
        .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
        .await
        .unwrap();
    config.ok().expect("help.getConfig answered");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn unknown_key_gets_transport_error_404() {
    let server = TestServer::start().await.unwrap();
    let mut bytes = [0u8; 256];
    rand::thread_rng().fill_bytes(&mut bytes);
    let state = SessionState {
        key: AuthKey::from_bytes(bytes),
        salt: 0,
        session_id: rand::random(),
        content_sent: 0,
        last_msg_id: 0,
    };
    expect_unknown_key(&server, state).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn malformed_input_closes_only_its_connection() {
    let server = TestServer::start().await.unwrap();
    let mut bystander = Client::connect(&server).await.unwrap();
    assert!(
        garbage_connection(server.addr).await,
        "garbage did not close the connection"
    );

    // 2^31 length prefixes in every plain transport, and the largest abridged length.
    let huge: [(&str, Vec<u8>); 4] = [
        (
            "intermediate",
            [&[0xee; 4][..], &0x8000_0000u32.to_le_bytes()].concat(),
        ),
        (
            "padded",
            [&[0xdd; 4][..], &0x8000_0000u32.to_le_bytes()].concat(),
        ),
        (
            "full",
            [&0x8000_0000u32.to_le_bytes()[..], &[0, 0, 0, 0]].concat(),
        ),
        ("abridged", vec![0xef, 0x7f, 0xff, 0xff, 0xff]),
    ];
    for (name, bytes) in huge {
        let mut wire = Wire::connect(server.addr, TransportChoice::default())
            .await
            .unwrap();
        wire.write_raw(&bytes).await.unwrap();
        assert!(
            wire.closed_within(WAIT).await,
            "{name}: huge length did not close the connection"
        );
    }
    // An HTTP request on the MTProto port.
    let mut wire = Wire::connect(server.addr, TransportChoice::default())
        .await
        .unwrap();
    wire.write_raw(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
        .await
        .unwrap();
    assert!(
        wire.closed_within(WAIT).await,
        "HTTP did not close the connection"
    );

    // The connection made before all that still works, and so do new ones.
    get_config_works(&mut bystander).await;
    let mut fresh = Client::connect_with(
        &server,
        TransportChoice::plain(TransportKind::Abridged),
        Default::default(),
    )
    .await
    .unwrap();
    get_config_works(&mut fresh).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_connections_do_not_disturb_a_login() {
    let server = TestServer::start().await.unwrap();
    let mut attackers = tokio::task::JoinSet::new();
    for _ in 0..20 {
        attackers.spawn(garbage_connection(server.addr));
    }
    let mut client = Client::connect(&server).await.unwrap();
    let user = sign_up(&mut client, &test_phone()).await.unwrap();
    assert_eq!(
        get_self(&mut client).await.unwrap().expect("logged in").id,
        user.id
    );
    while let Some(closed) = attackers.join_next().await {
        assert!(closed.unwrap(), "a garbage connection stayed open");
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn two_stacks_in_one_process_are_independent() {
    let a = TestServer::start_with(StackOptions {
        public_port: 4443,
        ..StackOptions::default()
    })
    .await
    .unwrap();
    let b = TestServer::start_with(StackOptions {
        public_port: 5443,
        ..StackOptions::default()
    })
    .await
    .unwrap();
    assert_ne!(a.addr, b.addr);
    let phone = test_phone();

    let mut on_a = Client::connect(&a).await.unwrap();
    let user_a = sign_up(&mut on_a, &phone).await.unwrap();
    // The same phone is new on B: its database is its own.
    let mut on_b = Client::connect(&b).await.unwrap();
    sign_up(&mut on_b, &phone).await.unwrap();

    // Each advertises its own configuration.
    for (client, port, other) in [(&mut on_a, 4443, 5443), (&mut on_b, 5443, 4443)] {
        let bytes = client
            .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
            .await
            .unwrap()
            .ok()
            .unwrap();
        let echo_tl::enums::Config::Config(config) =
            <echo_tl::enums::Config as echo_tl::Deserializable>::from_bytes(&bytes).unwrap();
        let ports: Vec<i32> = config
            .dc_options
            .iter()
            .map(|o| {
                let echo_tl::enums::DcOption::Option(o) = o;
                o.port
            })
            .collect();
        assert!(
            ports.contains(&port) && !ports.contains(&other),
            "ports {ports:?}"
        );
    }

    // A's key means nothing to B, and A is unaffected by B refusing it.
    expect_unknown_key(&b, on_a.state.clone()).await;
    assert_eq!(
        get_self(&mut on_a)
            .await
            .unwrap()
            .expect("A still logged in")
            .id,
        user_a.id
    );
    // Stopping B leaves A serving.
    b.stop().await.unwrap();
    let mut again = Client::connect(&a).await.unwrap();
    get_config_works(&mut again).await;
    a.stop().await.unwrap();
}
