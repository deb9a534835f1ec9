//! Every transport (core.telegram.org/mtproto/mtproto-transports), both RSA schemes and every
//! p_q_inner_data variant (core.telegram.org/mtproto/auth_key, /api/pfs), each ending in the
//! first call real clients make: `invokeWithLayer(initConnection(help.getConfig))`, answered
//! in the layer the client declared (core.telegram.org/api/invoking#layers).

use echo_mtproto::handshake::{ClientOptions, RsaScheme};
use echo_mtproto::transport::TransportKind;
use echo_tl::layers::LayerSet;
use echo_tl::{enums, functions, types, Deserializable, Serializable};

use crate::support::stack::{layers, PROXY_SECRET, PUBLIC_HOST};
use crate::support::{Client, TestServer, TransportChoice};

const TRANSPORTS: [TransportChoice; 10] = [
    TransportChoice::plain(TransportKind::Abridged),
    TransportChoice::plain(TransportKind::Intermediate),
    TransportChoice::plain(TransportKind::PaddedIntermediate),
    TransportChoice::plain(TransportKind::Full),
    TransportChoice::obfuscated(TransportKind::Abridged, None),
    TransportChoice::obfuscated(TransportKind::Intermediate, None),
    TransportChoice::obfuscated(TransportKind::PaddedIntermediate, None),
    TransportChoice::obfuscated(TransportKind::Abridged, Some(PROXY_SECRET)),
    TransportChoice::obfuscated(TransportKind::Intermediate, Some(PROXY_SECRET)),
    TransportChoice::obfuscated(TransportKind::PaddedIntermediate, Some(PROXY_SECRET)),
];

fn get_config_body() -> Vec<u8> {
    functions::help::GetConfig {}.to_bytes()
}

/// Checks a newest-layer Config against the stack's settings.
fn check_config(config: &types::Config, server: &TestServer) {
    assert_eq!(config.this_dc, 2);
    let advertised = config.dc_options.iter().any(|option| {
        let enums::DcOption::Option(o) = option;
        o.id == 2 && o.ip_address == PUBLIC_HOST && o.port == i32::from(server.options.public_port)
    });
    assert!(
        advertised,
        "dc_options do not advertise {PUBLIC_HOST}:{}: {:?}",
        server.options.public_port, config.dc_options
    );
}

fn decode_config(bytes: &[u8]) -> types::Config {
    let enums::Config::Config(config) = enums::Config::from_bytes(bytes).expect("config decodes");
    config
}

async fn get_config_over(
    server: &TestServer,
    transport: TransportChoice,
    options: ClientOptions,
) -> types::Config {
    let mut client = Client::connect_with(server, transport, options)
        .await
        .unwrap_or_else(|e| panic!("handshake over {transport:?} with {options:?}: {e:#}"));
    let answer = client
        .init_connection(layers().newest(), get_config_body())
        .await
        .unwrap();
    decode_config(&answer.ok().unwrap())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_config_on_every_transport() {
    let server = TestServer::start().await.unwrap();
    // Handshakes run one after another: on two shared cores parallel ones only contend.
    for (i, transport) in TRANSPORTS.into_iter().enumerate() {
        // Vary the handshake too: both RSA schemes, with and without the DC in the inner data.
        let options = ClientOptions {
            scheme: if i % 2 == 0 {
                RsaScheme::RsaPad
            } else {
                RsaScheme::Legacy
            },
            dc: (i % 3 == 0).then_some(2),
            temp_expires_in: None,
        };
        let config = get_config_over(&server, transport, options).await;
        check_config(&config, &server);
    }
}

/// A LayerSet whose "newest" schema is the older layer `layer` and whose only older one is the
/// real newest layer: its `object_to_layer` re-encodes an object of `layer` into the newest
/// layer, the inverse of what the server does to results.
pub(crate) fn reverse_layers(layer: i32) -> LayerSet {
    let texts = echo_tl::schema_files::LAYER_SCHEMAS;
    let old_text = texts
        .iter()
        .find(|(l, _)| *l == layer)
        .expect("layer shipped")
        .1;
    let newest = layers().newest();
    let new_text = texts
        .iter()
        .find(|(l, _)| *l == newest)
        .expect("newest shipped")
        .1;
    // Labels only order the schemas: 2 is "newest" here, 1 the layer to encode into.
    LayerSet::from_texts(
        &[(2, old_text), (1, new_text)],
        echo_tl::schema_files::MTPROTO_SCHEMA,
    )
    .expect("reversed layer set builds")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn get_config_in_older_layers() {
    let server = TestServer::start().await.unwrap();
    let set = layers();
    for layer in [220, 229] {
        let mut client = Client::connect(&server).await.unwrap();
        let query = set
            .request_to_layer(layer, &get_config_body())
            .unwrap()
            .into_owned();
        let result = client
            .init_connection(layer, query)
            .await
            .unwrap()
            .ok()
            .unwrap();
        let config_id = set
            .constructor_id(layer, "config")
            .expect("config in layer");
        assert_eq!(
            result[..4],
            config_id.to_le_bytes(),
            "layer {layer}: not a config of that layer"
        );
        let newest = reverse_layers(layer)
            .object_to_layer(1, "Config", &result)
            .unwrap()
            .into_owned();
        let config = decode_config(&newest);
        check_config(&config, &server);

        // The session keeps the declared layer for calls without invokeWithLayer.
        let again = client
            .invoke_raw(&query_for(layer))
            .await
            .unwrap()
            .ok()
            .unwrap();
        assert_eq!(again[..4], config_id.to_le_bytes());
    }
}

fn query_for(layer: i32) -> Vec<u8> {
    layers()
        .request_to_layer(layer, &get_config_body())
        .unwrap()
        .into_owned()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn temp_key_can_call_get_config() {
    let server = TestServer::start().await.unwrap();
    for (scheme, dc) in [(RsaScheme::RsaPad, Some(2)), (RsaScheme::Legacy, None)] {
        let options = ClientOptions {
            scheme,
            dc,
            temp_expires_in: Some(3600),
        };
        let config = get_config_over(&server, TransportChoice::default(), options).await;
        check_config(&config, &server);
    }
}
