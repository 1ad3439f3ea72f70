//! The official sources end to end: fixtures served over real HTTP by a local server to the real
//! reqwest client, parsed, validated and applied to a real SQLite store.

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use poem::http::StatusCode;
use poem::listener::{Acceptor, Listener, TcpListener};
use poem::{IntoResponse, Request, Response, Route, Server};
use registre_indexer::sources::anssi_catalogue::fixture::{
    Breakage, FixtureEdition, render_fixture,
};
use registre_indexer::sources::contract::SourceConfig;
use registre_indexer::sources::fetch::{FetchError, FetchPolicy, Fetched, Fetcher, Validators};
use registre_indexer::sources::runner::RunOutcome;
use registre_indexer::sources::service::Sources;
use registre_store::Store;
use registre_store::refresh::Change;

const DATASET: &str = include_str!("../../dataset/registre.jsonl");

/// A local server whose answer the test sets: a body, a status, a delay, a cut.
#[derive(Clone, Default)]
struct Script {
    answers: Arc<std::sync::Mutex<Vec<Answer>>>,
    hits: Arc<AtomicUsize>,
}

#[derive(Clone)]
enum Answer {
    Pdf { bytes: Vec<u8>, etag: &'static str },
    Status(u16),
    Slow(Duration),
    Truncated(Vec<u8>),
    Html,
}

impl Script {
    fn then(&self, answer: Answer) -> &Self {
        self.answers.lock().unwrap().push(answer);
        self
    }

