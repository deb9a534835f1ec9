//! `help.*`: server configuration and the static bits clients fetch on connect
//! (core.telegram.org/method/help.getConfig, /method/help.getNearestDc, /method/help.getAppConfig,
//! /method/help.getCountriesList, /method/help.getTermsOfServiceUpdate, /method/help.getPromoData,
//! /method/help.getInviteText).
//!
//! help.getSupport is not registered: it must name a real support user, and there is none.

use std::net::IpAddr;
use std::sync::Arc;

use echo_tl::{enums, functions, types, Serializable};

use crate::context::{BffDeps, RpcContext, RpcError, ServerConfig};
use crate::router::Router;

/// How long a client may cache the config (`Config.expires`).
const CONFIG_TTL_SECS: i64 = 3600;
/// How long "nothing to show" answers (terms of service, promo data) stay valid.
const DAY_SECS: i64 = 86_400;
/// Largest basic group and supergroup, message and caption lengths the server accepts.
pub const CHAT_SIZE_MAX: i32 = 200;
pub const MEGAGROUP_SIZE_MAX: i32 = 200_000;
pub const MESSAGE_LENGTH_MAX: usize = 4096;
pub const CAPTION_LENGTH_MAX: i32 = 1024;

pub fn register(r: &mut Router) {
    r.public_method(get_config);
    r.public_method(get_nearest_dc);
    r.public_method(get_app_config);
    r.public_method(get_countries_list);
    r.public_method(get_terms_of_service_update);
    r.public_method(get_promo_data);
    r.method(get_invite_text);
}

/// Unix seconds as the `int` TL dates use (saturating rather than wrapping in 2038).
pub fn tl_date(now: i64) -> i32 {
    i32::try_from(now).unwrap_or(i32::MAX)
}

/// A 31-bit content hash for the `int hash` of cacheable answers
/// (core.telegram.org/api/offsets#hash-generation): clients only echo it back, so only
/// equality matters. Never 0, because 0 is what a client sends when it has nothing cached.
pub fn content_hash(values: impl IntoIterator<Item = u32>) -> i32 {
    let mut acc: u32 = 0;
    for v in values {
        acc = (acc.wrapping_mul(20261).wrapping_add(v)) & 0x7fff_ffff;
    }
    // acc is masked to 31 bits, so the cast cannot go negative.
    if acc == 0 {
        1
    } else {
        acc as i32
    }
}

/// Hash of a TL object's bytes, taken four at a time.
fn bytes_hash(bytes: &[u8]) -> i32 {
    content_hash(bytes.chunks(4).map(|c| {
        let mut word = [0u8; 4];
        word[..c.len()].copy_from_slice(c);
        u32::from_le_bytes(word)
    }))
}

/// Every DC id points at this one server: clients that switch DCs (for files or migration)
/// must still reach it. Each id gets a `static` entry (what grammers keeps) and a plain one.
pub fn dc_options(config: &ServerConfig) -> Vec<enums::DcOption> {
    let ipv6 = matches!(config.public_host.parse::<IpAddr>(), Ok(IpAddr::V6(_)));
    let mut options = Vec::with_capacity(10);
    for id in 1..=5 {
        for is_static in [true, false] {
            options.push(enums::DcOption::Option(types::DcOption {
                ipv6,
                media_only: false,
                tcpo_only: false,
                cdn: false,
                r#static: is_static,
                this_port_only: false,
                id,
                ip_address: config.public_host.clone(),
                port: i32::from(config.public_port),
                secret: None,
            }));
        }
    }
    options
}

async fn get_config(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::help::GetConfig,
) -> Result<enums::Config, RpcError> {
    Ok(build_config(
        &deps.config,
        ctx.now,
        ctx.this_dc(&deps.config),
    ))
}

/// The `config` object (core.telegram.org/constructor/config), with Telegram's usual timeouts.
pub fn build_config(config: &ServerConfig, now: i64, this_dc: i32) -> enums::Config {
    enums::Config::Config(types::Config {
        default_p2p_contacts: false,
        preload_featured_stickers: false,
        revoke_pm_inbox: true,
        blocked_mode: false,
        force_try_ipv6: false,
        date: tl_date(now),
        expires: tl_date(now + CONFIG_TTL_SECS),
        test_mode: false,
        this_dc,
        dc_options: dc_options(config),
        dc_txt_domain_name: String::new(),
        chat_size_max: CHAT_SIZE_MAX,
        megagroup_size_max: MEGAGROUP_SIZE_MAX,
        forwarded_count_max: 100,
        online_update_period_ms: 210_000,
        offline_blur_timeout_ms: 5_000,
        offline_idle_timeout_ms: 30_000,
        online_cloud_timeout_ms: 300_000,
        notify_cloud_delay_ms: 30_000,
        notify_default_delay_ms: 1_500,
        push_chat_period_ms: 60_000,
        push_chat_limit: 2,
        edit_time_limit: 172_800,
        revoke_time_limit: i32::MAX,
        revoke_pm_time_limit: i32::MAX,
        rating_e_decay: 2_419_200,
        stickers_recent_limit: 200,
        channels_read_media_period: 604_800,
        tmp_sessions: None,
        call_receive_timeout_ms: 20_000,
        call_ring_timeout_ms: 90_000,
        call_connect_timeout_ms: 30_000,
        call_packet_timeout_ms: 10_000,
        me_url_prefix: "https://t.me/".into(),
        autoupdate_url_prefix: None,
        gif_search_username: None,
        venue_search_username: None,
        img_search_username: None,
        static_maps_provider: None,
        caption_length_max: CAPTION_LENGTH_MAX,
        message_length_max: MESSAGE_LENGTH_MAX as i32,
        webfile_dc_id: config.dc_id,
        suggested_lang_code: None,
        lang_pack_version: None,
        base_lang_pack_version: None,
        reactions_default: None,
        autologin_token: None,
    })
}

