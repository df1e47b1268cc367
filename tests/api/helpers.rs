//! The harness: the real application, built from the library, on a fresh database per test.

use std::sync::{
    Arc,
    atomic::{AtomicU64, Ordering},
};

use reqwest::header::{ACCEPT, CONTENT_TYPE, HeaderMap};
use reqwest::{Client, Method, RequestBuilder, StatusCode};
use serde_json::{Value, json};
use users_service::config::Settings;
use users_service::startup::Application;
use users_service::state::AppState;
use users_service::users::admin::create_admin;
use uuid::Uuid;

use crate::database::{TestDatabase, fresh_database};
use crate::jsonapi_schema::assert_jsonapi;

pub const JSONAPI_MEDIA_TYPE: &str = "application/vnd.api+json";
pub const USERS_PATH: &str = "/api/v1/users.json";
pub const ME_PATH: &str = "/api/v1/users/me.json";
pub const TOKEN_PATH: &str = "/api/v1/auth/token";

/// The URL path of one user.
pub fn user_path(id: i64) -> String {
    format!("/api/v1/users/{id}.json")
}

/// A response read to the end, so a test can look at it as often as it likes.
pub struct TestResponse {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub text: String,
}

impl TestResponse {
    pub async fn read(response: reqwest::Response) -> Self {
        let status = response.status();
        let headers = response.headers().clone();
        let text = response
            .text()
            .await
            .expect("the response body can be read");
        Self {
            status,
            headers,
            text,
        }
    }

    /// The header's value, if present and printable.
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .get(name)
            .map(|value| value.to_str().expect("a printable header value"))
    }

    /// The body parsed as JSON.
    pub fn json(&self) -> Value {
        serde_json::from_str(&self.text).unwrap_or_else(|error| {
            panic!(
                "the body is not JSON ({error}); status {}, body: {:?}",
                self.status, self.text
            )
        })
    }
}

/// Sends a request and reads the whole response.
pub async fn send(request: RequestBuilder) -> TestResponse {
    let response = request
        .send()
        .await
        .expect("the request reaches the service");
    TestResponse::read(response).await
}

/// The application under test, listening on a random local port.
pub struct TestApp {
    /// `http://127.0.0.1:<port>`
    pub address: String,
    pub port: u16,
    pub client: Client,
    pub state: AppState,
    /// The secret tokens are signed with, so tests can forge tokens.
    pub jwt_secret: String,
    /// Keeps the database alive until the test ends.
    _database: TestDatabase,
}

/// Starts the application with test-friendly settings on a fresh database.
pub async fn spawn_app() -> TestApp {
    spawn_app_with(|_| {}).await
}

/// Like `spawn_app`, letting the test change the settings first.
pub async fn spawn_app_with(configure: impl FnOnce(&mut Settings)) -> TestApp {
    spawn(configure, false).await.0
}

/// Like `spawn_app`, on a connection that counts every statement the
/// application sends to the database.
pub async fn spawn_app_counting_statements() -> (TestApp, Arc<AtomicU64>) {
    spawn(|_| {}, true).await
}

async fn spawn(configure: impl FnOnce(&mut Settings), count: bool) -> (TestApp, Arc<AtomicU64>) {
    let database = fresh_database().await;
    let mut settings = Settings::for_database(database.url());
    settings.listen_addr = "127.0.0.1:0".to_owned();
    settings.jwt_secret = Some(random_secret());
    configure(&mut settings);
    let jwt_secret = settings
        .jwt_secret
        .clone()
        .expect("tests always sign with a known secret");

    let statements = Arc::new(AtomicU64::new(0));
    let application = if count {
        let mut db = users_service::db::connect(&settings)
            .await
            .expect("a connection to the test database");
        let counter = statements.clone();
        db.set_metric_callback(move |_| {
            counter.fetch_add(1, Ordering::SeqCst);
        });
        Application::build_on(settings, db).await
    } else {
        Application::build(settings).await
    }
    .expect("the application starts");
    let local_addr = application.local_addr();
    let state = application.state();
    tokio::spawn(application.run_until_stopped());

    let client = Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .expect("an HTTP client");
    let app = TestApp {
        address: format!("http://{local_addr}"),
        port: local_addr.port(),
        client,
        state,
        jwt_secret,
        _database: database,
    };
    (app, statements)
}

