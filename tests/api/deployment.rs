//! The deployment files, read and parsed (there is no Docker engine to run them on):
//! docker-compose.yml as YAML, the Dockerfile as a list of instructions, both checked
//! against what the service reads and what Cargo builds.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use url::Url;

const ROOT: &str = env!("CARGO_MANIFEST_DIR");
/// The name Cargo gives the binary, as the Dockerfile must use it.
const BINARY_NAME: &str = "users-service";
/// How long the service lets in-flight requests finish after SIGTERM (see startup.rs).
const SHUTDOWN_GRACE_SECONDS: u64 = 30;

fn read(path: &str) -> String {
    std::fs::read_to_string(Path::new(ROOT).join(path))
        .unwrap_or_else(|error| panic!("{path} can be read: {error}"))
}

/// docker-compose.yml, parsed as YAML into JSON values.
fn compose() -> Value {
    serde_yaml::from_str(&read("docker-compose.yml"))
        .unwrap_or_else(|error| panic!("docker-compose.yml is YAML: {error}"))
}

fn service<'a>(compose: &'a Value, name: &str) -> &'a Value {
    let service = &compose["services"][name];
    assert!(service.is_object(), "a service named {name}: {compose}");
    service
}

/// The name of the service running PostgreSQL.
fn database_service(compose: &Value) -> String {
    let services = compose["services"].as_object().expect("a services mapping");
    let names: Vec<&String> = services
        .iter()
        .filter(|(_, service)| {
            service["image"]
                .as_str()
                .is_some_and(|image| image.starts_with("postgres:"))
        })
        .map(|(name, _)| name)
        .collect();
    assert_eq!(names.len(), 1, "one PostgreSQL service: {names:?}");
    names[0].clone()
}

/// A service's environment as (name, value) pairs, written as a mapping or as a list.
fn environment(service: &Value) -> Vec<(String, String)> {
    match &service["environment"] {
        Value::Object(variables) => variables
            .iter()
            .map(|(name, value)| {
                let value = match value {
                    Value::String(text) => text.clone(),
                    Value::Null => String::new(),
                    other => other.to_string(),
                };
                (name.clone(), value)
            })
            .collect(),
        Value::Array(entries) => entries
            .iter()
            .map(|entry| {
                let entry = entry.as_str().expect("an environment entry is a string");
                let (name, value) = entry.split_once('=').unwrap_or((entry, ""));
                (name.to_owned(), value.to_owned())
            })
            .collect(),
        Value::Null => Vec::new(),
        other => panic!("environment is a mapping or a list: {other}"),
    }
}

fn variable(service: &Value, name: &str) -> String {
    environment(service)
        .into_iter()
        .find(|(variable, _)| variable == name)
        .map(|(_, value)| value)
        .unwrap_or_else(|| panic!("{name} is set: {service}"))
}

/// The variables in the README's Configuration table.
fn documented_variables() -> BTreeSet<String> {
    let readme = read("README.md");
    let section = readme
        .split("\n## Configuration")
        .nth(1)
        .expect("a Configuration section in the README");
    let section = section.split("\n## ").next().unwrap_or(section);
    let names: BTreeSet<String> = section
        .lines()
        .filter_map(|line| line.strip_prefix("| `"))
        .filter_map(|rest| rest.split('`').next())
        .map(str::to_owned)
        .collect();
    assert!(
        names.contains("DATABASE_URL"),
        "the table is found: {names:?}"
    );
    names
}

/// Every quoted upper-case name (`"JWT_SECRET"`) in the service's source files.
fn quoted_names_in_source() -> BTreeSet<String> {
    fn visit(directory: &Path, names: &mut BTreeSet<String>) {
        for entry in std::fs::read_dir(directory).expect("src/ can be listed") {
            let path = entry.expect("a directory entry").path();
            if path.is_dir() {
                visit(&path, names);
            } else if path.extension().is_some_and(|extension| extension == "rs") {
                let text = std::fs::read_to_string(&path).expect("a source file");
                for (index, piece) in text.split('"').enumerate() {
                    let quoted = index % 2 == 1;
                    if quoted
                        && piece.len() > 2
                        && piece.starts_with(|c: char| c.is_ascii_uppercase())
                        && piece
                            .chars()
                            .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit() || c == '_')
                    {
                        names.insert(piece.to_owned());
                    }
                }
            }
        }
    }
    let mut names = BTreeSet::new();
    visit(&Path::new(ROOT).join("src"), &mut names);
    names
}

