//! One storage test suite, run against SQLite and against MySQL/MariaDB.
//!
//! Every case is an `async fn(Ctx) -> anyhow::Result<()>`; `suite!` turns each into a
//! `sqlite::<case>` and a `mysql::<case>` test, each on its own fresh database.

mod admin_cases;
mod auth_cases;
mod batch_append_cases;
mod channel_cases;
mod channel_moderation_cases;
mod channel_public_cases;
mod chat_cases;
mod chat_migration_cases;
mod contact_cases;
mod dialog_cases;
mod harness;
mod media_cases;
mod message_cases;
mod security_cases;
mod updates_log_cases;
mod user_cases;

macro_rules! suite {
    ($($module:ident :: $case:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::harness::sqlite(crate::$module::$case).await;
                }
            )*
        }
        mod mysql {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $case() {
                    crate::harness::mysql(crate::$module::$case).await;
                }
            )*
        }
    };
}

suite!(
    admin_cases::admin_list_search_and_ban,
    admin_cases::admin_delete_account_frees_phone,
    admin_cases::admin_pending_code,
    auth_cases::auth_keys_put_get_bind,
    auth_cases::authorizations_bind_unbind,
    auth_cases::phone_codes,
    chat_cases::chats_membership,
    chat_migration_cases::basic_group_migrates_once,
    channel_cases::channels_members_and_roles,
    channel_cases::channel_posts_share_one_sequence,
    channel_cases::channel_photo_and_album_ids,
    channel_public_cases::channel_usernames_are_case_insensitive,
    channel_public_cases::channel_invites_limits_and_requests,
    channel_public_cases::channel_invite_importers_by_link,
    channel_moderation_cases::channel_admins_and_bans,
    channel_moderation_cases::channel_toggles_slowmode_and_pins,
    channel_moderation_cases::channel_views_history_and_deletion,
    auth_cases::migrations_are_idempotent,
    user_cases::users_create_and_conflict,
    user_cases::usernames_are_case_insensitive,
    user_cases::profile_and_last_seen,
    message_cases::append_allocates_per_user_ids_and_pts,
    message_cases::random_id_dedupe,
    message_cases::concurrent_appends_get_distinct_ids,
    message_cases::history_offsets,
    message_cases::count_and_search,
    message_cases::edit_and_delete,
    message_cases::grouped_id_round_trips,
    dialog_cases::dialogs_ordering_and_paging,
    dialog_cases::dialogs_read_state,
    contact_cases::contacts_upsert_list_mutual_delete,
    contact_cases::imported_phones_claimed_on_sign_up,
    contact_cases::search_users_by_prefix,
    contact_cases::blocks_and_privacy,
    contact_cases::service_user_is_ensured_once,
    updates_log_cases::two_sided_messages_are_logged,
    updates_log_cases::edits_deletes_and_reads_advance_pts,
    updates_log_cases::drafts_per_dialog,
    batch_append_cases::batch_appends_write_every_box,
    batch_append_cases::copies_of_a_group_message,
    batch_append_cases::crossing_batch_appends,
    batch_append_cases::racing_retries_store_one_message,
    security_cases::passwords_and_srp_challenges,
    security_cases::login_tokens,
    security_cases::flood_counters_survive_reconnect,
    security_cases::authorization_ttls,
    media_cases::photos_and_documents,
    media_cases::peer_photo_history,
);

/// `sqlite::memory:` keeps its single connection, so data survives between calls.
#[tokio::test]
async fn sqlite_in_memory_keeps_data() {
    let storage = echo_storage::Storage::connect("sqlite::memory:")
        .await
        .expect("in-memory SQLite");
    let user = storage
        .users
        .create(user_cases::new_user("15550001", "Mem"))
        .await
        .expect("create");
    assert_eq!(user.id, echo_storage::FIRST_USER_ID);
    let again = storage.users.get_by_phone("15550001").await.expect("get");
    assert_eq!(again, Some(user));
    storage.ping().await.expect("ping");
    storage.close().await;
}

#[tokio::test]
async fn unsupported_url_is_rejected() {
    let err = echo_storage::Storage::connect("postgres://localhost/db")
        .await
        .expect_err("postgres is not supported");
    assert!(matches!(err, echo_storage::StorageError::BadUrl(_)));
}
