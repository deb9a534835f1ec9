//! Login over the wire (core.telegram.org/api/auth) and what a logged-in key can do, then that the
//! authorization lives on the auth key: across connections and across a server restart over the
//! same database (core.telegram.org/mtproto/auth_key: keys are long-lived).

use echo_tl::{enums, functions, types, Deserializable, Identifiable, Serializable};

use crate::support::stack::layers;
use crate::support::{
    get_self, sign_up, test_phone, Client, StackOptions, TempDir, TestServer, TransportChoice,
};
use echo_mtproto::transport::TransportKind;

fn send_message(text: &str) -> functions::messages::SendMessage {
    functions::messages::SendMessage {
        no_webpage: false,
        silent: false,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: enums::InputPeer::PeerSelf,
        reply_to: None,
        message: text.into(),
        random_id: rand::random(),
        reply_markup: None,
        entities: None,
        schedule_date: None,
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    }
}

fn history_texts(history: enums::messages::Messages) -> Vec<String> {
    let messages = match history {
        enums::messages::Messages::Messages(m) => m.messages,
        enums::messages::Messages::Slice(m) => m.messages,
        other => panic!("unexpected history {other:?}"),
    };
    messages
        .into_iter()
        .filter_map(|m| match m {
            enums::Message::Message(m) => Some(m.message),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sign_up_and_use_saved_messages() {
    let server = TestServer::start().await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    client
        .init_connection(layers().newest(), functions::help::GetConfig {}.to_bytes())
        .await
        .unwrap()
        .ok()
        .unwrap();
    let user = sign_up(&mut client, &test_phone()).await.unwrap();
    let me = get_self(&mut client)
        .await
        .unwrap()
        .expect("getUsers works after signUp");
    assert_eq!(me.id, user.id);
    assert!(me.is_self);

    // Saved Messages must be answered with full `updates` (Pyrogram forks crash otherwise).
    let sent = client
        .invoke_raw(&send_message("hello from the test").to_bytes())
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(
        sent[..4],
        types::Updates::CONSTRUCTOR_ID.to_le_bytes(),
        "not `updates`"
    );
    assert!(matches!(
        enums::Updates::from_bytes(&sent).unwrap(),
        enums::Updates::Updates(_)
    ));

    // The same at layer 220, where the answer is that layer's `updates`.
    let set = layers();
    let old = set
        .request_to_layer(220, &send_message("hello at 220").to_bytes())
        .unwrap()
        .into_owned();
    let sent = client
        .init_connection(220, old)
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(
        sent[..4],
        set.constructor_id(220, "updates").unwrap().to_le_bytes()
    );

    // Back to the newest layer for the history.
    let history = functions::messages::GetHistory {
        peer: enums::InputPeer::PeerSelf,
        offset_id: 0,
        offset_date: 0,
        add_offset: 0,
        limit: 10,
        max_id: 0,
        min_id: 0,
        hash: 0,
    };
    let query = crate::support::client::init_connection_body(set.newest(), history.to_bytes());
    let bytes = client.invoke_raw(&query).await.unwrap().ok().unwrap();
    let texts = history_texts(enums::messages::Messages::from_bytes(&bytes).unwrap());
    assert!(
        texts.iter().any(|t| t == "hello from the test"),
        "history: {texts:?}"
    );
    assert!(
        texts.iter().any(|t| t == "hello at 220"),
        "history: {texts:?}"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn authorization_outlives_connections_and_restarts() {
    let dir = TempDir::new().unwrap();
    let options = StackOptions {
        database_url: dir.sqlite_url(),
        ..StackOptions::default()
    };
    let server = TestServer::start_with(options.clone()).await.unwrap();
    let mut client = Client::connect(&server).await.unwrap();
    let user = sign_up(&mut client, &test_phone()).await.unwrap();
    let state = client.state.clone();
    drop(client);

    // A new TCP connection (another transport, even) with the same key and session.
    let abridged = TransportChoice::obfuscated(TransportKind::Abridged, None);
    let mut client = Client::resume(&server, abridged, state).await.unwrap();
    assert_eq!(
        get_self(&mut client)
            .await
            .unwrap()
            .expect("still logged in")
            .id,
        user.id
    );
    // And a new session on yet another connection.
    let mut state = client.state.clone();
    state.session_id = rand::random();
    state.content_sent = 0;
    drop(client);
    let mut client = Client::resume(&server, TransportChoice::plain(TransportKind::Full), state)
        .await
        .unwrap();
    assert_eq!(
        get_self(&mut client)
            .await
            .unwrap()
            .expect("still logged in")
            .id,
        user.id
    );
    let state = client.state.clone();
    drop(client);

    // A new stack over the same database file: the key and its authorization were persisted.
    server.stop().await.unwrap();
    let server = TestServer::start_with(options).await.unwrap();
    let mut client = Client::resume(&server, TransportChoice::default(), state)
        .await
        .unwrap();
    assert_eq!(
        get_self(&mut client)
            .await
            .unwrap()
            .expect("logged in after restart")
            .id,
        user.id
    );
    server.stop().await.unwrap();
    assert!(dir.path().join("echo.db").exists());
}

/// Re-encodes a `Vector<User>` of `layer` into the newest layer and decodes it.
fn users_from_layer(layer: i32, bytes: &[u8]) -> Vec<enums::User> {
    let newest = crate::cases::transports::reverse_layers(layer)
        .object_to_layer(1, "Vector<User>", bytes)
        .unwrap()
        .into_owned();
    Vec::<enums::User>::from_bytes(&newest).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_declared_layer_is_remembered_for_the_key() {
    let server = TestServer::start().await.unwrap();
    let set = layers();
    let mut client = Client::connect(&server).await.unwrap();
    let user = sign_up(&mut client, &test_phone()).await.unwrap();
    let get_users = functions::users::GetUsers {
        id: vec![enums::InputUser::UserSelf],
    }
    .to_bytes();
    let user_220 = set.constructor_id(220, "user").unwrap().to_le_bytes();
    assert_ne!(
        user_220,
        types::User::CONSTRUCTOR_ID.to_le_bytes(),
        "220 and 230 differ in `user`"
    );

    // Pyrofork speaks layer 220: the user comes back in that layer's encoding.
    let old = set.request_to_layer(220, &get_users).unwrap().into_owned();
    let bytes = client
        .init_connection(220, old.clone())
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(bytes[8..12], user_220);
    match &users_from_layer(220, &bytes)[..] {
        [enums::User::User(me)] => assert!(me.is_self && me.id == user.id),
        other => panic!("users {other:?}"),
    }

    // A new session on a new connection, without invokeWithLayer: the key's recorded layer.
    let mut state = client.state.clone();
    state.session_id = rand::random();
    state.content_sent = 0;
    drop(client);
    let mut client = Client::resume(&server, TransportChoice::default(), state)
        .await
        .unwrap();
    let bytes = client.invoke_raw(&old).await.unwrap().ok().unwrap();
    assert_eq!(
        bytes[8..12],
        user_220,
        "the new session forgot the key's layer"
    );
    // Declaring the newest layer switches back.
    let bytes = client
        .init_connection(set.newest(), get_users)
        .await
        .unwrap()
        .ok()
        .unwrap();
    assert_eq!(bytes[8..12], types::User::CONSTRUCTOR_ID.to_le_bytes());
}
