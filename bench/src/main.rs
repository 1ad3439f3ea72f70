//! `registre-bench`: Registre's search benchmark (a benchmark, not a timed test).
//!
//! `search --records 100000` generates a seeded corpus and query set, loads the corpus into
//! Registre's database, then measures in one run, on the same corpus and queries: the full index
//! rebuild from the database, Registre's in-process search, Registre over HTTP (the real application
//! on port 0, loaded over loopback), SQLite FTS5 and PostgreSQL full-text search; and writes the
//! results as Markdown and JSON. See `docs/BENCHMARKS.md`.

mod baselines;
mod corpus;
mod http;
mod load;
mod measure;
mod queries;
mod registre;
mod report;
mod rng;
mod words;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::Context;
use clap::{Args, Parser, Subcommand};

use crate::measure::Patience;

/// mimalloc rather than the system allocator: faster on the index rebuild and the search's many
/// small allocations (docs/BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

#[derive(Parser)]
#[command(name = "registre-bench", about = "Registre's search benchmark")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Writes a corpus (JSON Lines, Registre's import format) and its query set.
    Generate {
        #[arg(long, default_value_t = 10_000)]
        records: usize,
        #[arg(long, default_value_t = 42)]
        seed: u64,
        #[arg(long, default_value_t = 7)]
        query_seed: u64,
        /// Corpus file; the queries go beside it (`<out>.queries.json`).
        #[arg(long)]
        out: PathBuf,
    },
    /// Generates, loads and measures everything in one run.
    Search(SearchArgs),
    /// Runs the query set in-process against an index already built (kept by `search --keep`),
    /// for a profiler: latency per query kind, and with one hit instead of twenty.
    Profile(registre::ProfileArgs),
    /// Internal: the server process (rebuild, in-process search, application).
    #[command(hide = true)]
    Serve {
        #[arg(long)]
        data_dir: PathBuf,
        #[arg(long)]
        queries: PathBuf,
        #[arg(long)]
        min_seconds: f64,
        #[arg(long)]
        threads: usize,
        #[command(flatten)]
        patience: PatienceArgs,
    },
}

#[derive(Args, Clone)]
struct PatienceArgs {
    /// Longest wait, in seconds, for other processes to quiet down before each phase.
    #[arg(long, default_value_t = 60.0)]
    quiet_wait: f64,
    /// Share of the machine's CPU used by other processes above which a phase is redone.
    #[arg(long, default_value_t = 0.15)]
    disturbed: f64,
    /// Attempts at most per phase.
    #[arg(long, default_value_t = 2)]
    attempts: usize,
}

impl PatienceArgs {
    fn patience(&self) -> Patience {
        Patience {
            wait: Duration::from_secs_f64(self.quiet_wait),
            threshold: self.disturbed,
            attempts: self.attempts,
        }
    }

    fn to_args(&self) -> Vec<String> {
        vec![
            "--quiet-wait".into(),
            self.quiet_wait.to_string(),
            "--disturbed".into(),
            self.disturbed.to_string(),
            "--attempts".into(),
            self.attempts.to_string(),
        ]
    }
}

#[derive(Args, Clone)]
struct SearchArgs {
    /// Index documents: suppliers plus offers.
    #[arg(long, default_value_t = 100_000)]
    records: usize,
    #[arg(long, default_value_t = 42)]
    seed: u64,
    #[arg(long, default_value_t = 7)]
    query_seed: u64,
    #[arg(long, default_value_t = 1_000)]
    queries: usize,
    /// Markdown results (the JSON goes beside it, `.json`).
    #[arg(long)]
    out: Option<PathBuf>,
    /// Scratch directory (corpus, databases, index); emptied first.
    #[arg(long)]
    work: Option<PathBuf>,
    /// `bulk` (SQL inserts in the store's encodings) or `import` (`Store::import`, slow beyond 10k).
    #[arg(long, default_value = "bulk")]
    loader: String,
    /// Seconds of each throughput phase.
    #[arg(long, default_value_t = 10.0)]
    min_seconds: f64,
    /// Client threads (connections) of the throughput phases.
    #[arg(long, default_value_t = 2)]
    threads: usize,
    /// After every phase, Registre over HTTP and PostgreSQL measured again in turn this many
    /// times (a search throughput pass each); the 50× target reads the median of these ratios.
    #[arg(long, default_value_t = 3)]
    turns: usize,
    /// Baseline modes: `search` (top 20 + total), `facets` (+ category and country counts).
    #[arg(long, value_delimiter = ',', default_value = "search,facets")]
    baseline_modes: Vec<String>,
    #[arg(long)]
    skip_fts5: bool,
    #[arg(long)]
    skip_postgres: bool,
    #[arg(
        long,
        env = "REGISTRE_BENCH_POSTGRES_URL",
        default_value = "postgres://postgres@127.0.0.1:5432/postgres"
    )]
    postgres_url: String,
    /// Keep the scratch directory.
    #[arg(long)]
    keep: bool,
    #[command(flatten)]
    patience: PatienceArgs,
}

