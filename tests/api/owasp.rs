//! The OWASP API Security Top 10 where the other files leave a gap: secrets in the logs
//! of the real binary (excessive data exposure), user enumeration through sign-in answers
//! and their timing, JWT headers naming keys and claims of the wrong type (broken
//! authentication), and hostile ids and documents (each a JSON:API 4xx, never a 500).

use std::io::{BufRead, BufReader, Read};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc;
use std::time::{Duration, Instant};

use jsonwebtoken::{Algorithm, EncodingKey, Header, encode};
use reqwest::header::CONTENT_TYPE;
use reqwest::{Client, Method, StatusCode};
use serde_json::{Value, json};
use uuid::Uuid;

use crate::helpers::{
    JSONAPI_MEDIA_TYPE, ME_PATH, TOKEN_PATH, TestApp, TestResponse, USERS_PATH, assert_error,
    assert_unauthorized, registration, send, spawn_app, strong_password, unique_email, user_path,
    user_update,
};
use crate::jsonapi_schema::assert_jsonapi;

const BINARY: &str = env!("CARGO_BIN_EXE_users-service");

/// The real binary, serving on a free port with JSON logs on a pipe.
struct RunningBinary {
    child: Child,
    address: String,
    /// Everything the process wrote to standard error, once it has ended.
    log: mpsc::Receiver<String>,
}

impl RunningBinary {
    fn start(env: &[(&str, &str)]) -> Self {
        let mut command = Command::new(BINARY);
        command
            .arg("serve")
            .env_remove("RUST_LOG")
            .env("LISTEN_ADDR", "127.0.0.1:0")
            .env("LOG_FORMAT", "json")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::piped());
        for (name, value) in env {
            command.env(name, value);
        }
        let mut child = command.spawn().expect("the binary starts");
        let stderr = child.stderr.take().expect("standard error is piped");
        let (address_tx, address_rx) = mpsc::channel();
        let (log_tx, log_rx) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stderr);
            let mut log = String::new();
            let mut line = String::new();
            while reader.read_line(&mut line).unwrap_or(0) > 0 {
                if let Ok(event) = serde_json::from_str::<Value>(&line)
                    && event["fields"]["message"] == "users service ready"
                    && let Some(address) = event["fields"]["local_addr"].as_str()
                {
                    drop(address_tx.send(address.to_owned()));
                }
                log.push_str(&line);
                line.clear();
            }
            let mut rest = String::new();
            drop(reader.read_to_string(&mut rest));
            log.push_str(&rest);
            drop(log_tx.send(log));
        });
        let address = address_rx
            .recv_timeout(Duration::from_secs(60))
            .expect("the binary logs its address");
        Self {
            child,
            address: format!("http://{address}"),
            log: log_rx,
        }
    }

    /// Stops the process with SIGTERM, as a deployment would, and returns its log.
    fn stop(mut self) -> String {
        let pid = self.child.id().to_string();
        let signalled = Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .expect("kill runs");
        assert!(signalled.success(), "SIGTERM reaches the service");
        let status = self.child.wait().expect("the service ends");
        assert!(status.success(), "the service stops cleanly: {status}");
        self.log
            .recv_timeout(Duration::from_secs(30))
            .expect("the log is read to the end")
    }
}

impl Drop for RunningBinary {
    fn drop(&mut self) {
        // Only when a test failed before stop(): end the one process it started.
        drop(self.child.kill());
        drop(self.child.wait());
    }
}

async fn post_json(
    client: &Client,
    url: String,
    body: &Value,
    token: Option<&str>,
) -> TestResponse {
    let mut request = client
        .post(url)
        .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
        .body(body.to_string());
    if let Some(token) = token {
        request = request.bearer_auth(token);
    }
    send(request).await
}

async fn password_grant(client: &Client, url: &str, email: &str, password: &str) -> TestResponse {
    let form = [
        ("grant_type", "password"),
        ("username", email),
        ("password", password),
    ];
    send(client.post(url).form(&form)).await
}

fn access_token(response: &TestResponse) -> String {
    assert_eq!(response.status, StatusCode::OK, "{}", response.text);
    response.json()["access_token"]
        .as_str()
        .expect("an access token")
        .to_owned()
}