    fn hits(&self) -> usize {
        self.hits.load(Ordering::SeqCst)
    }
}

struct Served {
    url: String,
    _stop: tokio::sync::oneshot::Sender<()>,
}

async fn serve(script: Script) -> Served {
    let acceptor = TcpListener::bind("127.0.0.1:0")
        .into_acceptor()
        .await
        .unwrap();
    let port = acceptor.local_addr()[0].as_socket_addr().unwrap().port();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let endpoint = Route::new().at(
        "/catalogue.pdf",
        poem::endpoint::make(move |request: Request| {
            let script = script.clone();
            async move {
                script.hits.fetch_add(1, Ordering::SeqCst);
                let answer = {
                    let mut answers = script.answers.lock().unwrap();
                    if answers.len() > 1 {
                        answers.remove(0)
                    } else {
                        answers[0].clone()
                    }
                };
                respond(answer, &request).await
            }
        }),
    );
    tokio::spawn(async move {
        Server::new_with_acceptor(acceptor)
            .run_with_graceful_shutdown(
                endpoint,
                async {
                    let _ = stopped.await;
                },
                None,
            )
            .await
            .ok();
    });
    Served {
        url: format!("http://127.0.0.1:{port}/catalogue.pdf"),
        _stop: stop,
    }
}

async fn respond(answer: Answer, request: &Request) -> Response {
    match answer {
        Answer::Pdf { bytes, etag } => {
            if request
                .headers()
                .get("if-none-match")
                .and_then(|v| v.to_str().ok())
                == Some(etag)
            {
                return StatusCode::NOT_MODIFIED.into_response();
            }
            Response::builder()
                .header("content-type", "application/pdf")
                .header("etag", etag)
                .body(bytes)
        }
        Answer::Status(code) => StatusCode::from_u16(code).unwrap().into_response(),
        Answer::Slow(delay) => {
            tokio::time::sleep(delay).await;
            Response::builder().body("late")
        }
        Answer::Truncated(bytes) => {
            // Announce the whole body, send a third of it, close the connection.
            let cut = bytes[..bytes.len() / 3].to_vec();
            let stream = futures_util::stream::once(async move { Ok::<_, std::io::Error>(cut) })
                .chain(futures_util::stream::once(async {
                    Err(std::io::Error::other("connection lost"))
                }));
            Response::builder()
                .header("content-type", "application/pdf")
                .header("content-length", bytes.len().to_string())
                .body(poem::Body::from_bytes_stream(stream))
        }
        Answer::Html => Response::builder()
            .header("content-type", "text/html")
            .body("<html><body>Maintenance</body></html>"),
    }
}

use futures_util::StreamExt as _;

fn quick_policy() -> FetchPolicy {
    FetchPolicy {
        connect_timeout: Duration::from_secs(2),
        total_timeout: Duration::from_millis(1500),
        retries: 2,
        backoff: Duration::from_millis(20),
        max_body_bytes: 8 * 1024 * 1024,
        user_agent: "Registre tests".into(),
    }
}

fn pdf(edition: FixtureEdition) -> Vec<u8> {
    render_fixture(&edition)
}

#[tokio::test]
async fn fetch_handles_not_modified_client_and_server_errors_slowness_and_truncation() {
    let fetcher = Fetcher::new(quick_policy()).unwrap();
    let march = pdf(FixtureEdition::march_2026());

    let ok = Script::default();
    ok.then(Answer::Pdf {
        bytes: march.clone(),
        etag: "\"m\"",
    });
    let served = serve(ok.clone()).await;
    let Fetched::Body {
        bytes, validators, ..
    } = fetcher
        .fetch(&served.url, &Validators::default())
        .await
        .unwrap()
    else {
        panic!("a body")
    };
    assert_eq!(bytes, march);
    assert_eq!(validators.etag.as_deref(), Some("\"m\""));
    assert_eq!(
        fetcher.fetch(&served.url, &validators).await.unwrap(),
        Fetched::NotModified
    );

    let missing = Script::default();
    missing.then(Answer::Status(404));
    let served = serve(missing.clone()).await;
    assert_eq!(
        fetcher.fetch(&served.url, &Validators::default()).await,
        Err(FetchError::ClientStatus { status: 404 })
    );
    assert_eq!(missing.hits(), 1, "a 4xx is not retried");

    let flaky = Script::default();
    flaky.then(Answer::Status(500)).then(Answer::Pdf {
        bytes: march.clone(),
        etag: "\"m\"",
    });
    let served = serve(flaky.clone()).await;
    assert!(matches!(
        fetcher.fetch(&served.url, &Validators::default()).await,
        Ok(Fetched::Body { .. })
    ));
    assert_eq!(flaky.hits(), 2, "a 500 is retried");

    let down = Script::default();
    down.then(Answer::Status(503));
    let served = serve(down.clone()).await;
    assert_eq!(
        fetcher.fetch(&served.url, &Validators::default()).await,
        Err(FetchError::ServerStatus {
            status: 503,
            attempts: 3
        })
    );

    let slow = Script::default();
    slow.then(Answer::Slow(Duration::from_secs(5)));
    let served = serve(slow).await;
    assert!(matches!(
        fetcher.fetch(&served.url, &Validators::default()).await,
        Err(FetchError::Timeout { .. })
    ));

    let cut = Script::default();
    cut.then(Answer::Truncated(march.clone()));
    let served = serve(cut).await;
    let error = fetcher
        .fetch(&served.url, &Validators::default())
        .await
        .unwrap_err();
    assert!(
        matches!(
            error,
            FetchError::Truncated { .. } | FetchError::Network { .. }
        ),
        "{error:?}"
    );

    let small = Fetcher::new(FetchPolicy {
        max_body_bytes: 1000,
        ..quick_policy()
    })
    .unwrap();
    let big = Script::default();
    big.then(Answer::Pdf {
        bytes: march,
        etag: "\"m\"",
    });
    let served = serve(big).await;
    assert_eq!(
        small.fetch(&served.url, &Validators::default()).await,
        Err(FetchError::TooLarge { limit: 1000 })
    );
}

async fn seeded_store(dir: &tempfile::TempDir) -> Store {
    let store = Store::connect(&format!(
        "sqlite://{}?mode=rwc",
        dir.path().join("db").display()
    ))
    .await
    .unwrap();
    let report = store.import(DATASET, "import:test").await.unwrap();
    assert!(report.rejected.is_empty());
    store
}

fn sources(store: &Store, url: &str) -> Sources {
    let config = SourceConfig {
        id: "anssi-catalogue",
        url: url.to_owned(),
        interval: Duration::from_secs(3600),
    };
    Sources::with_configs(store.clone(), quick_policy(), vec![config]).unwrap()
}

async fn changes(store: &Store) -> Vec<Change> {
    store
        .list_changes(
            None,
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .items
}

async fn snapshot(store: &Store) -> serde_json::Value {
    let today = chrono::Utc::now().date_naive();
    let all = registre_store::PageRequest {
        after: None,
        limit: 200,
    };
    let attestations = store
        .list_attestations(&Default::default(), all, today)
        .await
        .unwrap()
        .items;
    let offers = store
        .list_offers(&Default::default(), all, today)
        .await
        .unwrap()
        .items;
    serde_json::json!({"attestations": serde_json::to_value(&attestations).unwrap(), "offers": serde_json::to_value(&offers).unwrap()})
}

#[tokio::test]
async fn the_catalogue_refresh_verifies_the_bundled_data_then_applies_the_march_changes() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let script = Script::default();
    script.then(Answer::Pdf {
        bytes: pdf(FixtureEdition::december_2025()),
        etag: "\"dec\"",
    });
    let served = serve(script.clone()).await;
    let sources = sources(&store, &served.url);

    let december = sources.refresh("anssi-catalogue").await.unwrap();
    assert!(
        matches!(december, RunOutcome::Applied { rows, .. } if rows >= 16),
        "{december:?}"
    );
    let outscale = store
        .list_attestations(
            &Default::default(),
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.key.as_str() == "secnumcloud-2023-2118")
        .unwrap();
    assert_eq!(
        outscale.data.provenance.verification,
        registre_domain::taxonomy::Verification::Verified
    );
    assert_eq!(outscale.data.provenance.last_seen.to_string(), "2025-12-05");
    let s3ns = store
        .list_attestations(
            &Default::default(),
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
            chrono::Utc::now().date_naive(),
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|a| a.key.as_str() == "secnumcloud-2025-2057")
        .unwrap();
    assert_eq!(
        s3ns.data.absent_since.map(|d| d.to_string()).as_deref(),
        Some("2025-12-05"),
        "not in December: absent, not deleted"
    );

    // Same edition again: a 304, nothing changes.
    let before = changes(&store).await.len();
    assert_eq!(
        sources.refresh("anssi-catalogue").await.unwrap(),
        RunOutcome::Unchanged
    );
    assert_eq!(changes(&store).await.len(), before);

    // March: S3NS is listed again and Outscale's service renamed under the same decision.
    script.answers.lock().unwrap().clear();
    script.then(Answer::Pdf {
        bytes: pdf(FixtureEdition::march_2026()),
        etag: "\"mar\"",
    });
    let march = sources.refresh("anssi-catalogue").await.unwrap();
    assert!(matches!(march, RunOutcome::Applied { .. }), "{march:?}");
    let new: Vec<Change> = changes(&store).await.into_iter().skip(before).collect();
    let kinds: Vec<(&str, Option<i64>)> = new
        .iter()
        .map(|c| (c.kind.as_str(), c.attestation_id))
        .collect();
    assert!(
        new.iter()
            .any(|c| c.kind == "back" && c.attestation_id == Some(s3ns.id)),
        "{kinds:?}"
    );
    let rename = new
        .iter()
        .find(|c| c.kind == "renamed")
        .expect("a rename event");
    assert_eq!(rename.attestation_id, Some(outscale.id));
    assert!(
        rename.summary_en.contains("IaaS Cloud on Demand"),
        "{}",
        rename.summary_en
    );
    assert!(
        !new.iter().any(|c| c.kind == "absent"),
        "nothing removed between December and March: {kinds:?}"
    );
    let offer = store.offer(outscale.data.offer_id.unwrap()).await.unwrap();
    assert_eq!(offer.data.name, "IaaS Cloud on Demand");
    // Published orange although ANSSI's default rule gives "optimal" 9 months before the end: kept as published.
    let outscale_now = store.attestation(outscale.id).await.unwrap();
    assert_eq!(
        outscale_now.data.recommendation,
        Some(registre_domain::taxonomy::Recommendation::Modere)
    );
    let timeline = store.offer_timeline(offer.id).await.unwrap();
    assert!(timeline.iter().any(|c| c.kind == "renamed"));

    // The December edition again is older than the last applied: refused, nothing changes.
    let state = snapshot(&store).await;
    script.answers.lock().unwrap().clear();
    script.then(Answer::Pdf {
        bytes: pdf(FixtureEdition::december_2025()),
        etag: "\"dec2\"",
    });
    let older = sources.refresh("anssi-catalogue").await.unwrap();
    assert!(
        matches!(&older, RunOutcome::Failed { reason } if reason.contains("older")),
        "{older:?}"
    );
    assert_eq!(snapshot(&store).await, state);
}

#[tokio::test]
async fn a_broken_feed_changes_nothing_and_is_recorded_with_its_reason() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let script = Script::default();
    script.then(Answer::Pdf {
        bytes: pdf(FixtureEdition::march_2026()),
        etag: "\"mar\"",
    });
    let served = serve(script.clone()).await;
    let sources = sources(&store, &served.url);
    assert!(matches!(
        sources.refresh("anssi-catalogue").await.unwrap(),
        RunOutcome::Applied { .. }
    ));
    let state = snapshot(&store).await;

