//! Calls clients make before login (help.*, langpack.*) and how the router answers
//! methods it does not have.

mod common;

use common::{err, Harness};
use echo_bff::ServerConfig;
use echo_tl::{enums, functions, Identifiable, Serializable};

const KEY: i64 = 0x77;

#[tokio::test]
async fn config_points_every_dc_here() {
    let h = Harness::with_config(ServerConfig {
        dc_id: 4,
        public_host: "203.0.113.7".into(),
        public_port: 8443,
        ..ServerConfig::default()
    })
    .await;
    let enums::Config::Config(config) = h.call(KEY, &functions::help::GetConfig {}).await.unwrap();
    assert_eq!(config.this_dc, 4);
    assert_eq!(i64::from(config.date), h.now);
    assert_eq!(i64::from(config.expires), h.now + 3600);
    assert_eq!(
        (config.chat_size_max, config.megagroup_size_max),
        (200, 200_000)
    );
    assert_eq!(
        (config.message_length_max, config.caption_length_max),
        (4096, 1024)
    );
    assert_eq!(config.me_url_prefix, "https://t.me/");
    assert_eq!(config.dc_options.len(), 10);
    for id in 1..=5 {
        for is_static in [true, false] {
            assert!(
                config
                    .dc_options
                    .iter()
                    .any(|o| matches!(o, enums::DcOption::Option(o)
                    if o.id == id && o.r#static == is_static && !o.ipv6 && !o.media_only
                        && o.ip_address == "203.0.113.7" && o.port == 8443)),
                "dc {id} static {is_static}"
            );
        }
    }

    let enums::NearestDc::Dc(nearest) = h
        .call(KEY, &functions::help::GetNearestDc {})
        .await
        .unwrap();
    assert_eq!(
        (
            nearest.country.as_str(),
            nearest.this_dc,
            nearest.nearest_dc
        ),
        ("US", 4, 4)
    );
}

#[tokio::test]
async fn cached_answers_honour_the_hash() {
    let h = Harness::new().await;
    let enums::help::AppConfig::Config(app) = h
        .call(KEY, &functions::help::GetAppConfig { hash: 0 })
        .await
        .unwrap()
    else {
        panic!("first call must return the config")
    };
    assert!(matches!(app.config, enums::Jsonvalue::JsonObject(ref o) if o.value.is_empty()));
    let again = h
        .call(KEY, &functions::help::GetAppConfig { hash: app.hash })
        .await
        .unwrap();
    assert!(matches!(again, enums::help::AppConfig::NotModified));

    let list = h
        .call(
            KEY,
            &functions::help::GetCountriesList {
                lang_code: "en".into(),
                hash: 0,
            },
        )
        .await
        .unwrap();
    let enums::help::CountriesList::List(list) = list else {
        panic!("list expected")
    };
    assert!(list
        .countries
        .iter()
        .any(|c| matches!(c, enums::help::Country::Country(c) if c.iso2 == "US")));
    let again = h
        .call(
            KEY,
            &functions::help::GetCountriesList {
                lang_code: "en".into(),
                hash: list.hash,
            },
        )
        .await;
    assert!(matches!(
        again.unwrap(),
        enums::help::CountriesList::NotModified
    ));

    let tos = h
        .call(KEY, &functions::help::GetTermsOfServiceUpdate {})
        .await
        .unwrap();
    assert!(
        matches!(tos, enums::help::TermsOfServiceUpdate::Empty(e) if i64::from(e.expires) == h.now + 86_400)
    );
    let promo = h
        .call(KEY, &functions::help::GetPromoData {})
        .await
        .unwrap();
    assert!(matches!(promo, enums::help::PromoData::Empty(_)));
}

#[tokio::test]
async fn english_language_pack() {
    let h = Harness::new().await;
    let get = functions::langpack::GetLanguage {
        lang_pack: "android".into(),
        lang_code: "en".into(),
    };
    let enums::LangPackLanguage::Language(en) = h.call(KEY, &get).await.unwrap();
    assert_eq!((en.name.as_str(), en.lang_code.as_str()), ("English", "en"));
    let pack = functions::langpack::GetLangPack {
        lang_pack: "android".into(),
        lang_code: "en".into(),
    };
    let enums::LangPackDifference::Difference(pack) = h.call(KEY, &pack).await.unwrap();
    assert_eq!((pack.version, pack.strings.len()), (0, 0));
    let languages = h
        .call(
            KEY,
            &functions::langpack::GetLanguages {
                lang_pack: "android".into(),
            },
        )
        .await
        .unwrap();
    assert_eq!(languages.len(), 1);
    let strings = functions::langpack::GetStrings {
        lang_pack: "android".into(),
        lang_code: "en".into(),
        keys: vec!["a".into()],
    };
    assert!(matches!(
        h.call(KEY, &strings).await.unwrap().as_slice(),
        [enums::LangPackString::Deleted(_)]
    ));
    let klingon = functions::langpack::GetLanguage {
        lang_pack: "android".into(),
        lang_code: "tlh".into(),
    };
    assert_eq!(
        h.call(KEY, &klingon).await.unwrap_err(),
        err(400, "LANG_CODE_NOT_SUPPORTED")
    );
}

#[tokio::test]
async fn router_answers_what_it_lacks() {
    let h = Harness::new().await;
    let ctx = h.ctx(KEY).await;
    let unknown = 0xdead_beef_u32.to_le_bytes();
    let answer = echo_bff::RpcService::invoke(&h.bff, &ctx, &unknown).await;
    assert_eq!(
        answer.unwrap_err(),
        err(400, &format!("INPUT_METHOD_INVALID_{}", 0xdead_beef_u32))
    );
    // A real method nobody implemented yet.
    let reset = functions::account::ResetPassword {};
    assert_eq!(
        h.call(KEY, &reset).await.unwrap_err(),
        err(400, "METHOD_NOT_IMPLEMENTED")
    );
    // A known method with a truncated body.
    let mut body = functions::help::GetAppConfig { hash: 5 }.to_bytes();
    body.truncate(6);
    let answer = echo_bff::RpcService::invoke(&h.bff, &ctx, &body).await;
    assert_eq!(answer.unwrap_err(), err(400, "INPUT_REQUEST_INVALID"));
    assert!(h
        .bff
        .implemented()
        .contains(&functions::help::GetConfig::CONSTRUCTOR_ID));
}
