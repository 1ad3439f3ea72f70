//! `GET /api/v1/changes.atom`: the latest changes the official sources brought, as an Atom feed for
//! people and feed readers (the JSON history is `/api/v1/changes`).

use atom_syndication::{Entry, Feed, FixedDateTime, Link, Text};
use poem::http::StatusCode;
use poem::{IntoResponse, Response};
use registre_store::{PageRequest, Store};

/// How many of the latest changes the feed carries.
const ENTRIES: usize = 100;

pub async fn changes(store: &Store) -> Response {
    let mut latest = Vec::new();
    let mut after = None;
    // Keyset pages run oldest first; the feed keeps the newest ENTRIES.
    loop {
        match store
            .list_changes(None, PageRequest { after, limit: 200 })
            .await
        {
            Ok(page) => {
                latest.extend(page.items);
                if latest.len() > ENTRIES {
                    latest.drain(..latest.len() - ENTRIES);
                }
                match page.next_after {
                    Some(next) => after = Some(next),
                    None => break,
                }
            }
            Err(error) => {
                tracing::error!(%error, "cannot read the changes for the feed");
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            }
        }
    }
    latest.reverse();
    let updated: FixedDateTime = latest
        .first()
        .map(|c| c.seen_at.fixed_offset())
        .unwrap_or_else(|| chrono::DateTime::UNIX_EPOCH.fixed_offset());
    let entries = latest
        .into_iter()
        .map(|change| {
            let link = change.offer_id.map(|id| Link {
                href: format!("/api/v1/offers/{id}"),
                rel: "related".into(),
                ..Default::default()
            });
            Entry {
                id: format!("urn:registre:change:{}", change.id),
                title: Text::plain(format!("{} — {}", change.kind, change.summary_fr)),
                updated: change.seen_at.fixed_offset(),
                summary: Some(Text::plain(format!(
                    "{}\n{}",
                    change.summary_fr, change.summary_en
                ))),
                links: link.into_iter().collect(),
                ..Default::default()
            }
        })
        .collect();
    let feed = Feed {
        id: "urn:registre:changes".into(),
        title: Text::plain(
            "Registre — changements des sources officielles / changes from the official sources",
        ),
        updated,
        lang: Some("fr".into()),
        entries,
        ..Default::default()
    };
    feed.to_string()
        .with_content_type("application/atom+xml; charset=utf-8")
        .into_response()
}
