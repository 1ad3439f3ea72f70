//! `registre`: the registry's single binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use registre::{Application, SettingsArgs, import_file, shutdown_signal};

#[derive(Debug, Parser)]
#[command(
    name = "registre",
    version,
    about = "Registre: French and European digital suppliers, their offers and qualifications"
)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    #[command(flatten)]
    settings: SettingsArgs,
}

#[derive(Debug, Subcommand)]
enum Command {
    /// Serve the API (the default).
    Serve {
        #[command(flatten)]
        settings: SettingsArgs,
    },
    /// Load a JSON Lines dataset; rejected rows are listed with their line and reason.
    Import {
        file: PathBuf,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = tokio::runtime::Runtime::new().expect("the Tokio runtime starts");
    let outcome = runtime.block_on(async {
        match cli.command {
            None => serve(cli.settings).await,
            Some(Command::Serve { settings }) => serve(settings).await,
            Some(Command::Import { file, settings }) => import(settings, file).await,
        }
    });
    match outcome {
        Ok(code) => code,
        Err(error) => {
            eprintln!("registre: {error:#}");
            ExitCode::FAILURE
        }
    }
}

async fn serve(args: SettingsArgs) -> anyhow::Result<ExitCode> {
    let settings = args.validate()?;
    tracing::info!(?settings, "starting");
    let app = Application::build(settings.clone()).await?;
    tracing::info!(
        "Registre listens on http://{}:{}",
        settings.listen.ip(),
        app.port()
    );
    app.run_until(shutdown_signal()).await?;
    Ok(ExitCode::SUCCESS)
}

async fn import(args: SettingsArgs, file: PathBuf) -> anyhow::Result<ExitCode> {
    let settings = args.validate()?;
    let report = import_file(&settings, &file).await?;
    for (record, counts) in &report.counts {
        println!(
            "{record}: {} created, {} updated, {} unchanged",
            counts.created, counts.updated, counts.unchanged
        );
    }
    for rejection in &report.rejected {
        let field = rejection
            .field
            .as_deref()
            .map(|f| format!(" {f}:"))
            .unwrap_or_default();
        println!(
            "{}:{}:{field} {}",
            file.display(),
            rejection.line,
            rejection.reason
        );
    }
    if report.rejected.is_empty() {
        Ok(ExitCode::SUCCESS)
    } else {
        println!(
            "{} row(s) rejected; the others were imported",
            report.rejected.len()
        );
        Ok(ExitCode::from(2))
    }
}
