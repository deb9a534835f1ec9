//! Function calls (core.telegram.org/api/invoking): old-layer requests re-encoded for the newest
//! layer and back, generic wrappers with their inner query, defaults for required parameters
//! the old layer lacks, and results typed by the called method's return type.

use std::borrow::Cow;

use echo_tl::functions::{auth, contacts, help, messages, users};
use echo_tl::{enums, functions, types, Identifiable};

use crate::common::{bytes_of, layers, Reader, Writer, VECTOR};
use crate::objects::sample_user;

fn send_message() -> messages::SendMessage {
    messages::SendMessage {
        no_webpage: true,
        silent: true,
        background: false,
        clear_draft: false,
        noforwards: false,
        update_stickersets_order: false,
        invert_media: false,
        allow_paid_floodskip: false,
        peer: enums::InputPeer::User(types::InputPeerUser {
            user_id: 5,
            access_hash: 6,
        }),
        reply_to: None,
        message: "hello".into(),
        random_id: 1234,
        reply_markup: None,
        entities: Some(vec![enums::MessageEntity::Bold(types::MessageEntityBold {
            offset: 0,
            length: 5,
        })]),
        schedule_date: Some(99),
        schedule_repeat_period: None,
        send_as: None,
        quick_reply_shortcut: None,
        effect: None,
        allow_paid_stars: None,
        suggested_post: None,
        rich_message: None,
    }
}

fn send_code() -> auth::SendCode {
    auth::SendCode {
        phone_number: "15550001".into(),
        api_id: 6,
        api_hash: "hash".into(),
        settings: enums::CodeSettings::Settings(types::CodeSettings {
            allow_flashcall: true,
            current_number: true,
            allow_app_hash: false,
            allow_missed_call: false,
            allow_firebase: true,
            unknown_number: false,
            logout_tokens: Some(vec![vec![1, 2, 3], vec![]]),
            token: Some("tok".into()),
            app_sandbox: Some(true),
        }),
    }
}

fn init_connection<X>(query: X) -> functions::InitConnection<X> {
    functions::InitConnection {
        api_id: 6,
        device_model: "pc".into(),
        system_version: "linux".into(),
        app_version: "1.0".into(),
        system_lang_code: "en".into(),
        lang_pack: "".into(),
        lang_code: "en".into(),
        proxy: None,
        params: None,
        query,
    }
}

/// newest → `layer` → newest gives back the original bytes, and the old encoding starts with
/// the old layer's id for the outer call.
fn round_trip(newest: &[u8], layer: i32, old_id: u32) {
    let set = layers();
    let old = set.request_to_layer(layer, newest).unwrap();
    assert_eq!(u32::from_le_bytes(old[..4].try_into().unwrap()), old_id);
    let back = set.request_to_newest(layer, &old).unwrap();
    assert_eq!(&back[..], newest, "layer {layer}");
    // And old → newest → old.
    let again = set.request_to_layer(layer, &back).unwrap();
    assert_eq!(again, old);
}

#[test]
fn send_message_round_trips() {
    let newest = bytes_of(&send_message());
    round_trip(&newest, 220, 0x545cd15a);
    round_trip(&newest, 229, 0xfef48f62);
    // Base-layer requests go through the identity plan (for coercions) and come out equal.
    assert_eq!(
        layers().request_to_newest(230, &newest).unwrap().as_ref(),
        newest.as_slice()
    );
}

#[test]
fn send_code_with_code_settings_round_trips() {
    let newest = bytes_of(&send_code());
    round_trip(&newest, 220, auth::SendCode::CONSTRUCTOR_ID);
    round_trip(&newest, 229, auth::SendCode::CONSTRUCTOR_ID);
}

#[test]
fn wrappers_transcode_their_inner_query() {
    let config = bytes_of(&functions::InvokeWithLayer {
        layer: 220,
        query: init_connection(help::GetConfig {}),
    });
    round_trip(
        &config,
        220,
        functions::InvokeWithLayer::<()>::CONSTRUCTOR_ID,
    );
    round_trip(
        &config,
        229,
        functions::InvokeWithLayer::<()>::CONSTRUCTOR_ID,
    );

    let nested = functions::InvokeWithLayer {
        layer: 220,
        query: init_connection(functions::InvokeWithoutUpdates {
            query: functions::InvokeAfterMsg {
                msg_id: 77,
                query: send_message(),
            },
        }),
    };
    let newest = bytes_of(&nested);
    round_trip(
        &newest,
        220,
        functions::InvokeWithLayer::<()>::CONSTRUCTOR_ID,
    );
    // The inner call is really re-encoded: 220's sendMessage id sits at the end of the wrappers.
    let old = layers().request_to_layer(220, &newest).unwrap();
    let inner = newest.len() - bytes_of(&send_message()).len();
    assert_eq!(&old[inner..inner + 4], &0x545cd15au32.to_le_bytes());
}

