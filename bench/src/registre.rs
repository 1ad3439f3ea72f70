//! Registre under test, in a process of its own (`registre-bench serve`), so that its memory and CPU
//! are its own: the full rebuild of the index from the database (the real `Indexer`), the in-process
//! search (`Searcher::search`, defaults: facets, typo tolerance, highlights), then the real
//! application (`registre::Application`) on port 0, loaded over HTTP by the parent.
//!
//! The child talks to the parent with `BENCH {json}` lines on its standard output and stops when
//! its standard input closes.

use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use registre_domain::identifiers::CountryCode;
use registre_domain::taxonomy::{Category, Scheme, Vocabulary};
use registre_indexer::search::{
    DocKind, Filters, Indexer, IndexerSettings, MAX_SUGGESTIONS, SearchRequest, Searcher,
};
use registre_store::Store;
use serde::{Deserialize, Serialize};

use crate::http::{HttpClient, encode};
use crate::measure::{self, EngineRun, Own, Patience, Phase};
use crate::queries::BenchQuery;

/// What the child reports.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub struct ServerReport {
    /// Until the rebuilt index is validated and live.
    pub rebuild_seconds: f64,
    /// From the start of the rebuild until its segments are merged and live (see
    /// `Indexer::settle`); the in-process and HTTP runs start after it.
    #[serde(default)]
    pub merged_seconds: f64,
    /// Share of the machine's CPU other processes used during the rebuild.
    pub rebuild_foreign_cpu: f64,
    pub documents: u64,
    pub index_bytes: u64,
    pub rss_after_rebuild: u64,
    pub hwm_after_rebuild: u64,
    pub rss_ready: u64,
    pub hwm_ready: u64,
    /// The first open-data dump, written by the application at start (before the HTTP load).
    #[serde(default)]
    pub dump_seconds: f64,
    pub rss_stopped: u64,
    pub hwm_stopped: u64,
}

#[derive(Debug, Serialize, Deserialize)]
#[serde(tag = "event", rename_all = "snake_case")]
enum Message {
    Rebuilt {
        seconds: f64,
        merged_seconds: f64,
        /// Share of the machine's CPU other processes used during the rebuild.
        foreign_cpu: f64,
        documents: u64,
        index_bytes: u64,
        rss: u64,
        hwm: u64,
    },
    InProcess {
        run: Box<EngineRun>,
    },
    Ready {
        port: u16,
        rss: u64,
        hwm: u64,
        /// Seconds the application took to publish its first open-data dump.
        dump_seconds: f64,
    },
    Stopped {
        rss: u64,
        hwm: u64,
    },
}

fn say(message: &Message) {
    let line = serde_json::to_string(message).expect("messages serialise");
    let mut out = std::io::stdout().lock();
    let _ = writeln!(out, "BENCH {line}");
    let _ = out.flush();
}

/// The request Registre gets for a query: the defaults (facets, typo tolerance, highlights, 20 hits)
/// and the query's filters.
pub fn request_of(query: &BenchQuery) -> SearchRequest {
    let f = &query.filters;
    let mut filters = Filters::default();
    if let Some(country) = &f.country {
        filters.countries = CountryCode::parse(country).into_iter().collect();
    }
    if let Some(category) = &f.category {
        filters.categories = Category::parse(category).into_iter().collect();
    }
    if let Some(scheme) = &f.scheme {
        filters.schemes = Scheme::parse(scheme).into_iter().collect();
        filters.valid_today = Some(true);
    }
    filters.open_source = f.open_source;
    if f.kind.as_deref() == Some("offer") {
        filters.kinds = vec![DocKind::Offer];
    }
    SearchRequest {
        query: query.q.clone(),
        filters,
        ..SearchRequest::default()
    }
}

