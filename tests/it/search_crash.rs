//! The search index survives the process being killed in the middle of a bulk write: after a
//! restart it opens and, once caught up, matches the database (a real process, a real SIGKILL).

use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use crate::support::ADMIN_TOKEN;

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

fn start(data_dir: &std::path::Path, port: u16) -> Child {
    Command::new(env!("CARGO_BIN_EXE_registre"))
        .args([
            "serve",
            "--listen",
            &format!("127.0.0.1:{port}"),
            "--no-schedule",
            "--data-dir",
        ])
        .arg(data_dir)
        .env("REGISTRE_ADMIN_TOKEN", ADMIN_TOKEN)
        .env_remove("REGISTRE_DATABASE_URL")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("the registre binary starts")
}

async fn wait_ready(client: &reqwest::Client, base: &str) {
    let deadline = Instant::now() + Duration::from_secs(60);
    while Instant::now() < deadline {
        if let Ok(response) = client.get(format!("{base}/readyz")).send().await
            && response.status() == 200
        {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("the server did not become ready");
}

async fn database_suppliers(client: &reqwest::Client, base: &str) -> u64 {
    let mut count = 0;
    let mut cursor: Option<String> = None;
    loop {
        let mut url = format!("{base}/api/v1/suppliers?limit=200");
        if let Some(cursor) = &cursor {
            url.push_str(&format!("&cursor={cursor}"));
        }
        let page: serde_json::Value = client.get(url).send().await.unwrap().json().await.unwrap();
        count += page["items"].as_array().unwrap().len() as u64;
        match page["next_cursor"].as_str() {
            Some(next) => cursor = Some(next.to_owned()),
            None => return count,
        }
    }
}

async fn indexed_suppliers(client: &reqwest::Client, base: &str) -> u64 {
    let body: serde_json::Value = client
        .get(format!("{base}/api/v1/search?kind=supplier&limit=1"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    body["total"].as_u64().expect("a total")
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_process_killed_during_a_bulk_write_restarts_with_an_index_matching_the_database() {
    let _ = rustls::crypto::ring::default_provider().install_default();
    let dir = tempfile::tempdir().unwrap();
    let port = free_port();
    let base = format!("http://127.0.0.1:{port}");
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(10))
        .build()
        .unwrap();

    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    let writer = {
        let client = client.clone();
        let base = base.clone();
        tokio::spawn(async move {
            for i in 0..2_000 {
                let body = serde_json::json!({"legal_name": format!("Bulk Supplier {i}"), "country": "FR"});
                let sent = client
                    .post(format!("{base}/api/v1/suppliers"))
                    .bearer_auth(ADMIN_TOKEN)
                    .json(&body)
                    .send()
                    .await;
                if sent.is_err() {
                    return i;
                }
            }
            2_000
        })
    };
    tokio::time::sleep(Duration::from_millis(1500)).await;
    server.kill().expect("SIGKILL");
    server.wait().unwrap();
    let written = writer.await.unwrap();
    assert!(
        written > 0 && written < 2_000,
        "the kill happened during the bulk write ({written} writes)"
    );

    let mut server = start(dir.path(), port);
    wait_ready(&client, &base).await;
    let in_database = database_suppliers(&client, &base).await;
    let deadline = Instant::now() + Duration::from_secs(10);
    let mut in_index = indexed_suppliers(&client, &base).await;
    while in_index != in_database && Instant::now() < deadline {
        tokio::time::sleep(Duration::from_millis(100)).await;
        in_index = indexed_suppliers(&client, &base).await;
    }
    server.kill().ok();
    server.wait().ok();
    assert!(
        in_database > 75,
        "the bundled suppliers plus the bulk ones: {in_database}"
    );
    assert_eq!(
        in_index, in_database,
        "after the restart the index matches the database"
    );
}