#[test]
fn old_requests_get_defaults_for_new_required_parameters() {
    let set = layers();
    // 220: messages.getPollResults peer:InputPeer msg_id:int; 230 adds poll_hash:long.
    let old = Writer::default().u32(0x73bb643b).u32(0x7da07ec9).i32(8).0;
    let newest = set.request_to_newest(220, &old).unwrap();
    let expected = messages::GetPollResults {
        peer: enums::InputPeer::PeerSelf,
        msg_id: 8,
        poll_hash: 0,
    };
    assert_eq!(&newest[..], &bytes_of(&expected)[..]);

    // 220's keyboardButton is just `text`; 230's needs a ButtonType: buttonTypeDefault.
    let old = Writer::default()
        .u32(0x545cd15a)
        .u32(1 << 2)
        .u32(0x7da07ec9)
        .string("ok")
        .i64(9)
        .u32(0x85dd99d1)
        .u32(0)
        .u32(VECTOR)
        .u32(1)
        .u32(0x77608b83)
        .u32(VECTOR)
        .u32(1)
        .u32(0xa2fa4880)
        .string("Yes")
        .0;
    let mut expected = send_message();
    expected.no_webpage = false;
    expected.silent = false;
    expected.peer = enums::InputPeer::PeerSelf;
    expected.message = "ok".into();
    expected.random_id = 9;
    expected.entities = None;
    expected.schedule_date = None;
    expected.reply_markup = Some(enums::ReplyMarkup::ReplyKeyboardMarkup(
        types::ReplyKeyboardMarkup {
            resize: false,
            single_use: false,
            selective: false,
            persistent: false,
            force_reply: false,
            rows: vec![enums::KeyboardButtonRow::Row(types::KeyboardButtonRow {
                buttons: vec![enums::KeyboardButton::Button(types::KeyboardButton {
                    style: None,
                    text: "Yes".into(),
                    r#type: enums::ButtonType::Default,
                })],
            })],
            placeholder: None,
        },
    ));
    let newest = set.request_to_newest(220, &old).unwrap();
    assert_eq!(&newest[..], &bytes_of(&expected)[..]);
}

#[test]
fn results_follow_the_method_return_type() {
    let set = layers();
    // users.getUsers → Vector<User>: a bare vector, typed only by the method.
    let users = vec![enums::User::User(sample_user(true))];
    let newest = bytes_of(&users);
    let old = set
        .result_to_layer(220, users::GetUsers::CONSTRUCTOR_ID, &newest)
        .unwrap();
    let mut r = Reader::new(&old);
    r.expect(VECTOR);
    assert_eq!(r.u32(), 1);
    r.expect(0x31774388);

    // contacts.getContactIDs → Vector<int>: identical in every layer.
    let ids = bytes_of(&vec![1i32, 2, 3]);
    let old = set
        .result_to_layer(220, contacts::GetContactIds::CONSTRUCTOR_ID, &ids)
        .unwrap();
    assert_eq!(&old[..], &ids[..]);

    // A Bool result, and an MTProto method passing through untouched.
    let yes = bytes_of(&true);
    let logged_out = bytes_of(&enums::auth::LoggedOut::Out(types::auth::LoggedOut {
        future_auth_token: Some(vec![7; 300]),
    }));
    let old = set
        .result_to_layer(229, auth::LogOut::CONSTRUCTOR_ID, &logged_out)
        .unwrap();
    assert_eq!(&old[..], &logged_out[..]);
    let ping = 0x7abe77ecu32;
    assert!(matches!(
        set.result_to_layer(220, ping, &yes).unwrap(),
        Cow::Borrowed(_)
    ));
    // gzip_packed must be opened by the caller: it is not a pass-through.
    let gzipped = Writer::default().u32(0x3072cfa1).u32(0).0;
    assert!(set.request_to_newest(220, &gzipped).is_err());
    let ping_call = Writer::default().u32(ping).i64(1).0;
    assert!(matches!(
        set.request_to_newest(220, &ping_call).unwrap(),
        Cow::Borrowed(_)
    ));
}

#[test]
fn input_peer_is_accepted_where_input_user_is_expected() {
    use echo_tl::{enums, functions, types, Identifiable, Serializable};
    // What the Pyrogram forks send for users.getUsers: inputPeerUser inside Vector<InputUser>.
    let mut body = functions::users::GetUsers::CONSTRUCTOR_ID
        .to_le_bytes()
        .to_vec();
    body.extend(0x1cb5c415u32.to_le_bytes());
    body.extend(1i32.to_le_bytes());
    enums::InputPeer::User(types::InputPeerUser {
        user_id: 7,
        access_hash: 9,
    })
    .serialize(&mut body);
    let expected = functions::users::GetUsers {
        id: vec![enums::InputUser::User(types::InputUser {
            user_id: 7,
            access_hash: 9,
        })],
    }
    .to_bytes();
    for layer in [220, 229, 230] {
        let got = layers().request_to_newest(layer, &body).unwrap();
        assert_eq!(got.as_ref(), expected.as_slice(), "layer {layer}");
    }
}
