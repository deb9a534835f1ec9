//! `langpack.*`: localization packs (core.telegram.org/api/localization,
//! /method/langpack.getLangPack, getStrings, getDifference, getLanguages, getLanguage).
//!
//! Echo ships one language, English, with no server-side strings (version 0): clients then use
//! their built-in texts, which is what an empty pack means.

use std::sync::Arc;

use echo_tl::{enums, functions, types};

use crate::context::{BffDeps, RpcContext, RpcError};
use crate::router::Router;

/// The only language pack code Echo knows.
const ENGLISH: &str = "en";
/// Version of the (empty) pack; it never changes.
const PACK_VERSION: i32 = 0;

pub fn register(r: &mut Router) {
    r.public_method(get_lang_pack);
    r.public_method(get_strings);
    r.public_method(get_difference);
    r.public_method(get_languages);
    r.public_method(get_language);
}

fn english() -> enums::LangPackLanguage {
    enums::LangPackLanguage::Language(types::LangPackLanguage {
        official: true,
        rtl: false,
        beta: false,
        name: "English".into(),
        native_name: "English".into(),
        lang_code: ENGLISH.into(),
        base_lang_code: None,
        plural_code: ENGLISH.into(),
        strings_count: 0,
        translated_count: 0,
        translations_url: "https://translations.telegram.org/en/".into(),
    })
}

/// English and its variants ("en", "en-US", "en_raw") are served; any other code is not a pack
/// this server has.
fn check_lang_code(lang_code: &str) -> Result<(), RpcError> {
    let base = lang_code.split(['-', '_']).next().unwrap_or_default();
    if base.eq_ignore_ascii_case(ENGLISH) {
        Ok(())
    } else {
        Err(RpcError::bad_request("LANG_CODE_NOT_SUPPORTED"))
    }
}

fn empty_difference(from_version: i32) -> enums::LangPackDifference {
    enums::LangPackDifference::Difference(types::LangPackDifference {
        lang_code: ENGLISH.into(),
        from_version,
        version: PACK_VERSION,
        strings: Vec::new(),
    })
}

async fn get_lang_pack(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::langpack::GetLangPack,
) -> Result<enums::LangPackDifference, RpcError> {
    check_lang_code(&req.lang_code)?;
    Ok(empty_difference(0))
}

async fn get_strings(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::langpack::GetStrings,
) -> Result<Vec<enums::LangPackString>, RpcError> {
    check_lang_code(&req.lang_code)?;
    // The pack has no strings, so every requested key is reported as absent.
    Ok(req
        .keys
        .into_iter()
        .map(|key| enums::LangPackString::Deleted(types::LangPackStringDeleted { key }))
        .collect())
}

async fn get_difference(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::langpack::GetDifference,
) -> Result<enums::LangPackDifference, RpcError> {
    check_lang_code(&req.lang_code)?;
    Ok(empty_difference(req.from_version))
}

async fn get_languages(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    _req: functions::langpack::GetLanguages,
) -> Result<Vec<enums::LangPackLanguage>, RpcError> {
    Ok(vec![english()])
}

async fn get_language(
    _deps: Arc<BffDeps>,
    _ctx: RpcContext,
    req: functions::langpack::GetLanguage,
) -> Result<enums::LangPackLanguage, RpcError> {
    check_lang_code(&req.lang_code)?;
    Ok(english())
}