    let broken = [
        (Answer::Status(500), "HTTP 500"),
        (Answer::Status(404), "HTTP 404"),
        (Answer::Html, "not a PDF"),
        (
            Answer::Pdf {
                bytes: pdf(FixtureEdition::march_2026().broken(Breakage::EmptyTable)),
                etag: "\"e\"",
            },
            "layout",
        ),
        (
            Answer::Pdf {
                bytes: pdf(FixtureEdition::march_2026().broken(Breakage::RenamedHeader)),
                etag: "\"h\"",
            },
            "layout",
        ),
        (
            Answer::Pdf {
                bytes: pdf(FixtureEdition::march_2026().broken(Breakage::NoStamp)),
                etag: "\"s\"",
            },
            "layout",
        ),
        (
            Answer::Pdf {
                bytes: pdf(FixtureEdition::march_2026().broken(Breakage::Truncated)),
                etag: "\"t\"",
            },
            "layout",
        ),
        (
            Answer::Truncated(pdf(FixtureEdition::march_2026())),
            "fetch",
        ),
        (Answer::Slow(Duration::from_secs(5)), "no answer"),
    ];
    for (answer, expected) in broken {
        script.answers.lock().unwrap().clear();
        script.then(answer);
        let outcome = sources.refresh("anssi-catalogue").await.unwrap();
        let RunOutcome::Failed { reason } = outcome else {
            panic!("expected a failure ({expected}), got {outcome:?}")
        };
        assert!(
            reason.contains(expected),
            "{reason} should mention {expected}"
        );
        let last = store.runs("anssi-catalogue", 1).await.unwrap().remove(0);
        assert_eq!(last.outcome, "failed");
        assert_eq!(last.error.as_deref(), Some(reason.as_str()));
        assert_eq!(
            snapshot(&store).await,
            state,
            "a failed run ({expected}) changed the data"
        );
    }
    let status = sources.status().await.unwrap();
    assert_eq!(status[0].last_attempt.as_ref().unwrap().outcome, "failed");
    assert_eq!(status[0].last_success.as_ref().unwrap().outcome, "applied");
    assert!(!status[0].stale);
}