#[tokio::test]
async fn the_real_binarys_log_carries_no_password_hash_or_token() {
    // Arrange: the binary with its default log level, on a fresh SQLite file.
    let directory = tempfile::tempdir().expect("a temporary directory");
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        directory.path().join("users.sqlite").display()
    );
    let jwt_secret = format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple());
    let admin_email = unique_email("log-admin");
    let admin_password = format!("admin-{}", Uuid::new_v4().simple());
    let create_admin = Command::new(BINARY)
        .args([
            "create-admin",
            "--email",
            &admin_email,
            "--name",
            "Log Admin",
        ])
        .env("DATABASE_URL", &database_url)
        .env("ADMIN_PASSWORD", &admin_password)
        .env("LOG_FORMAT", "json")
        .env_remove("RUST_LOG")
        .output()
        .expect("create-admin runs");
    assert!(create_admin.status.success(), "{create_admin:?}");
    let service = RunningBinary::start(&[
        ("DATABASE_URL", database_url.as_str()),
        ("JWT_SECRET", jwt_secret.as_str()),
    ]);
    let client = Client::new();
    let base = service.address.clone();
    let token_url = format!("{base}{TOKEN_PATH}");
    let email = unique_email("log-user");
    let password = format!("first-{}", Uuid::new_v4().simple());
    let new_password = format!("second-{}", Uuid::new_v4().simple());
    let wrong_password = format!("wrong-{}", Uuid::new_v4().simple());
    let refused_password = format!("bad\u{7}{}", Uuid::new_v4().simple());
    let mut tokens = Vec::new();

    // Act: registrations (one refused), sign-ins right and wrong, token use (in the
    // header and, refused, in the query string), a password change, an admin listing.
    let registered = post_json(
        &client,
        format!("{base}{USERS_PATH}"),
        &registration("Log User", &email, &password),
        None,
    )
    .await;
    assert_eq!(
        registered.status,
        StatusCode::CREATED,
        "{}",
        registered.text
    );
    let id = registered.json()["data"]["id"]
        .as_str()
        .and_then(|id| id.parse::<i64>().ok())
        .expect("a numeric id");
    let refused = post_json(
        &client,
        format!("{base}{USERS_PATH}"),
        &registration("Log User", &unique_email("refused"), &refused_password),
        None,
    )
    .await;
    assert_eq!(refused.status.as_u16(), 422, "{}", refused.text);
    let wrong = password_grant(&client, &token_url, &email, &wrong_password).await;
    assert_eq!(wrong.status, StatusCode::BAD_REQUEST, "{}", wrong.text);
    let unknown = password_grant(&client, &token_url, &unique_email("nobody"), &password).await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST, "{}", unknown.text);
    let token = access_token(&password_grant(&client, &token_url, &email, &password).await);
    tokens.push(token.clone());
    let me = send(client.get(format!("{base}{ME_PATH}")).bearer_auth(&token)).await;
    assert_eq!(me.status, StatusCode::OK, "{}", me.text);
    let in_query = send(client.get(format!("{base}{ME_PATH}?access_token={token}"))).await;
    assert_eq!(in_query.status.as_u16(), 400, "{}", in_query.text);
    let change = json!({
        "data": { "type": "users", "id": id.to_string(), "attributes": { "password": new_password } },
        "meta": { "current_password": password }
    });
    let changed = send(
        client
            .patch(format!("{base}{}", user_path(id)))
            .bearer_auth(&token)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .body(change.to_string()),
    )
    .await;
    assert_eq!(changed.status, StatusCode::OK, "{}", changed.text);
    let ended = send(client.get(format!("{base}{ME_PATH}")).bearer_auth(&token)).await;
    assert_eq!(ended.status, StatusCode::UNAUTHORIZED, "{}", ended.text);
    let new_token = access_token(&password_grant(&client, &token_url, &email, &new_password).await);
    tokens.push(new_token.clone());
    let me_again = send(
        client
            .get(format!("{base}{ME_PATH}"))
            .bearer_auth(&new_token),
    )
    .await;
    assert_eq!(me_again.status, StatusCode::OK, "{}", me_again.text);
    let admin_token =
        access_token(&password_grant(&client, &token_url, &admin_email, &admin_password).await);
    tokens.push(admin_token.clone());
    let listed = send(
        client
            .get(format!("{base}{USERS_PATH}?filter[q]=log"))
            .bearer_auth(&admin_token),
    )
    .await;
    assert_eq!(listed.status, StatusCode::OK, "{}", listed.text);
    let log = format!(
        "{}{}{}",
        String::from_utf8_lossy(&create_admin.stdout),
        String::from_utf8_lossy(&create_admin.stderr),
        service.stop()
    );

    // Assert: the log is there, and holds none of the secrets.
    assert!(
        log.contains("users service ready") && log.contains(TOKEN_PATH),
        "the requests were logged: {log}"
    );
    for secret in [
        &admin_password,
        &password,
        &new_password,
        &wrong_password,
        &refused_password,
    ] {
        assert!(!log.contains(secret.as_str()), "a password is in the log");
    }
    assert!(!log.contains("$argon2"), "a password hash is in the log");
    for token in &tokens {
        let characters: Vec<char> = token.chars().collect();
        for fragment in characters.windows(16) {
            let fragment: String = fragment.iter().collect();
            assert!(
                !log.contains(&fragment),
                "a fragment of a token is in the log: {fragment}"
            );
        }
    }
}