/// One Dockerfile instruction: the keyword in upper case and the rest of the line.
#[derive(Debug, Clone)]
struct Instruction {
    keyword: String,
    arguments: String,
}

/// The Dockerfile's instructions, comments dropped and continued lines joined.
fn dockerfile() -> Vec<Instruction> {
    let text = read("Dockerfile");
    let mut instructions = Vec::new();
    let mut current = String::new();
    for line in text.lines() {
        let trimmed = line.trim();
        if trimmed.starts_with('#') || (trimmed.is_empty() && current.is_empty()) {
            continue;
        }
        match trimmed.strip_suffix('\\') {
            Some(start) => {
                current.push_str(start);
                current.push(' ');
            }
            None => {
                current.push_str(trimmed);
                let (keyword, arguments) = current
                    .split_once(char::is_whitespace)
                    .unwrap_or((&current, ""));
                instructions.push(Instruction {
                    keyword: keyword.to_ascii_uppercase(),
                    arguments: arguments.trim().to_owned(),
                });
                current.clear();
            }
        }
    }
    assert!(
        current.is_empty(),
        "the Dockerfile does not end inside a continued line"
    );
    instructions
}

/// The Dockerfile's stages: each begins with its FROM.
fn stages() -> Vec<Vec<Instruction>> {
    let mut stages: Vec<Vec<Instruction>> = Vec::new();
    for instruction in dockerfile() {
        if instruction.keyword == "FROM" {
            stages.push(Vec::new());
        }
        stages
            .last_mut()
            .expect("the Dockerfile begins with FROM (or ARG)")
            .push(instruction);
    }
    stages
}

/// A stage's image and name: `FROM image AS name`.
fn from(stage: &[Instruction]) -> (String, Option<String>) {
    let words: Vec<&str> = stage[0]
        .arguments
        .split_whitespace()
        .filter(|word| !word.starts_with("--"))
        .collect();
    match words.as_slice() {
        [image] => ((*image).to_owned(), None),
        [image, r#as, name] if r#as.eq_ignore_ascii_case("as") => {
            ((*image).to_owned(), Some((*name).to_owned()))
        }
        other => panic!("FROM image [AS name], got {other:?}"),
    }
}

fn arguments<'a>(stage: &'a [Instruction], keyword: &str) -> Vec<&'a str> {
    stage
        .iter()
        .filter(|instruction| instruction.keyword == keyword)
        .map(|instruction| instruction.arguments.as_str())
        .collect()
}

/// The words of an exec-form (`["a", "b"]`) instruction.
fn exec_form(arguments: &str) -> Vec<String> {
    serde_json::from_str(arguments)
        .unwrap_or_else(|error| panic!("{arguments} is in exec form (a JSON array): {error}"))
}

#[test]
fn the_compose_file_builds_the_users_service_from_the_dockerfile() {
    // Arrange
    let compose = compose();

    // Act
    let build = &service(&compose, "users")["build"];

    // Assert
    let (context, dockerfile) = match build {
        Value::String(context) => (context.as_str(), "Dockerfile"),
        Value::Object(_) => (
            build["context"].as_str().unwrap_or("."),
            build["dockerfile"].as_str().unwrap_or("Dockerfile"),
        ),
        other => panic!("users is built, not pulled: build is {other}"),
    };
    assert_eq!(context, ".", "the build context is the repository");
    assert_eq!(dockerfile, "Dockerfile");
    assert!(Path::new(ROOT).join(context).join(dockerfile).is_file());
}