/// The same search as a `/api/v1/search` URL.
pub fn path_of(query: &BenchQuery) -> String {
    let f = &query.filters;
    let mut path = format!("/api/v1/search?q={}", encode(&query.q));
    if let Some(country) = &f.country {
        path.push_str(&format!("&country={country}"));
    }
    if let Some(category) = &f.category {
        path.push_str(&format!("&category={category}"));
    }
    if let Some(scheme) = &f.scheme {
        path.push_str(&format!("&scheme={scheme}&valid_today=true"));
    }
    if f.open_source == Some(true) {
        path.push_str("&open_source=true");
    }
    if let Some(kind) = &f.kind {
        path.push_str(&format!("&kind={kind}"));
    }
    path
}

/// Arguments of the child process.
#[derive(Debug, Clone)]
pub struct ServeArgs {
    pub data_dir: PathBuf,
    pub queries: PathBuf,
    pub min_seconds: f64,
    pub threads: usize,
    pub patience: Patience,
}

fn self_memory() -> (u64, u64) {
    measure::memory_of("self")
}

/// The child: rebuild, in-process search, then serve until standard input closes.
pub fn serve(args: ServeArgs) -> anyhow::Result<()> {
    // The application's own runtime, as `registre` builds it.
    let runtime = registre::runtime()?;
    let queries: Vec<BenchQuery> = serde_json::from_slice(&std::fs::read(&args.queries)?)?;
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        args.data_dir.join("registre.db").display()
    );
    let index_dir = args.data_dir.join("index");

    // 1. The full rebuild, as the application does it on a first start.
    let (indexer, searcher, seconds, documents) = runtime.block_on(async {
        let store = Store::connect(&database_url).await?;
        let (mut indexer, searcher) = Indexer::open(store, IndexerSettings::new(&index_dir))?;
        let watch = measure::CpuWatch::start(&Own::me());
        let started = Instant::now();
        let report = indexer.rebuild().await?;
        let live = started.elapsed().as_secs_f64();
        // The searches are measured on the index's final shape.
        indexer.settle().await?;
        let seconds = (live, started.elapsed().as_secs_f64(), watch.foreign());
        anyhow::Ok((indexer, searcher, seconds, report.documents))
    })?;
    let (seconds, merged_seconds, foreign_cpu) = seconds;
    let (rss, hwm) = self_memory();
    say(&Message::Rebuilt {
        seconds,
        merged_seconds,
        foreign_cpu,
        documents,
        index_bytes: measure::disk_usage(&index_dir),
        rss,
        hwm,
    });

    // 2. In-process search (this process is the engine: its CPU per query is reported).
    let own = Own::me().with_server(std::process::id());
    let requests: Vec<SearchRequest> = queries.iter().map(request_of).collect();
    let connect = || anyhow::Ok(searcher.clone());
    let run = |searcher: &mut registre_indexer::search::Searcher, request: &SearchRequest| {
        Ok(searcher.search(request)?.total)
    };
    eprintln!("registre in-process: {} queries", requests.len());
    let (latency, throughput, average_total, zero_hit_share) = measure::protocol(
        &own,
        &args.patience,
        &requests,
        args.threads,
        args.min_seconds,
        &connect,
        &run,
    )?;
    say(&Message::InProcess {
        run: Box::new(EngineRun {
            engine: "registre-in-process".to_owned(),
            mode: "search+facets+typos+highlights".to_owned(),
            server_cpu_ms_per_query: throughput.server_cpu_ms_per_query,
            latency,
            throughput,
            average_total,
            zero_hit_share,
        }),
    });
    drop(searcher);
    runtime.block_on(indexer.close())?;

    // 3. The application, on port 0, opening the index just built; it serves until standard input
    // closes.
    runtime.block_on(async {
        let (closed, on_close) = tokio::sync::oneshot::channel::<()>();
        std::thread::spawn(move || {
            let mut sink = String::new();
            let stdin = std::io::stdin();
            while stdin.lock().read_line(&mut sink).is_ok_and(|n| n > 0) {
                sink.clear();
            }
            let _ = closed.send(());
        });
        let (port, dump_seconds, serving) =
            start_application(&args.data_dir, &database_url, async {
                let _ = on_close.await;
            })
            .await?;
        let (rss, hwm) = self_memory();
        say(&Message::Ready {
            port,
            rss,
            hwm,
            dump_seconds,
        });
        serving.await?
    })?;
    let (rss, hwm) = self_memory();
    say(&Message::Stopped { rss, hwm });
    Ok(())
}