fn main() -> anyhow::Result<()> {
    let _ = rustls::crypto::ring::default_provider().install_default();
    match Cli::parse().command {
        Command::Generate {
            records,
            seed,
            query_seed,
            out,
        } => {
            let started = Instant::now();
            let counts = corpus::Generator::new(seed).write(records, &out)?;
            let queries = queries::generate(seed, query_seed, 1_000);
            let path = PathBuf::from(format!("{}.queries.json", out.display()));
            std::fs::write(&path, serde_json::to_vec_pretty(&queries)?)?;
            eprintln!(
                "{} records ({} suppliers, {} offers, {} attestations) in {:.1} s → {}; queries → {}",
                counts.records(),
                counts.suppliers,
                counts.offers,
                counts.attestations,
                started.elapsed().as_secs_f64(),
                out.display(),
                path.display()
            );
            Ok(())
        }
        Command::Search(args) => search(args),
        Command::Profile(args) => registre::profile(&args),
        Command::Serve {
            data_dir,
            queries,
            min_seconds,
            threads,
            patience,
        } => registre::serve(registre::ServeArgs {
            data_dir,
            queries,
            min_seconds,
            threads,
            patience: patience.patience(),
        }),
    }
}

fn now() -> String {
    chrono::Utc::now()
        .format("%Y-%m-%d %H:%M:%S UTC")
        .to_string()
}

