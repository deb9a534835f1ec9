//! `/v1/users` over real HTTP: provisioning and lookups with bad input, paging and search,
//! bans (and their effect on auth.sendCode), account deletion.

mod support;

use support::{create, send_code, Server, NOW, TOKEN};

#[tokio::test]
async fn create_and_look_up_users_with_bad_input() {
    let server = Server::start(Some(TOKEN)).await;
    for (body, code) in [
        ("{not json", "JSON_MALFORMED"),
        (r#"{"phone": "15550001"}"#, "JSON_INVALID"),
        (r#"{"phone": 5, "first_name": "A"}"#, "JSON_INVALID"),
        (
            r#"{"phone": "abc", "first_name": "A"}"#,
            "PHONE_NUMBER_INVALID",
        ),
        (
            r#"{"phone": "15550001", "first_name": "  "}"#,
            "FIRST_NAME_INVALID",
        ),
        (
            r#"{"phone": "15550001", "first_name": "A", "extra": 1}"#,
            "JSON_INVALID",
        ),
    ] {
        let answer = server.call("POST", "/v1/users", Some(body)).await;
        assert_eq!(answer.status, 400, "{body}: {}", answer.body);
        assert_eq!(answer.code(), code, "{body}");
    }
    let id = create(&server, "+1 555-0001", "Ann").await;
    let again = server
        .call(
            "POST",
            "/v1/users",
            Some(r#"{"phone": "15550001", "first_name": "B"}"#),
        )
        .await;
    assert_eq!(again.status, 409);
    assert_eq!(again.code(), "PHONE_NUMBER_OCCUPIED");

    let user = server
        .call_json("GET", &format!("/v1/users/{id}"), None)
        .await;
    assert_eq!(user["phone"], "15550001");
    assert_eq!(user["first_name"], "Ann");
    assert_eq!(user["banned"], false);
    let by_phone = server
        .call_json("GET", "/v1/users/by-phone/+15550001", None)
        .await;
    assert_eq!(by_phone["id"], id);
    server
        .storage
        .users
        .set_username(id, Some("AnnA".into()))
        .await
        .unwrap();
    let by_name = server
        .call_json("GET", "/v1/users/by-username/@anna", None)
        .await;
    assert_eq!(by_name["id"], id);

    let unknown = server.call("GET", "/v1/users/42", None).await;
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "USER_NOT_FOUND")
    );
    let bad_id = server.call("GET", "/v1/users/abc", None).await;
    assert_eq!(
        (bad_id.status, bad_id.code().as_str()),
        (400, "USER_ID_INVALID")
    );
    assert_eq!(
        server
            .call("GET", "/v1/users/by-phone/15559999", None)
            .await
            .status,
        404
    );
    assert_eq!(
        server
            .call("GET", "/v1/users/by-username/nobody", None)
            .await
            .status,
        404
    );
}

#[tokio::test]
async fn list_pages_and_searches() {
    let server = Server::start(Some(TOKEN)).await;
    let a = create(&server, "15550001", "Ann").await;
    let b = create(&server, "15550002", "Bob").await;
    let c = create(&server, "15550003", "Cid").await;
    let page = server.call_json("GET", "/v1/users?limit=2", None).await;
    assert_eq!(page["total"], 3);
    let ids: Vec<i64> = page["users"]
        .as_array()
        .unwrap()
        .iter()
        .map(|u| u["id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, [a, b]);
    assert_eq!(page["next_after_id"], b);
    let next = server
        .call_json("GET", &format!("/v1/users?limit=2&after_id={b}"), None)
        .await;
    assert_eq!(next["users"][0]["id"], c);
    assert!(next["next_after_id"].is_null());
    let found = server.call_json("GET", "/v1/users?search=BO", None).await;
    assert_eq!(found["total"], 1);
    assert_eq!(found["users"][0]["id"], b);
    for query in ["limit=0", "limit=501", "limit=x", "after_id=1.5"] {
        let answer = server
            .call("GET", &format!("/v1/users?{query}"), None)
            .await;
        assert_eq!(answer.status, 400, "{query}");
    }
    assert_eq!(
        server.call("GET", "/v1/users?limit=0", None).await.code(),
        "LIMIT_INVALID"
    );
    let stats = server.call_json("GET", "/v1/stats", None).await;
    assert_eq!(stats["users"], 3);
    assert_eq!(stats["messages_per_second"], 0.0);
}

#[tokio::test]
async fn ban_logs_out_and_refuses_login_then_unban() {
    let server = Server::start(Some(TOKEN)).await;
    let id = create(&server, "15550001", "Ann").await;
    use echo_authsession::AuthSessionService;
    server.authsession.bind_user(77, id, NOW).await.unwrap();
    let list = server
        .call_json("GET", &format!("/v1/users/{id}/authorizations"), None)
        .await;
    assert_eq!(list.as_array().unwrap().len(), 1);
    assert!(send_code(&server, "15550001").await.is_ok());

    let banned = server
        .call("POST", &format!("/v1/users/{id}/ban"), None)
        .await;
    assert_eq!(banned.status, 200, "{}", banned.body);
    let banned = banned.json();
    assert_eq!(banned["user"]["banned"], true);
    assert_eq!(banned["user"]["banned_at"], NOW);
    assert_eq!(banned["authorizations_logged_out"], 1);
    assert_eq!(server.authsession.user_of(77).await.unwrap(), None);
    assert_eq!(
        send_code(&server, "+1 555 0001").await.unwrap_err(),
        "PHONE_NUMBER_BANNED"
    );
    let unknown = server.call("POST", "/v1/users/5/ban", None).await;
    assert_eq!(
        (unknown.status, unknown.code().as_str()),
        (404, "USER_NOT_FOUND")
    );

    let unbanned = server
        .call_json("POST", &format!("/v1/users/{id}/unban"), None)
        .await;
    assert_eq!(unbanned["banned"], false);
    assert!(send_code(&server, "15550001").await.is_ok());
}

#[tokio::test]
async fn delete_account_frees_the_phone() {
    let server = Server::start(Some(TOKEN)).await;
    let id = create(&server, "15550001", "Ann").await;
    let deleted = server
        .call("DELETE", &format!("/v1/users/{id}"), None)
        .await;
    assert_eq!(deleted.status, 200, "{}", deleted.body);
    assert_eq!(deleted.json()["user"]["deleted"], true);
    assert_eq!(
        server
            .call("DELETE", &format!("/v1/users/{id}"), None)
            .await
            .status,
        404
    );
    assert_eq!(
        server
            .call("GET", "/v1/users/by-phone/15550001", None)
            .await
            .status,
        404
    );
    let again = create(&server, "15550001", "Ann2").await;
    assert_ne!(again, id);
}
