//! The command line: `serve` (the default), `migrate`, `create-admin` and
//! `openapi`.

use std::io::{BufRead, IsTerminal};

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use migration::{Migrator, MigratorTrait};

use crate::{api, config::Settings, db, startup::Application, state::AppState, users::admin};

#[derive(Parser)]
#[command(version, about = "A users service speaking JSON:API 1.1")]
pub struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve,
    /// Apply, roll back or show migrations.
    Migrate {
        #[command(subcommand)]
        action: Option<MigrateAction>,
    },
    /// Create an admin; the password comes from ADMIN_PASSWORD or standard input.
    CreateAdmin {
        #[arg(long)]
        email: String,
        #[arg(long)]
        name: String,
    },
    /// Print a version's OpenAPI document, as committed under `openapi/`.
    Openapi {
        /// The version: v1 or v2.
        #[arg(default_value = "v1")]
        version: String,
    },
}

#[derive(Subcommand)]
enum MigrateAction {
    /// Apply every pending migration (the default).
    Up,
    /// Roll back the last migration, or the last N.
    Down {
        #[arg(long, default_value_t = 1)]
        steps: u32,
    },
    /// List migrations and whether each is applied.
    Status,
}

impl Cli {
    pub async fn run(self) -> anyhow::Result<()> {
        match self.command.unwrap_or(Command::Serve) {
            Command::Serve => {
                let application = Application::build(Settings::from_env()?).await?;
                application.run_until_stopped().await?;
            }
            Command::Migrate { action } => migrate(action.unwrap_or(MigrateAction::Up)).await?,
            Command::CreateAdmin { email, name } => {
                let settings = Settings::from_env()?;
                let password = admin_password()?;
                let db = db::connect(&settings).await?;
                Migrator::up(&db, None).await?;
                let state = AppState::new(&settings, db)?;
                let id = admin::create_admin(&state, &email, &name, &password).await?;
                println!("created admin {id} <{email}>");
            }
            Command::Openapi { version } => match api::spec(&version) {
                Some(document) => println!("{document}"),
                None => bail!(
                    "there is no API version {version:?}; there are {}",
                    api::VERSION_NAMES.join(", ")
                ),
            },
        }
        Ok(())
    }
}

async fn migrate(action: MigrateAction) -> anyhow::Result<()> {
    let db = db::connect(&Settings::from_env()?).await?;
    match action {
        MigrateAction::Up => Migrator::up(&db, None).await?,
        MigrateAction::Down { steps } => Migrator::down(&db, Some(steps)).await?,
        MigrateAction::Status => {
            for migration in Migrator::get_migration_with_status(&db).await? {
                println!("{}\t{}", migration.name(), migration.status());
            }
        }
    }
    Ok(())
}

/// The admin's password: never an argument, where other users could see it.
fn admin_password() -> anyhow::Result<String> {
    if let Ok(password) = std::env::var("ADMIN_PASSWORD") {
        return Ok(password);
    }
    let stdin = std::io::stdin();
    if stdin.is_terminal() {
        eprintln!("Password for the new admin (then Enter):");
    }
    let mut line = String::new();
    stdin
        .lock()
        .read_line(&mut line)
        .context("could not read the password from standard input")?;
    let password = line.trim_end_matches(['\r', '\n']).to_owned();
    if password.is_empty() {
        bail!("no password: set ADMIN_PASSWORD or pass it on standard input");
    }
    Ok(password)
}