/// 64 random characters.
fn random_secret() -> String {
    format!("{}{}", Uuid::new_v4().simple(), Uuid::new_v4().simple())
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.address, path)
    }

    /// A request that accepts JSON:API and carries the bearer token, if any.
    pub fn request(&self, method: Method, path: &str, token: Option<&str>) -> RequestBuilder {
        let request = self
            .client
            .request(method, self.url(path))
            .header(ACCEPT, JSONAPI_MEDIA_TYPE);
        match token {
            Some(token) => request.bearer_auth(token),
            None => request,
        }
    }

    /// Like `request`, with `document` as a JSON:API body.
    pub fn request_with_body(
        &self,
        method: Method,
        path: &str,
        document: &Value,
        token: Option<&str>,
    ) -> RequestBuilder {
        self.request(method, path, token)
            .header(CONTENT_TYPE, JSONAPI_MEDIA_TYPE)
            .body(document.to_string())
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        send(self.request(Method::GET, path, token)).await
    }

    pub async fn post(&self, path: &str, document: &Value, token: Option<&str>) -> TestResponse {
        send(self.request_with_body(Method::POST, path, document, token)).await
    }

    pub async fn patch(&self, path: &str, document: &Value, token: Option<&str>) -> TestResponse {
        send(self.request_with_body(Method::PATCH, path, document, token)).await
    }

    pub async fn delete(&self, path: &str, token: Option<&str>) -> TestResponse {
        send(self.request(Method::DELETE, path, token)).await
    }

    /// Registers a user anonymously; returns the status and the (JSON:API) body.
    pub async fn register(&self, name: &str, email: &str, password: &str) -> (StatusCode, Value) {
        let response = self
            .post(USERS_PATH, &registration(name, email, password), None)
            .await;
        let body = assert_jsonapi(&response);
        (response.status, body)
    }

    /// Registers a user who must be accepted; returns the new id.
    pub async fn register_ok(&self, name: &str, email: &str, password: &str) -> i64 {
        let (status, body) = self.register(name, email, password).await;
        assert_eq!(status, StatusCode::CREATED, "registration failed: {body}");
        id_of(&body)
    }

    /// Posts an OAuth 2 password grant (or anything else) as a form.
    pub async fn request_token(&self, form: &[(&str, &str)]) -> TestResponse {
        send(self.client.post(self.url(TOKEN_PATH)).form(form)).await
    }

    /// Signs in, which must succeed; returns the access token.
    pub async fn sign_in(&self, email: &str, password: &str) -> String {
        let response = self
            .request_token(&[
                ("grant_type", "password"),
                ("username", email),
                ("password", password),
            ])
            .await;
        assert_eq!(
            response.status,
            StatusCode::OK,
            "sign-in failed: {}",
            response.text
        );
        response.json()["access_token"]
            .as_str()
            .expect("an access_token string")
            .to_owned()
    }

    /// Creates an admin through the library (as `create-admin` does) and signs them in.
    pub async fn create_admin_and_sign_in(&self) -> (i64, String) {
        let email = unique_email("admin");
        let password = strong_password();
        let id = create_admin(&self.state, &email, "Admin Istrator", &password)
            .await
            .expect("the admin is created");
        let token = self.sign_in(&email, &password).await;
        (id, token)
    }

    /// Registers an ordinary user and signs them in: (id, token, email, password).
    pub async fn register_and_sign_in(&self) -> (i64, String, String, String) {
        let email = unique_email("user");
        let password = strong_password();
        let id = self.register_ok("Test User", &email, &password).await;
        let token = self.sign_in(&email, &password).await;
        (id, token, email, password)
    }

    /// Signs in an admin, then has another admin change what makes the
    /// first one's token good: `attributes` such as a new password or role.
    /// Returns the first admin's id and now outdated token.
    pub async fn admin_changed_since_signing_in(&self, attributes: Value) -> (i64, String) {
        let (admin_id, admin_token) = self.create_admin_and_sign_in().await;
        let (_, other_admin_token) = self.create_admin_and_sign_in().await;
        let change = self
            .patch(
                &user_path(admin_id),
                &user_update(admin_id, attributes),
                Some(&other_admin_token),
            )
            .await;
        assert_eq!(change.status, StatusCode::OK, "{}", change.text);
        (admin_id, admin_token)
    }
}

/// An address no other part of the test uses.
pub fn unique_email(label: &str) -> String {
    format!("{label}-{}@example.com", Uuid::new_v4().simple())
}

/// A password of 36 characters, different every time.
pub fn strong_password() -> String {
    format!("pw-{}-x", Uuid::new_v4().simple())
}

/// A registration document with the three required attributes.
pub fn registration(name: &str, email: &str, password: &str) -> Value {
    new_user(json!({ "name": name, "email": email, "password": password }))
}

/// A registration of Ada Lovelace with every optional attribute set.
pub fn full_registration(email: &str, password: &str) -> Value {
    new_user(json!({
        "name": "Ada Lovelace",
        "email": email,
        "password": password,
        "dob": "1815-12-10",
        "address": "12 St James's Square, London",
        "profession": "Mathematician",
        "website": "https://example.com/ada",
    }))
}

/// A document creating a user with these attributes.
pub fn new_user(attributes: Value) -> Value {
    json!({ "data": { "type": "users", "attributes": attributes } })
}

/// A document updating user `id` with these attributes.
pub fn user_update(id: i64, attributes: Value) -> Value {
    json!({ "data": { "type": "users", "id": id.to_string(), "attributes": attributes } })
}