/// The application on port 0 over `data_dir`, serving until `until` completes: its port, the seconds
/// its first open-data dump took (the HTTP load waits for it, so that it measures searches, not the
/// dump) and the serving task.
async fn start_application(
    data_dir: &Path,
    database_url: &str,
    until: impl std::future::Future<Output = ()> + Send + 'static,
) -> anyhow::Result<(u16, f64, tokio::task::JoinHandle<anyhow::Result<()>>)> {
    let mut settings = registre::SettingsArgs {
        listen: "127.0.0.1:0".to_owned(),
        data_dir: data_dir.to_path_buf(),
        database_url: Some(database_url.to_owned()),
        admin_token: Some("registre-bench-admin-token-0123456789".to_owned()),
        no_schedule: true,
        public_url: None,
    }
    .validate()?;
    settings.load_bundled_dataset = false;
    settings.schedule_sources = false;
    let open_data = registre::open_data_dir(&settings);
    let application = registre::Application::build(settings).await?;
    let port = application.port();
    let started = Instant::now();
    let serving = tokio::spawn(application.run_until(until));
    while !open_data.join("CURRENT").exists() {
        if serving.is_finished() || started.elapsed() > Duration::from_secs(1800) {
            bail!("the application published no open-data dump");
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    Ok((port, started.elapsed().as_secs_f64(), serving))
}

/// The parent's handle on the child.
pub struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    lines: std::io::Lines<BufReader<std::process::ChildStdout>>,
    pub port: u16,
    pub report: ServerReport,
    pub in_process: Option<EngineRun>,
}

impl Server {
    /// Starts the child and waits until it serves (the rebuild and the in-process run happen first).
    pub fn start(args: &ServeArgs, patience_args: &[String]) -> anyhow::Result<Self> {
        let exe = std::env::current_exe()?;
        let mut child = Command::new(exe)
            .arg("serve")
            .arg("--data-dir")
            .arg(&args.data_dir)
            .arg("--queries")
            .arg(&args.queries)
            .arg("--min-seconds")
            .arg(args.min_seconds.to_string())
            .arg("--threads")
            .arg(args.threads.to_string())
            .args(patience_args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .context("cannot start the server process")?;
        let stdin = child.stdin.take();
        let stdout = child.stdout.take().context("no stdout")?;
        let mut server = Self {
            child,
            stdin,
            lines: BufReader::new(stdout).lines(),
            port: 0,
            report: ServerReport::default(),
            in_process: None,
        };
        loop {
            match server.next_message()? {
                Message::Rebuilt {
                    seconds,
                    merged_seconds,
                    foreign_cpu,
                    documents,
                    index_bytes,
                    rss,
                    hwm,
                } => {
                    eprintln!(
                        "registre: index rebuilt from the database and live in {seconds:.1} s, its segments merged at {merged_seconds:.1} s ({documents} documents; other processes used {:.0}% of the CPU meanwhile)",
                        foreign_cpu * 100.0
                    );
                    server.report.rebuild_seconds = seconds;
                    server.report.merged_seconds = merged_seconds;
                    server.report.rebuild_foreign_cpu = foreign_cpu;
                    server.report.documents = documents;
                    server.report.index_bytes = index_bytes;
                    server.report.rss_after_rebuild = rss;
                    server.report.hwm_after_rebuild = hwm;
                }
                Message::InProcess { run } => server.in_process = Some(*run),
                Message::Ready {
                    port,
                    rss,
                    hwm,
                    dump_seconds,
                } => {
                    eprintln!("registre: first open-data dump published in {dump_seconds:.1} s");
                    server.report.dump_seconds = dump_seconds;
                    server.port = port;
                    server.report.rss_ready = rss;
                    server.report.hwm_ready = hwm;
                    return Ok(server);
                }
                Message::Stopped { .. } => bail!("the server stopped before serving"),
            }
        }
    }

    fn next_message(&mut self) -> anyhow::Result<Message> {
        for line in self.lines.by_ref() {
            let line = line?;
            if let Some(json) = line.strip_prefix("BENCH ") {
                return Ok(serde_json::from_str(json)?);
            }
        }
        bail!("the server process ended")
    }

    pub fn pid(&self) -> u32 {
        self.child.id()
    }

    /// Closes the child's standard input and waits for it to stop.
    pub fn stop(mut self) -> anyhow::Result<ServerReport> {
        drop(self.stdin.take());
        while let Ok(message) = self.next_message() {
            if let Message::Stopped { rss, hwm } = message {
                self.report.rss_stopped = rss;
                self.report.hwm_stopped = hwm;
            }
        }
        let status = self.child.wait()?;
        if !status.success() {
            bail!("the server process ended with {status}");
        }
        Ok(self.report)
    }
}

/// The `total` of a `/api/v1/search` answer.
fn search_total(client: &mut HttpClient, path: &String) -> measure::Outcome {
    let status = client.get(path)?;
    if status != 200 {
        bail!(
            "HTTP {status} for {path}: {}",
            String::from_utf8_lossy(&client.body()[..client.body().len().min(300)])
        );
    }
    client.number("total").context("no total in the response")
}

/// One more throughput pass of `/api/v1/search` over the query set, for the turns (see `main`).
pub fn search_throughput(
    server: &Server,
    queries: &[BenchQuery],
    threads: usize,
    min_seconds: f64,
    patience: &Patience,
) -> anyhow::Result<Phase> {
    let own = Own::me().with_server(server.pid());
    let port = server.port;
    let paths: Vec<String> = queries.iter().map(path_of).collect();
    measure::throughput(
        &own,
        patience,
        &paths,
        threads,
        min_seconds,
        &|| HttpClient::connect(port),
        &search_total,
    )
}

/// Loads `/api/v1/search`, `/api/v1/suggest` and the HTML pages (results for the same queries,
/// supplier and offer pages) over loopback.
pub fn http_runs(
    server: &Server,
    queries: &[BenchQuery],
    prefixes: &[String],
    threads: usize,
    min_seconds: f64,
    patience: &Patience,
) -> anyhow::Result<Vec<EngineRun>> {
    let own = Own::me().with_server(server.pid());
    let port = server.port;
    let connect = || HttpClient::connect(port);
    let mut runs = Vec::new();

    let paths: Vec<String> = queries.iter().map(path_of).collect();
    eprintln!("registre over HTTP: /api/v1/search");
    let (latency, throughput, average_total, zero_hit_share) = measure::protocol(
        &own,
        patience,
        &paths,
        threads,
        min_seconds,
        &connect,
        &search_total,
    )?;
    runs.push(EngineRun {
        engine: "registre-http".to_owned(),
        mode: "search+facets+typos+highlights".to_owned(),
        server_cpu_ms_per_query: throughput.server_cpu_ms_per_query,
        latency,
        throughput,
        average_total,
        zero_hit_share,
    });

    let suggest_paths: Vec<String> = prefixes
        .iter()
        .map(|p| format!("/api/v1/suggest?q={}", encode(p)))
        .collect();
    let suggest = |client: &mut HttpClient, path: &String| -> measure::Outcome {
        let status = client.get(path)?;
        if status != 200 {
            bail!("HTTP {status} for {path}");
        }
        let count = memchr::memmem::find_iter(client.body(), b"\"text\":").count();
        Ok(count as u64)
    };
    eprintln!("registre over HTTP: /api/v1/suggest");
    let (latency, throughput, average_total, zero_hit_share) = measure::protocol(
        &own,
        patience,
        &suggest_paths,
        threads,
        min_seconds,
        &connect,
        &suggest,
    )?;
    runs.push(EngineRun {
        engine: "registre-http".to_owned(),
        mode: "suggest".to_owned(),
        server_cpu_ms_per_query: throughput.server_cpu_ms_per_query,
        latency,
        throughput,
        average_total,
        zero_hit_share,
    });

    // The pages, rendered on the server (HTML, not compressed: the client asks for no gzip).
    let page = |client: &mut HttpClient, path: &String| -> measure::Outcome {
        let status = client.get(path)?;
        if status != 200 {
            bail!("HTTP {status} for {path}");
        }
        if !client
            .body()
            .get(..15)
            .is_some_and(|start| start.eq_ignore_ascii_case(b"<!doctype html>"))
        {
            bail!("no HTML page for {path}");
        }
        Ok(1)
    };
    let results_pages: Vec<String> = paths
        .iter()
        .map(|p| p.replacen("/api/v1/search?", "/recherche?", 1))
        .collect();
    // Record pages by id, spread over the catalogue (suppliers are about a third of the documents,
    // offers the rest: ids up to a third of the documents exist for both).
    let spread = (server.report.documents / 3).max(1);
    let record_pages: Vec<String> = (0..1_000u64)
        .map(|i| {
            let id = 1 + (i * 7_919) % spread;
            if i % 2 == 0 {
                format!("/fournisseurs/{id}")
            } else {
                format!("/offres/{id}")
            }
        })
        .collect();
    for (mode, paths) in [
        ("page: results (/recherche)", &results_pages),
        ("page: supplier and offer", &record_pages),
    ] {
        eprintln!("registre over HTTP: {mode}");
        let (latency, throughput, average_total, zero_hit_share) =
            measure::protocol(&own, patience, paths, threads, min_seconds, &connect, &page)?;
        runs.push(EngineRun {
            engine: "registre-http".to_owned(),
            mode: mode.to_owned(),
            server_cpu_ms_per_query: throughput.server_cpu_ms_per_query,
            latency,
            throughput,
            average_total,
            zero_hit_share,
        });
    }
    Ok(runs)
}

/// Where a corpus's Registre data lives.
pub fn data_dir(work: &Path) -> PathBuf {
    work.join("registre")
}

/// What `profile` runs.
#[derive(clap::Args, Debug, Clone)]
pub struct ProfileArgs {
    /// The `registre` directory of a kept work directory.
    #[arg(long)]
    pub data_dir: PathBuf,
    #[arg(long, default_value_t = 42)]
    pub seed: u64,
    #[arg(long, default_value_t = 7)]
    pub query_seed: u64,
    /// Latency rounds over the query set (at least one).
    #[arg(long, default_value_t = 3, value_parser = clap::value_parser!(u64).range(1..))]
    pub rounds: u64,
    /// Only queries of this kind (single, two, typo, ...).
    #[arg(long)]
    pub kind: Option<String>,
    /// Rebuild the index first even when its schema is current (timed).
    #[arg(long)]
    pub rebuild: bool,
    /// Threads one search may use (default: one per core; 1 for the sequential search).
    #[arg(long)]
    pub search_threads: Option<usize>,
    /// Then the same queries over HTTP, the application served by this process.
    #[arg(long)]
    pub http: bool,
    /// Client threads (connections) of the HTTP pass.
    #[arg(long, default_value_t = 2)]
    pub clients: usize,
    /// Only queries whose text is this one (with any filters).
    #[arg(long)]
    pub query: Option<String>,
    /// How many of the slowest queries to list (by their median over the rounds).
    #[arg(long, default_value_t = 8)]
    pub slow: usize,
    /// The suggestions' prefixes instead of the searches (latency, slowest prefixes).
    #[arg(long)]
    pub suggest: bool,
}

/// Each item with its median time over the rounds (`times[i]` for `items[i]`), slowest first: one
/// slow round is noise, a slow median is not.
fn slowest<'a, T>(times: &mut [Vec<f64>], items: &'a [T]) -> Vec<(f64, &'a T)> {
    let mut medians: Vec<(f64, &T)> = times
        .iter_mut()
        .zip(items)
        .map(|(times, item)| {
            times.sort_by(f64::total_cmp);
            (times[times.len() / 2], item)
        })
        .collect();
    medians.sort_by(|a, b| b.0.total_cmp(&a.0));
    medians
}

/// In-process latency of the suggestions' prefixes, with the slowest listed.
fn profile_suggest(
    searcher: &Searcher,
    prefixes: &[String],
    rounds: u64,
    slow: usize,
) -> anyhow::Result<()> {
    for prefix in prefixes.iter().take(200) {
        searcher.suggest(prefix, MAX_SUGGESTIONS)?;
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); prefixes.len()];
    for _ in 0..rounds {
        for (index, prefix) in prefixes.iter().enumerate() {
            let t = Instant::now();
            searcher.suggest(prefix, MAX_SUGGESTIONS)?;
            times[index].push(t.elapsed().as_secs_f64() * 1000.0);
        }
    }
    let all = measure::Latency::of(times.iter().flatten().copied().collect());
    println!(
        "suggest: {} prefixes x {rounds} rounds: mean {:.2} ms, p50 {:.2}, p99 {:.2}",
        prefixes.len(),
        all.mean_ms,
        all.p50_ms,
        all.p99_ms
    );
    for (ms, prefix) in slowest(&mut times, prefixes).into_iter().take(slow) {
        println!("slow: {ms:.2} ms (median)  {prefix:?}");
    }
    Ok(())
}

