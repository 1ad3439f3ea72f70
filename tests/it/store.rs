//! Store behaviour that the API does not show directly, on both engines.

use registre_domain::identifiers::CountryCode;
use registre_domain::model::{Key, OfferData, SupplierData};
use registre_domain::taxonomy::{Category, Confidence, SupplierKind};
use registre_store::{PageRequest, StoreError, Written};

use crate::on_both_engines;
use crate::support::{Engine, store};

fn supplier(name: &str) -> SupplierData {
    SupplierData {
        legal_name: name.into(),
        trade_names: vec![],
        aliases: vec![],
        kind: SupplierKind::Company,
        siren: None,
        siret: None,
        vat_number: None,
        lei: None,
        country: CountryCode::parse("FR").unwrap(),
        hq_city: None,
        website: None,
        control_chain: vec![],
        ultimate_control_country: None,
        unverified: vec![],
        notes: None,
        references: vec![],
        confidence: Confidence::Medium,
    }
}

async fn keys_are_derived_unique_and_updates_are_versioned(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    let first = store
        .create_supplier(None, supplier("Cloud Temple"), "test")
        .await
        .unwrap();
    let second = store
        .create_supplier(None, supplier("Cloud Temple"), "test")
        .await
        .unwrap();
    assert_eq!(first.key.as_str(), "cloud-temple");
    assert_eq!(second.key.as_str(), "cloud-temple-2");
    let taken = store
        .create_supplier(
            Some(Key::parse("cloud-temple").unwrap()),
            supplier("X"),
            "test",
        )
        .await;
    assert!(
        matches!(taken, Err(StoreError::Conflict { ref field, .. }) if field == "key"),
        "{taken:?}"
    );

    let same = store
        .update_supplier(first.id, Some(1), supplier("Cloud Temple"), "test")
        .await
        .unwrap();
    assert_eq!(same.1, Written::Unchanged);
    assert_eq!(
        same.0.version, 1,
        "an unchanged write does not bump the version"
    );
    let mut changed = supplier("Cloud Temple");
    changed.hq_city = Some("Paris".into());
    let (record, written) = store
        .update_supplier(first.id, Some(1), changed.clone(), "test")
        .await
        .unwrap();
    assert_eq!((record.version, written), (2, Written::Updated));
    let stale = store
        .update_supplier(first.id, Some(1), supplier("Other"), "test")
        .await;
    assert!(
        matches!(stale, Err(StoreError::VersionMismatch { current: 2, .. })),
        "{stale:?}"
    );
    assert_eq!(store.supplier(first.id).await.unwrap().data, changed);
}

async fn concurrent_writers_on_one_version_cannot_both_win(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    let record = store
        .create_supplier(None, supplier("Race"), "test")
        .await
        .unwrap();
    let writes = (0..6).map(|i| {
        let store = store.clone();
        let mut data = supplier("Race");
        data.hq_city = Some(format!("City {i}"));
        tokio::spawn(async move {
            store
                .update_supplier(record.id, Some(1), data, "test")
                .await
        })
    });
    let mut won = 0;
    for write in writes {
        match write.await.unwrap() {
            Ok(_) => won += 1,
            Err(StoreError::VersionMismatch { .. }) => {}
            // SQLite may refuse a concurrent writer outright; that is a refusal, never a lost update.
            Err(StoreError::Database(_)) if engine == Engine::Sqlite => {}
            Err(other) => panic!("unexpected {other:?}"),
        }
    }
    assert_eq!(won, 1, "exactly one writer based on version 1 succeeds");
    assert_eq!(store.supplier(record.id).await.unwrap().version, 2);
}

async fn a_page_request_is_honoured_exactly(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    for i in 0..5 {
        store
            .create_supplier(None, supplier(&format!("S{i}")), "test")
            .await
            .unwrap();
    }
    let page = store
        .list_suppliers(
            &Default::default(),
            PageRequest {
                after: None,
                limit: 2,
            },
        )
        .await
        .unwrap();
    assert_eq!(page.items.len(), 2);
    assert_eq!(page.next_after, Some(page.items[1].id));
    let last = store
        .list_suppliers(
            &Default::default(),
            PageRequest {
                after: Some(page.items[1].id),
                limit: 3,
            },
        )
        .await
        .unwrap();
    assert_eq!(last.items.len(), 3);
    assert_eq!(last.next_after, None, "no cursor on the last page");
}

async fn records_are_read_by_their_stable_key(engine: Engine) {
    let Some((store, _db)) = store(engine).await else {
        return;
    };
    let supplier = store
        .create_supplier(None, supplier("Cloud Temple"), "test")
        .await
        .unwrap();
    let offer = OfferData {
        supplier_id: supplier.id,
        name: "IaaS SecNumCloud".into(),
        category: Category::Iaas,
        description_fr: None,
        description_en: None,
        deployment_models: vec![],
        licences: vec![],
        hosting_locations: vec![],
        suite_class: None,
        suite_tier: None,
        suite_role: None,
        url: None,
        source_repo: None,
        alternative_to: vec![],
        unverified: vec![],
        notes: None,
        references: vec![],
        confidence: Confidence::Medium,
    };
    let offer = store
        .create_offer(Some(Key::parse("ct-iaas").unwrap()), offer, "test")
        .await
        .unwrap();
    let found = store
        .supplier_by_key(&Key::parse("cloud-temple").unwrap())
        .await
        .unwrap();
    assert_eq!((found.id, found.data), (supplier.id, supplier.data));
    let found = store
        .offer_by_key(&Key::parse("ct-iaas").unwrap())
        .await
        .unwrap();
    assert_eq!((found.id, found.data), (offer.id, offer.data));
    let missing = store
        .offer_by_key(&Key::parse("cloud-temple").unwrap())
        .await;
    assert!(
        matches!(missing, Err(StoreError::NotFound { entity: "offer", ref id }) if id == "cloud-temple"),
        "a supplier's key names no offer: {missing:?}"
    );
    let missing = store.supplier_by_key(&Key::parse("nobody").unwrap()).await;
    assert!(
        matches!(
            missing,
            Err(StoreError::NotFound {
                entity: "supplier",
                ..
            })
        ),
        "{missing:?}"
    );
}

on_both_engines!(
    records_are_read_by_their_stable_key,
    keys_are_derived_unique_and_updates_are_versioned,
    concurrent_writers_on_one_version_cannot_both_win,
    a_page_request_is_honoured_exactly,
);

/// Two instances sharing one PostgreSQL database: the advisory lock lets one run a source at a time.
#[tokio::test]
async fn two_instances_on_postgres_never_run_the_same_source_at_once() {
    let Some(db) = crate::support::database(Engine::Postgres).await else {
        return;
    };
    let first = registre_store::Store::connect(&db.url).await.unwrap();
    let second = registre_store::Store::connect(&db.url).await.unwrap();
    let held = first.lock_source("anssi-catalogue").await.unwrap();
    assert!(held.is_some());
    assert!(
        second
            .lock_source("anssi-catalogue")
            .await
            .unwrap()
            .is_none(),
        "the other instance waits"
    );
    assert!(
        second.lock_source("ans-hds").await.unwrap().is_some(),
        "other sources are free"
    );
    drop(held);
    // The lock goes with the transaction; the pool may need a moment to roll it back.
    let mut freed = false;
    for _ in 0..50 {
        if let Some(lock) = second.lock_source("anssi-catalogue").await.unwrap() {
            drop(lock);
            freed = true;
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert!(freed, "a released lock can be taken by the other instance");
}