async fn get_nearest_dc(
    deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::help::GetNearestDc,
) -> Result<enums::NearestDc, RpcError> {
    Ok(enums::NearestDc::Dc(types::NearestDc {
        country: "US".into(),
        this_dc: ctx.this_dc(&deps.config),
        nearest_dc: ctx.this_dc(&deps.config),
    }))
}

/// The app config is an empty JSON object: clients fall back to their built-in defaults.
fn app_config() -> types::help::AppConfig {
    let config = enums::Jsonvalue::JsonObject(types::JsonObject { value: Vec::new() });
    let hash = bytes_hash(&config.to_bytes());
    types::help::AppConfig { hash, config }
}

async fn get_app_config(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::help::GetAppConfig,
) -> Result<enums::help::AppConfig, RpcError> {
    let config = app_config();
    if req.hash == config.hash {
        return Ok(enums::help::AppConfig::NotModified);
    }
    Ok(enums::help::AppConfig::Config(config))
}

/// (ISO 3166 code, English name, calling code): a short list of real countries.
const COUNTRIES: &[(&str, &str, &str)] = &[
    ("DE", "Germany", "49"),
    ("GB", "United Kingdom", "44"),
    ("IN", "India", "91"),
    ("RU", "Russian Federation", "7"),
    ("US", "USA", "1"),
];

fn countries_list() -> types::help::CountriesList {
    let countries: Vec<enums::help::Country> = COUNTRIES
        .iter()
        .map(|(iso2, name, code)| {
            enums::help::Country::Country(types::help::Country {
                hidden: false,
                iso2: (*iso2).into(),
                default_name: (*name).into(),
                name: None,
                country_codes: vec![enums::help::CountryCode::Code(types::help::CountryCode {
                    country_code: (*code).into(),
                    prefixes: None,
                    patterns: None,
                })],
            })
        })
        .collect();
    let hash = bytes_hash(&countries.to_bytes());
    types::help::CountriesList { countries, hash }
}

async fn get_countries_list(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::help::GetCountriesList,
) -> Result<enums::help::CountriesList, RpcError> {
    let list = countries_list();
    if req.hash == list.hash {
        return Ok(enums::help::CountriesList::NotModified);
    }
    Ok(enums::help::CountriesList::List(list))
}

async fn get_terms_of_service_update(
    _deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::help::GetTermsOfServiceUpdate,
) -> Result<enums::help::TermsOfServiceUpdate, RpcError> {
    Ok(enums::help::TermsOfServiceUpdate::Empty(
        types::help::TermsOfServiceUpdateEmpty {
            expires: tl_date(ctx.now + DAY_SECS),
        },
    ))
}

async fn get_promo_data(
    _deps: Arc<BffDeps>,
    ctx: RpcContext,
    _req: functions::help::GetPromoData,
) -> Result<enums::help::PromoData, RpcError> {
    Ok(enums::help::PromoData::Empty(types::help::PromoDataEmpty {
        expires: tl_date(ctx.now + DAY_SECS),
    }))
}

async fn get_invite_text(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    _req: functions::help::GetInviteText,
) -> Result<enums::help::InviteText, RpcError> {
    Ok(enums::help::InviteText::Text(types::help::InviteText {
        message: "Join me on Echo, an open-source Telegram-compatible messenger.".into(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_are_never_zero_and_stable() {
        assert_ne!(content_hash([]), 0);
        assert_eq!(app_config().hash, app_config().hash);
        assert_ne!(countries_list().hash, 0);
    }

    #[test]
    fn ipv6_hosts_get_the_ipv6_flag() {
        let config = ServerConfig {
            public_host: "::1".into(),
            ..ServerConfig::default()
        };
        let options = dc_options(&config);
        assert_eq!(options.len(), 10);
        assert!(options
            .iter()
            .all(|o| matches!(o, enums::DcOption::Option(o) if o.ipv6)));
        let v4 = dc_options(&ServerConfig::default());
        assert!(v4
            .iter()
            .all(|o| matches!(o, enums::DcOption::Option(o) if !o.ipv6)));
    }
}
