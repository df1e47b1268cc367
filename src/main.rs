use clap::Parser;
use users_service::{cli::Cli, telemetry};

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    telemetry::init();
    Cli::parse().run().await
}
