//! What the admin API relies on in the running stack: `SessionManager::disconnect_user` /
//! `disconnect_authorization` close the live connections of a user (a ban, a terminated
//! authorization), and the metrics registry passed to the gateway, sessions and Bff counts
//! connections, handshakes and calls.

use std::time::Duration;

use echo_tl::{enums, functions, types, Serializable};

use crate::support::stack::layers;
use crate::support::{get_self, sign_up, test_phone, Client, TestServer};

/// Signs a new client up as `phone`, with one call after login so its session is indexed
/// under the user.
async fn logged_in(server: &TestServer, phone: &str) -> (Client, i64) {
    let mut client = Client::connect(server).await.unwrap();
    client
        .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
        .await
        .unwrap()
        .ok()
        .unwrap();
    let user = sign_up(&mut client, phone).await.unwrap();
    get_self(&mut client).await.unwrap().expect("logged in");
    (client, user.id)
}

/// auth.sendCode + auth.signIn (dev code) for an existing account; returns the user id.
async fn sign_in(client: &mut Client, phone: &str) -> i64 {
    let sent = client
        .call(&functions::auth::SendCode {
            phone_number: phone.into(),
            api_id: 4,
            api_hash: "014b35b6184100b085b0d0572f9b5103".into(),
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
        })
        .await
        .unwrap();
    let enums::auth::SentCode::Code(sent) = sent else {
        panic!("unexpected sentCode {sent:?}")
    };
    let signed_in = client
        .call(&functions::auth::SignIn {
            phone_number: phone.into(),
            phone_code_hash: sent.phone_code_hash,
            phone_code: Some("12345".into()),
            email_verification: None,
        })
        .await
        .unwrap();
    match signed_in {
        enums::auth::Authorization::Authorization(a) => match a.user {
            enums::User::User(u) => u.id,
            other => panic!("signIn returned {other:?}"),
        },
        other => panic!("signIn returned {other:?}"),
    }
}

/// True once the server closed the connection (bounded wait).
async fn closed(client: &mut Client) -> bool {
    tokio::time::timeout(Duration::from_secs(10), async {
        while client.recv().await.is_ok() {}
    })
    .await
    .is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_user_closes_the_connection() {
    let server = TestServer::start().await.unwrap();
    let (mut client, user_id) = logged_in(&server, &test_phone()).await;
    assert_eq!(server.sessions.online_users(), 1);
    assert_eq!(
        server.sessions.disconnect_user(user_id + 1),
        0,
        "another user"
    );
    assert_eq!(server.sessions.disconnect_user(user_id), 1);
    assert!(closed(&mut client).await, "the connection stayed open");

    let text = server.metrics.render(&[]);
    assert!(text.contains("echo_rpc_calls_total{method=\"auth.signUp\",error=\"OK\"} 1"));
    assert!(text.contains("echo_sessions_closed_by_server_total 1"));
    assert!(text.contains(&format!(
        "echo_handshakes_total{{gateway=\"{}\",result=\"perm\"}} 1",
        server.addr
    )));
    assert!(text.contains(&format!(
        "echo_connections_total{{gateway=\"{}\"}} 1",
        server.addr
    )));
    server.stop().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn disconnect_authorization_closes_only_that_key() {
    let server = TestServer::start().await.unwrap();
    let phone = test_phone();
    let (mut first, user_id) = logged_in(&server, &phone).await;
    // A second device: a new key signing in to the same account.
    let mut second = Client::connect(&server).await.unwrap();
    second
        .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(sign_in(&mut second, &phone).await, user_id);
    get_self(&mut second).await.unwrap().expect("logged in");

    let second_key = second.state.key.id() as i64;
    assert_eq!(
        server
            .sessions
            .disconnect_authorization(user_id, second_key)
            .await,
        1
    );
    assert!(
        closed(&mut second).await,
        "the terminated key's connection stayed open"
    );
    // The other device keeps working.
    assert!(get_self(&mut first).await.unwrap().is_ok());
    server.stop().await.unwrap();
}
