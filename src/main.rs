//! `registre`: the registry's single binary.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Parser, Subcommand};
use registre::{Application, SettingsArgs, import_file, shutdown_signal};

/// mimalloc rather than the system allocator: faster on the index rebuild and the search's many
/// small allocations (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

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
    /// Schedule a matchmaking benchmark instance and print its metrics as one JSON line.
    ScheduleBench {
        /// An instance in the shared benchmark format ({params, administrations, vendors, requests}).
        #[arg(long)]
        instance: PathBuf,
        /// Also write the schedule as a JSON list of {"admin", "vendor", "slot", "table"}.
        #[arg(long)]
        out: Option<PathBuf>,
        /// The published seed that makes the run reproducible.
        #[arg(long, default_value_t = 42)]
        seed: u64,
    },
    /// Refresh the official sources once (for cron); exits non-zero when a run failed.
    Refresh {
        /// One source id (anssi-catalogue, anssi-in-qualification, ans-hds, acn-cloud, eu-cloud-coc); all when absent.
        #[arg(long)]
        source: Option<String>,
        #[command(flatten)]
        settings: SettingsArgs,
    },
}

fn main() -> ExitCode {
    // One TLS stack for the whole tree (rustls with ring): installed before any HTTP client exists.
    let _ = rustls::crypto::ring::default_provider().install_default();
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env()
                .unwrap_or_else(|_| "info,sqlx=warn,sea_orm=warn".into()),
        )
        .with_writer(std::io::stderr)
        .init();
    let cli = Cli::parse();
    let runtime = registre::runtime().expect("the Tokio runtime starts");
    let outcome = runtime.block_on(async {
        match cli.command {
            None => serve(cli.settings).await,
            Some(Command::Serve { settings }) => serve(settings).await,
            Some(Command::Import { file, settings }) => import(settings, file).await,
            Some(Command::Refresh { source, settings }) => refresh(settings, source).await,
            Some(Command::ScheduleBench {
                instance,
                out,
                seed,
            }) => {
                let line = registre_matchmaking::bench::schedule_bench_file(
                    &instance,
                    out.as_deref(),
                    seed,
                )?;
                println!("{line}");
                Ok(ExitCode::SUCCESS)
            }
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

async fn refresh(args: SettingsArgs, only: Option<String>) -> anyhow::Result<ExitCode> {
    use registre_indexer::sources::runner::RunOutcome;
    use registre_indexer::sources::service::Sources;

    let settings = args.validate()?;
    let store = registre::open_store(&settings).await?;
    // A first refresh on a fresh data directory applies to the bundled data, as `serve` would.
    registre::load_bundled_dataset_if_empty(&store).await?;
    let sources =
        Sources::from_env(store.clone(), Default::default()).map_err(anyhow::Error::msg)?;
    let ids: Vec<String> = match only {
        Some(id) if sources.ids().contains(&id.as_str()) => vec![id],
        Some(id) => anyhow::bail!(
            "unknown source '{id}' (known: {})",
            sources.ids().join(", ")
        ),
        None => sources.ids().into_iter().map(str::to_owned).collect(),
    };
    let mut all_succeeded = true;
    let mut any_applied = false;
    for id in ids {
        let outcome = sources
            .refresh(&id)
            .await
            .expect("the id was checked above");
        match &outcome {
            RunOutcome::Applied {
                rows,
                changes,
                queued_for_review,
            } => {
                println!(
                    "{id}: applied, {rows} rows, {changes} changes, {queued_for_review} queued for review"
                )
            }
            RunOutcome::Unchanged => println!("{id}: unchanged"),
            RunOutcome::AlreadyRunning => println!("{id}: a run is already in progress"),
            RunOutcome::Failed { reason } => println!("{id}: FAILED: {reason}"),
        }
        all_succeeded &= outcome.succeeded();
        any_applied |= matches!(outcome, RunOutcome::Applied { .. });
    }
    if any_applied {
        // The open-data dump follows the data, as `serve` does after a run.
        let dir = registre::open_data_dir(&settings);
        let today = registre_web::open_data::today();
        match registre_web::open_data::write_dump(&store, &dir, today).await {
            Ok(_) => println!("open-data dump written in {}", dir.display()),
            Err(error) => {
                println!("open-data dump FAILED: {error}");
                all_succeeded = false;
            }
        }
    }
    store.close().await?;
    Ok(if all_succeeded {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}
