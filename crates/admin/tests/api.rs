//! The admin API over real HTTP: authentication, authorizations, login codes, service
//! messages, probes, metrics and the OpenAPI document (users: tests/users.rs).

mod support;

use support::{create, request, send_code, Server, NOW, TOKEN};

#[tokio::test]
async fn token_is_required_and_checked() {
    let server = Server::start(Some(TOKEN)).await;
    let missing = request(server.addr, "GET", "/v1/users", None, None).await;
    assert_eq!(missing.status, 401);
    assert_eq!(missing.code(), "ADMIN_TOKEN_MISSING");
    assert!(missing
        .headers
        .to_ascii_lowercase()
        .contains("www-authenticate: bearer"));
    let wrong = request(server.addr, "GET", "/v1/users", Some("Bearer nope"), None).await;
    assert_eq!(wrong.status, 401);
    assert_eq!(wrong.code(), "ADMIN_TOKEN_INVALID");
    assert!(!wrong.body.contains(TOKEN));
    let basic = request(server.addr, "GET", "/v1/users", Some("Basic eDp5"), None).await;
    assert_eq!(basic.status, 401);
    assert_eq!(server.call("GET", "/v1/users", None).await.status, 200);
    // Probes stay public.
    let health = request(server.addr, "GET", "/healthz", None, None).await;
    assert_eq!(health.status, 200);
    assert_eq!(health.json()["status"], "ok");
    assert_eq!(
        request(server.addr, "GET", "/readyz", None, None)
            .await
            .json()["status"],
        "ready"
    );
    let unknown = server.call("GET", "/v1/nothing-here", None).await;
    assert_eq!(unknown.status, 404);
    assert_eq!(unknown.code(), "NOT_FOUND");
    let wrong_method = server.call("PUT", "/v1/users", Some("{}")).await;
    assert_eq!(wrong_method.status, 405);
    assert_eq!(wrong_method.code(), "METHOD_NOT_ALLOWED");
}

#[tokio::test]
async fn without_a_token_the_api_is_disabled() {
    let server = Server::start(None).await;
    let answer = request(server.addr, "GET", "/v1/users", Some("Bearer x"), None).await;
    assert_eq!(answer.status, 403);
    assert_eq!(answer.code(), "ADMIN_DISABLED");
    assert!(answer.json()["message"]
        .as_str()
        .unwrap()
        .contains("ECHO_ADMIN_TOKEN"));
    assert_eq!(
        request(server.addr, "GET", "/healthz", None, None)
            .await
            .status,
        200
    );
    assert_eq!(
        request(server.addr, "GET", "/readyz", None, None)
            .await
            .status,
        200
    );
    assert_eq!(
        request(server.addr, "GET", "/metrics", None, None)
            .await
            .status,
        200
    );
}

#[tokio::test]
async fn authorizations_terminate_one_and_all() {
    let server = Server::start(Some(TOKEN)).await;
    let id = create(&server, "15550001", "Ann").await;
    use echo_authsession::AuthSessionService;
    server.authsession.bind_user(77, id, NOW).await.unwrap();
    server.authsession.bind_user(78, id, NOW + 1).await.unwrap();
    let list = server
        .call_json("GET", &format!("/v1/users/{id}/authorizations"), None)
        .await;
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    let hash = list[0]["hash"].as_str().unwrap().to_string();
    assert!(list[0]["layer"].is_number() && list[0]["active_at"].is_number());
    let one = server
        .call(
            "DELETE",
            &format!("/v1/users/{id}/authorizations/{hash}"),
            None,
        )
        .await;
    assert_eq!(one.status, 200, "{}", one.body);
    let left = server
        .call_json("GET", &format!("/v1/users/{id}/authorizations"), None)
        .await;
    assert_eq!(left.as_array().unwrap().len(), 1);
    let gone = server
        .call(
            "DELETE",
            &format!("/v1/users/{id}/authorizations/{hash}"),
            None,
        )
        .await;
    assert_eq!(
        (gone.status, gone.code().as_str()),
        (404, "AUTHORIZATION_NOT_FOUND")
    );
    let bad = server
        .call("DELETE", &format!("/v1/users/{id}/authorizations/x"), None)
        .await;
    assert_eq!(bad.status, 400);
    let all = server
        .call_json("DELETE", &format!("/v1/users/{id}/authorizations"), None)
        .await;
    assert_eq!(all["authorizations_logged_out"], 1);
    assert_eq!(server.authsession.user_of(78).await.unwrap(), None);
}

#[tokio::test]
async fn pending_login_code_is_readable() {
    let server = Server::start(Some(TOKEN)).await;
    let none = server.call("GET", "/v1/login-codes/15550001", None).await;
    assert_eq!((none.status, none.code().as_str()), (404, "CODE_NOT_FOUND"));
    let bad = server.call("GET", "/v1/login-codes/abc", None).await;
    assert_eq!(
        (bad.status, bad.code().as_str()),
        (400, "PHONE_NUMBER_INVALID")
    );
    let hash = send_code(&server, "15550001").await.unwrap();
    let stored = server
        .storage
        .phone_codes
        .get(&hash)
        .await
        .unwrap()
        .unwrap();
    let code = server
        .call_json("GET", "/v1/login-codes/+15550001", None)
        .await;
    assert_eq!(code["code"], stored.code.as_str());
    assert_eq!(code["expires_at"], stored.expires_at);
    assert_eq!(code["attempts"], 0);
}