#[test]
fn the_compose_file_runs_postgresql_with_a_healthcheck() {
    // Arrange
    let compose = compose();

    // Act
    let name = database_service(&compose);
    let database = service(&compose, &name);

    // Assert
    let healthcheck = &database["healthcheck"];
    let test: Vec<&str> = healthcheck["test"]
        .as_array()
        .unwrap_or_else(|| panic!("a healthcheck test list: {database}"))
        .iter()
        .map(|word| word.as_str().expect("healthcheck words are strings"))
        .collect();
    assert!(
        matches!(test.first(), Some(&"CMD") | Some(&"CMD-SHELL")),
        "the healthcheck runs a command: {test:?}"
    );
    assert!(
        test.iter().any(|word| word.contains("pg_isready")),
        "the healthcheck asks PostgreSQL with pg_isready: {test:?}"
    );
    assert_ne!(healthcheck["disable"], Value::Bool(true));
}

#[test]
fn the_database_keeps_its_data_in_a_named_volume() {
    // Arrange
    let compose = compose();
    let name = database_service(&compose);

    // Act
    let mounts: Vec<&str> = service(&compose, &name)["volumes"]
        .as_array()
        .expect("the database service mounts volumes")
        .iter()
        .map(|mount| mount.as_str().expect("short-syntax volume entries"))
        .collect();

    // Assert
    let declared = compose["volumes"]
        .as_object()
        .expect("a top-level volumes mapping");
    let data_volume = mounts
        .iter()
        .find_map(|mount| mount.strip_suffix(":/var/lib/postgresql/data"))
        .unwrap_or_else(|| panic!("the data directory is mounted: {mounts:?}"));
    assert!(
        declared.contains_key(data_volume),
        "{data_volume} is a named volume declared at the top level, not a host path: {declared:?}"
    );
}

#[test]
fn the_users_service_starts_only_once_the_database_is_healthy() {
    // Arrange
    let compose = compose();
    let name = database_service(&compose);

    // Act
    let condition = &service(&compose, "users")["depends_on"][&name]["condition"];

    // Assert
    assert_eq!(condition, "service_healthy");
}

#[test]
fn every_variable_the_compose_file_sets_for_the_users_service_is_one_the_service_reads() {
    // Arrange
    let compose = compose();
    let documented = documented_variables();

    // Act
    let set: Vec<String> = environment(service(&compose, "users"))
        .into_iter()
        .map(|(name, _)| name)
        .collect();

    // Assert
    assert!(!set.is_empty(), "the users service is configured");
    for name in &set {
        assert!(
            documented.contains(name),
            "{name} is not in the README's Configuration table {documented:?}: the service \
             would ignore it"
        );
    }
}

#[test]
fn every_variable_of_the_readme_configuration_table_is_read_by_the_service() {
    // Arrange
    let documented = documented_variables();

    // Act
    let quoted = quoted_names_in_source();

    // Assert
    for name in &documented {
        // tracing_subscriber reads RUST_LOG itself, through EnvFilter::try_from_default_env.
        let read = if name == "RUST_LOG" {
            read("src/telemetry.rs").contains("try_from_default_env")
        } else {
            quoted.contains(name)
        };
        assert!(read, "{name} is documented but no source file reads it");
    }
}

#[test]
fn database_url_names_the_database_service_with_the_credentials_it_defines() {
    // Arrange
    let compose = compose();
    let name = database_service(&compose);
    let database = service(&compose, &name);
    let user = variable(database, "POSTGRES_USER");
    let password = variable(database, "POSTGRES_PASSWORD");
    let database_name = environment(database)
        .into_iter()
        .find(|(variable, _)| variable == "POSTGRES_DB")
        .map_or_else(|| user.clone(), |(_, value)| value);

    // Act
    let url = Url::parse(&variable(service(&compose, "users"), "DATABASE_URL"))
        .expect("DATABASE_URL is a URL");

    // Assert
    assert!(matches!(url.scheme(), "postgres" | "postgresql"), "{url}");
    assert_eq!(
        url.host_str(),
        Some(name.as_str()),
        "the host is the service name"
    );
    assert_eq!(url.port().unwrap_or(5432), 5432);
    assert_eq!(url.username(), user);
    assert_eq!(url.password(), Some(password.as_str()));
    assert_eq!(url.path(), format!("/{database_name}"));
}