fn search(args: SearchArgs) -> anyhow::Result<()> {
    let mut report = report::Report {
        command: std::env::args().collect::<Vec<_>>().join(" "),
        started_at: now(),
        machine: report::Machine::read(),
        records: args.records,
        seed: args.seed,
        query_seed: args.query_seed,
        ..Default::default()
    };
    let patience = args.patience.patience();
    let work = args
        .work
        .clone()
        .unwrap_or_else(|| PathBuf::from(format!("target/registre-bench/{}", args.records)));
    if work.exists() {
        std::fs::remove_dir_all(&work)
            .with_context(|| format!("cannot empty {}", work.display()))?;
    }
    std::fs::create_dir_all(&work)?;
    let work = work.canonicalize()?;

    // Corpus and queries.
    let corpus_path = work.join("corpus.jsonl");
    let started = Instant::now();
    report.counts = corpus::Generator::new(args.seed).write(args.records, &corpus_path)?;
    report.corpus_seconds = started.elapsed().as_secs_f64();
    report.corpus_bytes = std::fs::metadata(&corpus_path)?.len();
    eprintln!(
        "corpus: {} records ({} suppliers, {} offers, {} attestations), {:.0} MiB in {:.1} s",
        report.counts.records(),
        report.counts.suppliers,
        report.counts.offers,
        report.counts.attestations,
        measure::mib(report.corpus_bytes),
        report.corpus_seconds
    );
    let bench_queries = queries::generate(args.seed, args.query_seed, args.queries);
    report.query_kinds = bench_queries.iter().map(|q| q.kind.clone()).collect();
    let prefixes = queries::suggestions(args.seed, args.query_seed, args.queries);
    let queries_path = work.join("queries.json");
    std::fs::write(&queries_path, serde_json::to_vec(&bench_queries)?)?;
    std::fs::write(work.join("suggest.json"), serde_json::to_vec(&prefixes)?)?;

    // Registre's database.
    let data_dir = registre::data_dir(&work);
    std::fs::create_dir_all(&data_dir)?;
    let database = data_dir.join("registre.db");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()?;
    let load_started = Instant::now();
    let (corpus, mut load) =
        runtime.block_on(load_registre(&args.loader, &corpus_path, &database))?;
    load.total_seconds = load_started.elapsed().as_secs_f64();
    load.database_bytes = measure::disk_usage(&data_dir);
    report.load = load;
    eprintln!(
        "registre database ({}): {:.1} s",
        report.load.loader, report.load.total_seconds
    );
    let today = chrono::Utc::now().date_naive();
    let docs = baselines::documents(&corpus, today);
    drop(corpus);

    // Registre: rebuild, in-process, HTTP.
    let serve_args = registre::ServeArgs {
        data_dir: data_dir.clone(),
        queries: queries_path.clone(),
        min_seconds: args.min_seconds,
        threads: args.threads,
        patience,
    };
    // The server stays up until PostgreSQL's turns, idle during the baselines' own phases.
    let server = registre::Server::start(&serve_args, &args.patience.to_args())?;
    if let Some(run) = server.in_process.clone() {
        report.runs.push(run);
    }
    report.runs.extend(registre::http_runs(
        &server,
        &bench_queries,
        &prefixes,
        args.threads,
        args.min_seconds,
        &patience,
    )?);

    let modes: Vec<&str> = args.baseline_modes.iter().map(String::as_str).collect();
    // SQLite FTS5.
    if !args.skip_fts5 {
        let path = work.join("fts5.db");
        let load = baselines::fts5_load(&docs, &path)?;
        eprintln!("sqlite-fts5 loaded in {:.1} s", load.seconds);
        report.baseline_loads.push(load);
        report.runs.extend(baselines::fts5_runs(
            &path,
            &bench_queries,
            args.threads,
            args.min_seconds,
            &patience,
            &modes,
        )?);
    }
    // PostgreSQL.
    if !args.skip_postgres {
        match baselines::Postgres::create(&args.postgres_url) {
            Ok(postgres) => {
                report.postgres_settings = Some(postgres.settings.clone());
                let outcome = (|| -> anyhow::Result<()> {
                    let load = postgres.load(&docs)?;
                    eprintln!("postgres-fts loaded in {:.1} s", load.seconds);
                    report.baseline_loads.push(load);
                    report.runs.extend(postgres.runs(
                        &bench_queries,
                        args.threads,
                        args.min_seconds,
                        &patience,
                        &modes,
                    )?);
                    for turn in 1..=args.turns {
                        eprintln!(
                            "turn {turn} of {}: registre over HTTP, then postgres-fts",
                            args.turns
                        );
                        let started_at = now();
                        let registre = registre::search_throughput(
                            &server,
                            &bench_queries,
                            args.threads,
                            args.min_seconds,
                            &patience,
                        )?;
                        let postgres = postgres.search_throughput(
                            &bench_queries,
                            args.threads,
                            args.min_seconds,
                            &patience,
                        )?;
                        report.turns.push(report::Turn {
                            started_at,
                            registre,
                            postgres,
                        });
                    }
                    Ok(())
                })();
                postgres.drop_database()?;
                outcome?;
            }
            Err(error) => {
                eprintln!("PostgreSQL unavailable: {error:#}");
                report
                    .notes
                    .push(format!("PostgreSQL was not measured: {error:#}"));
            }
        }
    }
    report.server = server.stop()?;
    report.finished_at = now();

    let markdown = report.markdown();
    println!("{markdown}");
    if let Some(out) = &args.out {
        if let Some(parent) = out.parent() {
            std::fs::create_dir_all(parent)?;
        }
        std::fs::write(out, &markdown)?;
        std::fs::write(
            out.with_extension("json"),
            serde_json::to_vec_pretty(&report)?,
        )?;
        eprintln!("results → {} (+ .json)", out.display());
    }
    if !args.keep {
        let _ = std::fs::remove_dir_all(&work);
    }
    Ok(())
}

/// Loads the corpus file into Registre's database; returns the parsed corpus (for the baselines).
async fn load_registre(
    loader: &str,
    corpus_path: &Path,
    database: &Path,
) -> anyhow::Result<(corpus::Corpus, load::LoadReport)> {
    let url = format!("sqlite://{}?mode=rwc", database.display());
    let started = Instant::now();
    let corpus = corpus::Corpus::read(corpus_path)?;
    let read_seconds = started.elapsed().as_secs_f64();
    let counts = corpus.counts();
    // The schema, from the real migrations.
    let store = registre_store::Store::connect(&url).await?;
    let (loader, insert_seconds) = match loader {
        "import" => {
            let text = std::fs::read_to_string(corpus_path)?;
            let t = Instant::now();
            let report = store.import(&text, "import:registre-bench").await?;
            if !report.rejected.is_empty() {
                anyhow::bail!(
                    "{} rows rejected by the import, first: {:?}",
                    report.rejected.len(),
                    report.rejected[0]
                );
            }
            store.close().await?;
            ("Store::import", t.elapsed().as_secs_f64())
        }
        "bulk" => {
            store.close().await?;
            ("bulk SQL", load::bulk(&corpus, database).await?)
        }
        other => anyhow::bail!("unknown loader {other}: bulk or import"),
    };
    Ok((
        corpus,
        load::LoadReport {
            loader,
            read_seconds,
            insert_seconds,
            total_seconds: 0.0,
            suppliers: counts.suppliers,
            offers: counts.offers,
            attestations: counts.attestations,
            database_bytes: 0,
        },
    ))
}