/// Sign-in attempts on a fresh service: `attempts` with a wrong password (each on
/// its own registered email, so the per-email throttle, after 5 failures, never
/// answers in their place) interleaved with as many on unknown emails (fresh each
/// time), so both kinds see the same load on the machine. Returns every answer
/// and the median time of each kind.
async fn time_failed_sign_ins(attempts: usize) -> (Vec<TestResponse>, Duration, Duration) {
    // A fresh service: its per-address failure count (50 a minute) starts at 0.
    let app = spawn_app().await;
    let mut known = Vec::new();
    for _ in 0..=attempts {
        let email = unique_email("known");
        app.register_ok("Known User", &email, &strong_password())
            .await;
        known.push(email);
    }
    let url = app.url(TOKEN_PATH);
    let wrong = "a-wrong-password-x";
    // One of each first, so neither kind pays for a cold start.
    password_grant(&app.client, &url, &known[attempts], wrong).await;
    password_grant(&app.client, &url, &unique_email("nobody"), wrong).await;

    let mut answers = Vec::new();
    let (mut wrong_password, mut unknown_email) = (Vec::new(), Vec::new());
    for (index, email) in known.iter().take(attempts).enumerate() {
        // Alternating which kind goes first cancels any drift in the load.
        for wrong_first in [index % 2 == 0, index % 2 == 1] {
            let started = Instant::now();
            if wrong_first {
                answers.push(password_grant(&app.client, &url, email, wrong).await);
                wrong_password.push(started.elapsed());
            } else {
                answers
                    .push(password_grant(&app.client, &url, &unique_email("nobody"), wrong).await);
                unknown_email.push(started.elapsed());
            }
        }
    }
    let median = |mut times: Vec<Duration>| {
        times.sort();
        times[times.len() / 2]
    };
    (answers, median(wrong_password), median(unknown_email))
}

#[tokio::test]
async fn an_unknown_email_and_a_wrong_password_look_the_same_in_bytes_and_time() {
    // Up to five rounds of 15 attempts of each kind: the rest of the suite running
    // on two cores can spoil a round's timing, but a real difference (a password
    // hash computed for known emails only, some ten times the rest of a sign-in)
    // shows in every round.
    const ATTEMPTS: usize = 15;
    let mut rounds = Vec::new();
    for _ in 0..5 {
        // Act
        let (answers, wrong, unknown) = time_failed_sign_ins(ATTEMPTS).await;

        // Assert: the same status, headers that matter and bytes every time...
        let first = &answers[0];
        assert_eq!(first.status, StatusCode::BAD_REQUEST, "{}", first.text);
        assert_eq!(first.json()["error"], "invalid_grant");
        for answer in &answers {
            assert_eq!(answer.status, first.status);
            assert_eq!(answer.text, first.text);
            for header in ["content-type", "content-length", "www-authenticate"] {
                assert_eq!(answer.header(header), first.header(header), "{header}");
            }
        }
        // ...and median times within half of each other: hashing for known
        // emails only would make one kind about ten times the other, while
        // the suite's own load on two cores moves a median by a third.
        let (slower, faster) = (wrong.max(unknown), wrong.min(unknown));
        rounds.push(format!(
            "wrong password {wrong:?}, unknown email {unknown:?}"
        ));
        if slower.as_secs_f64() <= faster.as_secs_f64() * 1.5 {
            return;
        }
    }
    panic!("median sign-in times differ by more than 50% in every round: {rounds:#?}");
}

/// A token with the real secret and real claims, but this header.
async fn forged_with_header(
    app: &TestApp,
    header: Header,
    change: impl FnOnce(&mut Value),
) -> String {
    let (_, token, _, _) = app.register_and_sign_in().await;
    let mut claims = jsonwebtoken::dangerous::insecure_decode::<Value>(token.as_str())
        .expect("a decodable JWT")
        .claims;
    claims["jti"] = json!(Uuid::new_v4().to_string());
    change(&mut claims);
    encode(
        &header,
        &claims,
        &EncodingKey::from_secret(app.jwt_secret.as_bytes()),
    )
    .expect("the token is signed")
}