#[tokio::test]
async fn service_messages_need_the_messaging_service() {
    let server = Server::start(Some(TOKEN)).await;
    let id = create(&server, "15550001", "Ann").await;
    let body = format!(r#"{{"user_id": {id}, "text": "hello"}}"#);
    let answer = server
        .call("POST", "/v1/messages/service", Some(&body))
        .await;
    assert_eq!(
        (answer.status, answer.code().as_str()),
        (501, "SERVICE_MESSAGES_UNAVAILABLE")
    );
    for (body, status, code) in [
        (r#"{"text": "x"}"#.to_string(), 400, "RECIPIENT_INVALID"),
        (
            r#"{"user_id": 1, "all": true, "text": "x"}"#.to_string(),
            400,
            "RECIPIENT_INVALID",
        ),
        (
            format!(r#"{{"user_id": {id}, "text": " "}}"#),
            400,
            "MESSAGE_INVALID",
        ),
        (
            r#"{"user_id": 5, "text": "x"}"#.to_string(),
            404,
            "USER_NOT_FOUND",
        ),
    ] {
        let answer = server
            .call("POST", "/v1/messages/service", Some(&body))
            .await;
        assert_eq!(
            (answer.status, answer.code().as_str()),
            (status, code),
            "{body}"
        );
    }
}

#[tokio::test]
async fn service_messages_reach_the_box() {
    let server = Server::start_with(Some(TOKEN), true).await;
    let ann = create(&server, "15550001", "Ann").await;
    let _bob = create(&server, "15550002", "Bob").await;
    let body = format!(r#"{{"user_id": {ann}, "text": "maintenance at noon"}}"#);
    let sent = server
        .call_json("POST", "/v1/messages/service", Some(&body))
        .await;
    assert_eq!(sent["recipients"], 1);
    let peer = echo_storage::Peer::User(echo_admin::SERVICE_USER_ID);
    let query = echo_storage::HistoryQuery {
        limit: 10,
        ..Default::default()
    };
    let box_ = server
        .storage
        .messages
        .history(ann, peer, query)
        .await
        .unwrap();
    assert_eq!(box_.len(), 1);
    assert_eq!(box_[0].message, "maintenance at noon");
    assert!(!box_[0].out);
    assert_eq!(box_[0].from_id, echo_admin::SERVICE_USER_ID);
    let all = server
        .call_json(
            "POST",
            "/v1/messages/service",
            Some(r#"{"all": true, "text": "hi all"}"#),
        )
        .await;
    assert_eq!(all["recipients"], 2);
    let box_ = server
        .storage
        .messages
        .history(ann, peer, query)
        .await
        .unwrap();
    assert_eq!(box_.len(), 2);
}

#[tokio::test]
async fn metrics_and_openapi() {
    let server = Server::start(Some(TOKEN)).await;
    let _ = send_code(&server, "15550001").await;
    let _ = send_code(&server, "1").await;
    server
        .metrics
        .gateway("127.0.0.1:10443")
        .handshake_completed(false);
    let metrics = request(server.addr, "GET", "/metrics", None, None).await;
    assert_eq!(metrics.status, 200);
    assert!(metrics.headers.contains("text/plain; version=0.0.4"));
    assert!(metrics
        .body
        .contains("echo_rpc_calls_total{method=\"auth.sendCode\",error=\"OK\"} 1"));
    assert!(metrics.body.contains(
        "echo_rpc_calls_total{method=\"auth.sendCode\",error=\"PHONE_NUMBER_INVALID\"} 1"
    ));
    assert!(metrics
        .body
        .contains("echo_rpc_duration_seconds_bucket{method=\"auth.sendCode\",le=\"+Inf\"} 2"));
    assert!(metrics
        .body
        .contains("echo_handshakes_total{gateway=\"127.0.0.1:10443\",result=\"perm\"} 1"));

    let doc = request(server.addr, "GET", "/openapi.json", None, None)
        .await
        .json();
    assert!(doc["openapi"].as_str().unwrap().starts_with("3."));
    for path in [
        "/v1/users",
        "/v1/users/{id}/ban",
        "/v1/login-codes/{phone}",
        "/metrics",
        "/v1/stats",
    ] {
        assert!(
            doc["paths"][path].is_object(),
            "{path} missing from the OpenAPI document"
        );
    }
    assert_eq!(
        doc["components"]["securitySchemes"]["bearer"]["scheme"],
        "bearer"
    );
    assert!(doc["components"]["schemas"]["ErrorBody"].is_object());
}