/// In-process latency per query kind, with 20 hits (the default) and with one hit (what hits cost:
/// stored documents, highlights), over an index already built.
pub fn profile(args: &ProfileArgs) -> anyhow::Result<()> {
    let ProfileArgs {
        data_dir,
        seed,
        query_seed,
        rounds,
        kind,
        rebuild,
        search_threads,
        http,
        clients,
        slow,
        query,
        suggest,
    } = args.clone();
    let data_dir = data_dir.as_path();
    let kind = kind.as_deref();
    let runtime = registre::runtime()?;
    let database_url = format!(
        "sqlite://{}?mode=rwc",
        data_dir.join("registre.db").display()
    );
    if !data_dir.join("registre.db").exists() {
        bail!(
            "no database under {}: run `search --keep` first",
            data_dir.display()
        );
    }
    let (indexer, searcher) = runtime.block_on(async {
        let store = Store::connect(&database_url).await?;
        let mut settings = IndexerSettings::new(data_dir.join("index"));
        if let Some(threads) = search_threads {
            settings.search_threads = threads;
        }
        let (mut indexer, searcher) = Indexer::open(store, settings)?;
        // An index of another schema version (or none, or `--rebuild`): rebuilt first, and timed.
        if rebuild || indexer.needs_rebuild() {
            let started = Instant::now();
            let report = indexer.rebuild().await?;
            let live = started.elapsed().as_secs_f64();
            indexer.settle().await?;
            eprintln!(
                "rebuild: {} documents live in {live:.1} s, merged at {:.1} s",
                report.documents,
                started.elapsed().as_secs_f64()
            );
        }
        anyhow::Ok((indexer, searcher))
    })?;
    if suggest {
        let prefixes = crate::queries::suggestions(seed, query_seed, 1_000);
        return profile_suggest(&searcher, &prefixes, rounds, slow);
    }
    let queries: Vec<BenchQuery> = crate::queries::generate(seed, query_seed, 1_000)
        .into_iter()
        .filter(|q| kind.is_none_or(|k| q.kind == k))
        .filter(|q| query.as_ref().is_none_or(|text| &q.q == text))
        .collect();
    let mut by_kind: std::collections::BTreeMap<String, (Vec<f64>, Vec<f64>, u64)> =
        Default::default();
    for request in queries.iter().take(200) {
        searcher.search(&request_of(request))?;
    }
    let mut times: Vec<Vec<f64>> = vec![Vec::new(); queries.len()];
    let started = Instant::now();
    for _ in 0..rounds {
        for (index, query) in queries.iter().enumerate() {
            let mut request = request_of(query);
            let t = Instant::now();
            let total = searcher.search(&request)?.total;
            let full = t.elapsed().as_secs_f64() * 1000.0;
            request.limit = 1;
            let t = Instant::now();
            searcher.search(&request)?;
            let one = t.elapsed().as_secs_f64() * 1000.0;
            times[index].push(full);
            let entry = by_kind.entry(query.kind.clone()).or_default();
            entry.0.push(full);
            entry.1.push(one);
            entry.2 += total;
        }
    }
    eprintln!(
        "{} queries x {rounds} rounds in {:.1} s",
        queries.len(),
        started.elapsed().as_secs_f64()
    );
    println!(
        "| kind | n | mean ms (20 hits) | p50 | p99 | mean ms (1 hit) | p99 (1 hit) | avg total |"
    );
    println!("|---|---|---|---|---|---|---|---|");
    let mut all = (Vec::new(), Vec::new());
    for (kind, (full, one, totals)) in by_kind {
        let n = full.len();
        all.0.extend(full.iter().copied());
        all.1.extend(one.iter().copied());
        let (f, o) = (measure::Latency::of(full), measure::Latency::of(one));
        println!(
            "| {kind} | {} | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | {:.0} |",
            n / rounds as usize,
            f.mean_ms,
            f.p50_ms,
            f.p99_ms,
            o.mean_ms,
            o.p99_ms,
            totals as f64 / n as f64
        );
    }
    let (f, o) = (measure::Latency::of(all.0), measure::Latency::of(all.1));
    println!(
        "| all | | {:.2} | {:.2} | {:.2} | {:.2} | {:.2} | |",
        f.mean_ms, f.p50_ms, f.p99_ms, o.mean_ms, o.p99_ms
    );
    for (ms, query) in slowest(&mut times, &queries).into_iter().take(slow) {
        println!(
            "slow: {ms:.2} ms (median)  {}  {:?}  {:?}",
            query.kind, query.q, query.filters
        );
    }
    // Throughput under two concurrent searches (two threads sharing the query set), which latency
    // on an idle machine does not show: work spread over idle cores is not free when none is idle.
    let requests: Vec<SearchRequest> = queries.iter().map(request_of).collect();
    let connect = || anyhow::Ok(searcher.clone());
    let run = |searcher: &mut registre_indexer::search::Searcher, request: &SearchRequest| {
        Ok(searcher.search(request)?.total)
    };
    let patience = measure::Patience {
        wait: Duration::ZERO,
        threshold: 1.0,
        attempts: 1,
    };
    let own = Own::me().with_server(std::process::id());
    let phase = measure::throughput(&own, &patience, &requests, 2, 5.0, &connect, &run)?;
    println!(
        "2 threads: {:.0} searches/s ({:.2} ms of CPU per search, {:.1} s)",
        phase.queries_per_second,
        phase.server_cpu_ms_per_query.unwrap_or(f64::NAN),
        phase.seconds
    );
    drop(searcher);
    runtime.block_on(indexer.close())?;
    if http {
        http_profile(
            &runtime,
            data_dir,
            &database_url,
            &queries,
            clients,
            &patience,
        )?;
    }
    Ok(())
}