/// The numeric id of the user in a single-resource document.
pub fn id_of(document: &Value) -> i64 {
    document["data"]["id"]
        .as_str()
        .unwrap_or_else(|| panic!("data.id is a string: {document}"))
        .parse()
        .unwrap_or_else(|_| panic!("data.id is numeric: {document}"))
}

/// Asserts that `response` is a JSON:API error document with this status, whose errors all
/// carry that status as a string and a title. Returns the error objects.
pub fn assert_error_status(response: &TestResponse, status: u16) -> Vec<Value> {
    assert_eq!(
        response.status.as_u16(),
        status,
        "expected a {status}; body: {}",
        response.text
    );
    let body = assert_jsonapi(response);
    let errors = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("an errors array: {body}"))
        .clone();
    assert!(!errors.is_empty(), "at least one error: {body}");
    for error in &errors {
        assert_eq!(
            error["status"],
            status.to_string(),
            "each error's status is the HTTP status as a string: {body}"
        );
        assert!(error["title"].is_string(), "each error has a title: {body}");
        assert!(
            error["detail"].is_string(),
            "each error has a detail: {body}"
        );
    }
    errors
}

/// Like `assert_error_status`, and one error has this code. Returns that error object.
pub fn assert_error(response: &TestResponse, status: u16, code: &str) -> Value {
    assert_error_status(response, status)
        .into_iter()
        .find(|error| error["code"] == code)
        .unwrap_or_else(|| panic!("an error with code {code}: {}", response.text))
}

/// Asserts a 401 with this code and a `WWW-Authenticate: Bearer ...` challenge.
pub fn assert_unauthorized(response: &TestResponse, code: &str) {
    assert_error(response, 401, code);
    assert_bearer_challenge(response);
}

/// Asserts that the response challenges the client to present a bearer token.
pub fn assert_bearer_challenge(response: &TestResponse) {
    let challenge = response.header("www-authenticate").unwrap_or_default();
    assert!(
        challenge.starts_with("Bearer"),
        "WWW-Authenticate starts with Bearer, got {challenge:?}"
    );
}

/// Like `assert_error`, and that error points at `pointer` in the request document.
pub fn assert_error_at(response: &TestResponse, status: u16, code: &str, pointer: &str) {
    let error = assert_error(response, status, code);
    assert_eq!(
        error["source"]["pointer"], pointer,
        "source.pointer of {error}"
    );
}

/// Asserts a 400 error with this code naming query parameter `parameter`.
pub fn assert_parameter_error(response: &TestResponse, code: &str, parameter: &str) {
    let error = assert_error(response, 400, code);
    assert_eq!(
        error["source"]["parameter"], parameter,
        "source.parameter of {error}"
    );
}

/// Asserts a 400 naming query parameter `parameter`, as `invalid_parameter` or
/// `unknown_parameter` (for `include` the contract does not say which).
pub fn assert_bad_parameter(response: &TestResponse, parameter: &str) {
    let errors = assert_error_status(response, 400);
    assert!(
        errors.iter().any(|error| {
            error["source"]["parameter"] == parameter
                && (error["code"] == "invalid_parameter" || error["code"] == "unknown_parameter")
        }),
        "an invalid_parameter or unknown_parameter error naming {parameter}: {}",
        response.text
    );
}

/// Every (code, pointer) pair of an error document, sorted, to compare with what a test expects.
pub fn error_pointers(response: &TestResponse) -> Vec<(String, String)> {
    let body = assert_jsonapi(response);
    let mut pairs: Vec<(String, String)> = body["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("an errors array: {body}"))
        .iter()
        .map(|error| {
            (
                error["code"].as_str().unwrap_or_default().to_owned(),
                error["source"]["pointer"]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    pairs.sort();
    pairs
}

/// Expected (code, pointer) pairs, sorted like `error_pointers`.
pub fn expected_pointers(pairs: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = pairs
        .iter()
        .map(|(code, pointer)| ((*code).to_owned(), (*pointer).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

/// Asserts that no member anywhere in `value` is named `password` (or `password_hash`).
pub fn assert_no_password(value: &Value) {
    match value {
        Value::Object(members) => {
            for (name, member) in members {
                assert!(
                    !name.contains("password"),
                    "a response must never carry a password: {value}"
                );
                assert_no_password(member);
            }
        }
        Value::Array(items) => items.iter().for_each(assert_no_password),
        _ => {}
    }
}

impl TestApp {
    /// Another instance of the service on the database `spawn_app` created for this one (not one
    /// a test put in its place through `spawn_app_with`), signing with the same JWT secret: a
    /// second replica behind a load balancer. (Every `TestApp` owns a database, so the replica is
    /// handed a fresh one of its own, which it never uses.)
    pub async fn spawn_replica(&self) -> TestApp {
        let database_url = self._database.url().to_owned();
        let jwt_secret = self.jwt_secret.clone();
        spawn_app_with(move |settings| {
            settings.database_url = database_url;
            settings.jwt_secret = Some(jwt_secret);
        })
        .await
    }
}