#[test]
fn the_users_service_listens_on_every_interface_at_the_published_port() {
    // Arrange
    let compose = compose();
    let users = service(&compose, "users");

    // Act
    let listen_addr = variable(users, "LISTEN_ADDR");
    let ports: Vec<String> = users["ports"]
        .as_array()
        .expect("published ports")
        .iter()
        .map(|port| match port {
            Value::String(text) => text.clone(),
            other => other.to_string(),
        })
        .collect();

    // Assert
    let (host, port) = listen_addr
        .rsplit_once(':')
        .unwrap_or_else(|| panic!("LISTEN_ADDR is host:port, got {listen_addr}"));
    assert!(
        matches!(host, "0.0.0.0" | "[::]"),
        "inside a container the service must listen beyond loopback: {listen_addr}"
    );
    assert!(
        ports
            .iter()
            .any(|published| published.rsplit(':').next() == Some(port)),
        "port {port} is published: {ports:?}"
    );
}

#[test]
fn the_jwt_secret_comes_from_the_environment_and_is_required() {
    // Arrange
    let compose = compose();

    // Act
    let secret = variable(service(&compose, "users"), "JWT_SECRET");

    // Assert
    assert!(
        secret.starts_with("${JWT_SECRET:?") && secret.ends_with('}'),
        "JWT_SECRET is required from the environment, never committed: {secret}"
    );
}

#[test]
fn the_users_service_is_given_longer_to_stop_than_its_shutdown_grace() {
    // Arrange
    let compose = compose();

    // Act
    let period = service(&compose, "users")["stop_grace_period"]
        .as_str()
        .unwrap_or("10s")
        .to_owned();

    // Assert
    let seconds: u64 = period
        .strip_suffix('s')
        .and_then(|number| number.parse().ok())
        .unwrap_or_else(|| panic!("stop_grace_period in whole seconds, got {period}"));
    assert!(
        seconds > SHUTDOWN_GRACE_SECONDS,
        "Docker would kill the service ({period}) before its {SHUTDOWN_GRACE_SECONDS} s grace ends"
    );
}

#[test]
fn the_dockerfile_has_a_build_stage_and_a_separate_final_stage() {
    // Arrange
    let stages = stages();

    // Act
    let (build_image, build_name) = from(&stages[0]);
    let (final_image, _) = from(stages.last().expect("a final stage"));

    // Assert
    assert!(stages.len() >= 2, "multi-stage: {} stage(s)", stages.len());
    assert!(
        build_image.starts_with("rust:"),
        "built with Rust: {build_image}"
    );
    assert!(build_name.is_some(), "the build stage is named");
    assert!(
        !final_image.starts_with("rust:"),
        "the final image carries no toolchain: {final_image}"
    );
}

/// The groups Debian's base images already have (base-passwd's group.master).
const DEBIAN_BASE_GROUPS: [&str; 39] = [
    "root", "daemon", "bin", "sys", "adm", "tty", "disk", "lp", "mail", "news", "uucp", "man",
    "proxy", "kmem", "dialout", "fax", "voice", "cdrom", "floppy", "tape", "sudo", "audio", "dip",
    "www-data", "backup", "operator", "list", "irc", "src", "gnats", "shadow", "utmp", "video",
    "sasl", "plugdev", "staff", "games", "users", "nogroup",
];

/// The words of the `useradd` command among a stage's RUN instructions.
fn useradd(stage: &[Instruction]) -> Vec<String> {
    arguments(stage, "RUN")
        .iter()
        .flat_map(|run| run.split("&&"))
        .find(|command| command.split_whitespace().next() == Some("useradd"))
        .unwrap_or_else(|| panic!("the stage creates its user with useradd"))
        .split_whitespace()
        .map(str::to_owned)
        .collect()
}

/// The value of `--long VALUE`, `--long=VALUE` or `-s VALUE` in `words`.
fn option(words: &[String], long: &str, short: &str) -> Option<String> {
    words.iter().enumerate().find_map(|(index, word)| {
        if word == long || word == short {
            words.get(index + 1).cloned()
        } else {
            word.strip_prefix(&format!("{long}=")).map(str::to_owned)
        }
    })
}