/// The same queries over HTTP: the application in this process, loaded on loopback by `clients`
/// client threads (the CPU per search then includes the clients', which are light).
fn http_profile(
    runtime: &tokio::runtime::Runtime,
    data_dir: &Path,
    database_url: &str,
    queries: &[BenchQuery],
    clients: usize,
    patience: &Patience,
) -> anyhow::Result<()> {
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let (port, _, serving) =
        runtime.block_on(start_application(data_dir, database_url, async {
            let _ = stopped.await;
        }))?;
    let paths: Vec<String> = queries.iter().map(path_of).collect();
    let connect = || HttpClient::connect(port);
    let own = Own::me().with_server(std::process::id());
    measure::throughput(
        &own,
        patience,
        &paths,
        clients,
        3.0,
        &connect,
        &search_total,
    )?;
    let phase = measure::throughput(
        &own,
        patience,
        &paths,
        clients,
        10.0,
        &connect,
        &search_total,
    )?;
    println!(
        "HTTP, {clients} clients: {:.0} searches/s, p50 {:.2} ms, p99 {:.2} ms ({:.2} ms of CPU per search, clients included; {} errors)",
        phase.queries_per_second,
        phase.latency.p50_ms,
        phase.latency.p99_ms,
        phase.server_cpu_ms_per_query.unwrap_or(f64::NAN),
        phase.errors
    );
    let _ = stop.send(());
    runtime.block_on(serving)?
}