#[tokio::test]
async fn a_far_shorter_edition_is_refused_as_partial() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let script = Script::default();
    script.then(Answer::Pdf {
        bytes: pdf(FixtureEdition::march_2026()),
        etag: "\"mar\"",
    });
    let served = serve(script.clone()).await;
    let sources = sources(&store, &served.url);
    assert!(matches!(
        sources.refresh("anssi-catalogue").await.unwrap(),
        RunOutcome::Applied { .. }
    ));
    let mut partial = FixtureEdition::march_2026();
    partial.secnumcloud.truncate(2);
    partial.qualified_services.clear();
    partial.cspn.clear();
    partial.updated_at = partial.updated_at.map(|at| at + chrono::Duration::days(30));
    script.answers.lock().unwrap().clear();
    script.then(Answer::Pdf {
        bytes: pdf(partial),
        etag: "\"p\"",
    });
    let outcome = sources.refresh("anssi-catalogue").await.unwrap();
    assert!(
        matches!(&outcome, RunOutcome::Failed { reason } if reason.contains("far fewer")),
        "{outcome:?}"
    );
}

#[tokio::test]
async fn an_unknown_supplier_goes_to_the_review_queue_never_a_silent_duplicate() {
    let dir = tempfile::tempdir().unwrap();
    let store = seeded_store(&dir).await;
    let mut edition = FixtureEdition::march_2026();
    edition.secnumcloud[0].supplier = "Nuage Inconnu".into();
    let script = Script::default();
    script.then(Answer::Pdf {
        bytes: pdf(edition),
        etag: "\"x\"",
    });
    let served = serve(script).await;
    let suppliers_before = store
        .list_suppliers(
            &Default::default(),
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .items
        .len();
    let outcome = sources(&store, &served.url)
        .refresh("anssi-catalogue")
        .await
        .unwrap();
    // The row's decision is known: it keeps its supplier. A truly new decision would be queued.
    assert!(matches!(outcome, RunOutcome::Applied { .. }), "{outcome:?}");
    let suppliers_after = store
        .list_suppliers(
            &Default::default(),
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .items
        .len();
    assert_eq!(
        suppliers_before, suppliers_after,
        "no supplier is created from a catalogue name"
    );

    let mut fresh = FixtureEdition::march_2026();
    fresh.updated_at = fresh.updated_at.map(|at| at + chrono::Duration::days(31));
    let mut row = fresh.secnumcloud[0].clone();
    row.supplier = "Nuage Inconnu".into();
    row.service = "Nuage souverain".into();
    row.decision.number = 9999;
    row.decision.url = row.decision.url.replace(
        &format!("_{}_", fresh.secnumcloud[0].decision.number),
        "_9999_",
    );
    fresh.secnumcloud.push(row);
    let script = Script::default();
    script.then(Answer::Pdf {
        bytes: pdf(fresh),
        etag: "\"y\"",
    });
    let served = serve(script).await;
    let outcome = sources(&store, &served.url)
        .refresh("anssi-catalogue")
        .await
        .unwrap();
    assert!(
        matches!(
            outcome,
            RunOutcome::Applied {
                queued_for_review: 1,
                ..
            }
        ),
        "{outcome:?}"
    );
    let queue = store.review_items(true).await.unwrap();
    assert_eq!(queue.len(), 1);
    assert_eq!(queue[0].supplier_name, "Nuage Inconnu");
    // Linking it makes the name an alias; the next run resolves the row.
    let cloud_temple = store
        .list_suppliers(
            &Default::default(),
            registre_store::PageRequest {
                after: None,
                limit: 200,
            },
        )
        .await
        .unwrap()
        .items
        .into_iter()
        .find(|s| s.key.as_str() == "cloud-temple")
        .unwrap();
    store
        .link_review_item(queue[0].id, cloud_temple.id, "token:test")
        .await
        .unwrap();
    assert!(
        store
            .supplier(cloud_temple.id)
            .await
            .unwrap()
            .data
            .aliases
            .contains(&"Nuage Inconnu".to_owned())
    );
    assert!(store.review_items(true).await.unwrap().is_empty());
}