#[tokio::test]
async fn a_token_whose_header_names_a_key_is_a_401_even_signed_with_the_real_secret() {
    // Arrange
    let app = spawn_app().await;
    let mut with_kid = Header::new(Algorithm::HS256);
    with_kid.kid = Some("../../../../dev/null".to_owned());
    let mut with_jku = Header::new(Algorithm::HS256);
    with_jku.jku = Some("https://attacker.example/keys.json".to_owned());

    for (label, header) in [("kid", with_kid), ("jku", with_jku)] {
        let token = forged_with_header(&app, header, |_| {}).await;

        // Act
        let response = app.get(ME_PATH, Some(&token)).await;

        // Assert
        assert_eq!(response.status.as_u16(), 401, "{label}: {}", response.text);
        assert_unauthorized(&response, "invalid_token");
    }
}

#[tokio::test]
async fn a_token_with_a_string_exp_or_sub_is_a_401() {
    // Arrange
    let app = spawn_app().await;
    let far = chrono::Utc::now().timestamp() + 600;
    let string_exp = forged_with_header(&app, Header::new(Algorithm::HS256), |c| {
        c["exp"] = json!(far.to_string())
    })
    .await;
    let numeric_sub =
        forged_with_header(&app, Header::new(Algorithm::HS256), |c| c["sub"] = json!(1)).await;

    for (label, token) in [("string exp", string_exp), ("numeric sub", numeric_sub)] {
        // Act
        let response = app.get(ME_PATH, Some(&token)).await;

        // Assert
        assert_eq!(response.status.as_u16(), 401, "{label}: {}", response.text);
        assert_unauthorized(&response, "invalid_token");
    }
}

#[tokio::test]
async fn ids_written_as_dots_or_negative_or_huge_are_404s_for_every_method() {
    // Arrange
    let app = spawn_app().await;
    let (id, admin_token) = app.create_admin_and_sign_in().await;
    let paths = [
        "/api/v1/users/%2E.json".to_owned(),
        "/api/v1/users/%2E%2E.json".to_owned(),
        "/api/v1/users/%2e%2e%2f1.json".to_owned(),
        "/api/v1/users/-1.json".to_owned(),
        format!("/api/v1/users/{id}.json.json"),
        format!("/api/v1/users/{}.json", "9".repeat(30)),
        "/api/v1/users/18446744073709551616.json".to_owned(),
    ];

    for path in &paths {
        for method in [Method::GET, Method::PATCH, Method::DELETE] {
            // Act
            let request = app
                .request(method.clone(), path, Some(&admin_token))
                .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
                .body(user_update(id, json!({ "name": "Not Changed" })).to_string());
            let response = send(request).await;

            // Assert
            assert_eq!(
                response.status.as_u16(),
                404,
                "{method} {path}: {}",
                response.text
            );
            assert_error(&response, 404, "not_found");
        }
    }
    let me = app.get(&user_path(id), Some(&admin_token)).await;
    assert_eq!(me.json()["data"]["attributes"]["name"], "Admin Istrator");
}