#[test]
fn the_final_stage_runs_as_a_user_it_creates_who_is_not_root() {
    // Arrange
    let stages = stages();
    let final_stage = stages.last().expect("a final stage");

    // Act
    let user = arguments(final_stage, "USER")
        .last()
        .unwrap_or_else(|| panic!("the final stage sets USER"))
        .to_string();
    let useradd = useradd(final_stage);

    // Assert
    let account = user.split(':').next().unwrap_or_default();
    assert!(
        !matches!(account, "" | "0" | "root"),
        "the service never runs as root: USER {user}"
    );
    let name = useradd.last().expect("useradd names the account").clone();
    let uid = option(&useradd, "--uid", "-u");
    assert!(
        account == name || Some(account) == uid.as_deref(),
        "USER {user} is the account useradd creates: {useradd:?}"
    );
    let own_group = option(&useradd, "--gid", "-g").is_some()
        || useradd
            .iter()
            .any(|word| word == "--no-user-group" || word == "-N");
    assert!(
        own_group || !DEBIAN_BASE_GROUPS.contains(&name.as_str()),
        "Debian already has a group named {name}, so `useradd {name}` fails (exit 9) unless it \
         is given a group: {useradd:?}"
    );
}

#[test]
fn the_final_stage_copies_and_runs_the_binary_cargo_builds() {
    // Arrange
    let stages = stages();
    let (_, build_name) = from(&stages[0]);
    let build_name = build_name.expect("a named build stage");
    let final_stage = stages.last().expect("a final stage");
    let built_binary = Path::new(env!("CARGO_BIN_EXE_users-service"))
        .file_name()
        .and_then(|name| name.to_str())
        .expect("the binary's file name")
        .to_owned();

    // Act
    let build_runs = arguments(&stages[0], "RUN").join("\n");
    let copies = arguments(final_stage, "COPY");
    let entrypoint = exec_form(
        arguments(final_stage, "ENTRYPOINT")
            .last()
            .expect("an ENTRYPOINT"),
    );

    // Assert
    assert_eq!(
        built_binary, BINARY_NAME,
        "Cargo names the binary {BINARY_NAME}"
    );
    assert!(
        build_runs.contains("cargo build --release")
            && build_runs.contains(&format!("--bin {BINARY_NAME}")),
        "the build stage builds the release binary: {build_runs}"
    );
    let copy = copies
        .iter()
        .find(|copy| copy.starts_with(&format!("--from={build_name} ")))
        .unwrap_or_else(|| panic!("the final stage copies from {build_name}: {copies:?}"));
    let words: Vec<&str> = copy.split_whitespace().collect();
    let workdir = arguments(&stages[0], "WORKDIR")
        .last()
        .copied()
        .expect("the build stage sets its WORKDIR");
    assert_eq!(
        words[1],
        format!(
            "{}/target/release/{BINARY_NAME}",
            workdir.trim_end_matches('/')
        ),
        "the copied file is Cargo's release binary"
    );
    assert_eq!(
        entrypoint.first().map(String::as_str),
        Some(words[2]),
        "the entry point is the copied binary"
    );
}

#[test]
fn the_build_stage_rust_is_at_least_the_crates_rust_version() {
    // Arrange
    let manifest = read("Cargo.toml");
    let required = manifest
        .lines()
        .find_map(|line| line.strip_prefix("rust-version = "))
        .map(|version| version.trim_matches('"').to_owned())
        .expect("Cargo.toml sets rust-version");

    // Act
    let (image, _) = from(&stages()[0]);

    // Assert
    let tag = image.strip_prefix("rust:").expect("a rust image");
    let version = tag.split('-').next().unwrap_or(tag);
    let numbers = |text: &str| -> Vec<u32> {
        text.split('.')
            .map(|part| {
                part.parse()
                    .unwrap_or_else(|_| panic!("a version number: {text}"))
            })
            .collect()
    };
    assert!(
        numbers(version) >= numbers(&required),
        "the image's Rust {version} builds a crate that needs {required}"
    );
}

#[test]
fn the_docker_build_context_leaves_out_local_builds_databases_and_git() {
    // Arrange
    let ignore = read(".dockerignore");

    // Act
    let patterns: BTreeSet<&str> = ignore
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .collect();

    // Assert
    for pattern in ["target", "*.sqlite*", ".git"] {
        assert!(
            patterns.contains(pattern),
            "{pattern} is ignored: {patterns:?}"
        );
    }
}