#[tokio::test]
async fn hostile_update_documents_are_4xx_json_api_errors_never_500s() {
    // Arrange
    let app = spawn_app().await;
    let (id, token, _, password) = app.register_and_sign_in().await;
    let id_text = id.to_string();
    let huge = "123456789012345678901234567890";
    let cases: Vec<(&str, Vec<u8>)> = vec![
        ("invalid UTF-8", b"{\"data\": {\"type\": \"users\xc3\x28\"}}".to_vec()),
        (
            "a lone surrogate escape",
            format!(r#"{{"data": {{"type": "users", "id": "{id}", "attributes": {{"name": "\udc00x"}}}}}}"#).into_bytes(),
        ),
        (
            "a duplicated key",
            format!(r#"{{"data": {{"type": "users", "id": "{id}", "id": "1", "attributes": {{}}}}}}"#).into_bytes(),
        ),
        (
            "a duplicated meta key",
            format!(
                r#"{{"data": {{"type": "users", "id": "{id}", "attributes": {{"password": "{}"}}}},
                 "meta": {{"current_password": "{password}", "current_password": "x"}}}}"#,
                strong_password()
            )
            .into_bytes(),
        ),
        (
            "a number beyond 64 bits as the id",
            format!(r#"{{"data": {{"type": "users", "id": {huge}, "attributes": {{}}}}}}"#).into_bytes(),
        ),
        (
            "a number beyond 64 bits as an attribute",
            format!(r#"{{"data": {{"type": "users", "id": "{id}", "attributes": {{"name": {huge}, "dob": 1e400}}}}}}"#).into_bytes(),
        ),
        ("null as the document", b"null".to_vec()),
        ("null data", br#"{"data": null}"#.to_vec()),
        (
            "null attributes",
            format!(r#"{{"data": {{"type": "users", "id": "{id}", "attributes": null}}}}"#).into_bytes(),
        ),
        (
            "null meta",
            format!(r#"{{"data": {{"type": "users", "id": "{id}", "attributes": {{"name": "Ok Name"}}}}, "meta": null}}"#).into_bytes(),
        ),
        (
            "an array where the document belongs",
            br#"[{"data": {}}]"#.to_vec(),
        ),
    ];

    for (label, body) in cases {
        // Act
        let request = app
            .request(Method::PATCH, &user_path(id), Some(&token))
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .body(body);
        let response = send(request).await;

        // Assert
        let status = response.status.as_u16();
        assert!(
            (400..500).contains(&status) && status != 401 && status != 404,
            "{label}: {status} {}",
            response.text
        );
        assert_jsonapi(&response);
    }
    let me = app.get(ME_PATH, Some(&token)).await;
    assert_eq!(me.json()["data"]["id"], id_text, "the user is still there");
}

#[tokio::test]
async fn hostile_sign_in_bodies_are_4xx_never_500s() {
    // Arrange
    let app = spawn_app().await;
    let cases: [(&str, &str, &[u8]); 5] = [
        (
            "application/x-www-form-urlencoded",
            "invalid UTF-8 in a form",
            b"grant_type=password&username=a%FF%FE@example.com&password=\xff\xfe",
        ),
        (
            "application/json",
            "invalid UTF-8 in JSON",
            b"{\"grant_type\": \"password\", \"username\": \"\xff\", \"password\": \"x\"}",
        ),
        (
            "application/json",
            "a duplicated key",
            br#"{"grant_type": "password", "username": "a@example.com", "username": "b@example.com", "password": "correct horse battery"}"#,
        ),
        ("application/json", "null", b"null"),
        (
            "application/json",
            "a number beyond 64 bits",
            br#"{"grant_type": "password", "username": 123456789012345678901234567890, "password": "x"}"#,
        ),
    ];

    for (content_type, label, body) in cases {
        // Act
        let request = app
            .client
            .post(app.url(TOKEN_PATH))
            .header(CONTENT_TYPE, content_type)
            .body(body.to_vec());
        let response = send(request).await;

        // Assert
        let status = response.status.as_u16();
        assert!(
            (400..500).contains(&status),
            "{label}: {status} {}",
            response.text
        );
        let body = response.json();
        assert!(
            body["error"].is_string() || body["errors"].is_array(),
            "{label}: an OAuth 2 or JSON:API error: {body}"
        );
    }
}

#[tokio::test]
async fn the_highest_documented_page_number_is_an_empty_page_and_one_more_is_a_400() {
    // Arrange: schemathesis found page[number]=7692388454367837184 refused
    // though the document allowed any uint64 from 1.
    let app = spawn_app().await;
    let (_, admin_token) = app.create_admin_and_sign_in().await;
    let highest = 1_000_000_000_000_000_u64;

    // Act
    let last = app
        .get(
            &format!("{USERS_PATH}?page[number]={highest}&page[size]=100"),
            Some(&admin_token),
        )
        .await;
    let beyond = app
        .get(
            &format!("{USERS_PATH}?page[number]={}", highest + 1),
            Some(&admin_token),
        )
        .await;

    // Assert
    assert_eq!(last.status, StatusCode::OK, "{}", last.text);
    assert_eq!(last.json()["data"], json!([]));
    assert_eq!(beyond.status.as_u16(), 400, "{}", beyond.text);
    assert_error(&beyond, 400, "invalid_parameter");
}

#[tokio::test]
async fn query_a_method_no_path_has_is_a_405_with_allow() {
    // Arrange: schemathesis sends QUERY (the safe method with a body); poem
    // answered it with a 405 but no Allow.
    let app = spawn_app().await;
    let query = Method::from_bytes(b"QUERY").expect("a method");
    let cases = [
        (USERS_PATH, "GET, HEAD, POST"),
        (ME_PATH, "GET, HEAD"),
        ("/api/v1/users/1.json", "GET, HEAD, PATCH, DELETE"),
        (TOKEN_PATH, "POST"),
        ("/health/live", "GET, HEAD"),
    ];

    for (path, allow) in cases {
        // Act
        let response = send(app.request(query.clone(), path, None)).await;

        // Assert
        assert_error(&response, 405, "method_not_allowed");
        assert_eq!(response.header("allow"), Some(allow), "QUERY {path}");
    }
}
