//! `/api/v1/offers`: list, read, create, update and delete offers, each with its exposure and attestations.

use chrono::NaiveDate;
use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use registre_domain::identifiers::CountryCode;
use registre_domain::model::{OfferData, Record};
use registre_store::{OfferContext, OfferFilter, Store};

use crate::ApiTags;
use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::cursor::{next_cursor, page_request};
use crate::inputs::{OfferInput, merge_patch};
use crate::problem::ApiError;
use crate::query::{parse_code, parse_with};
use crate::responses::{Created, Deleted, Found};
use crate::today;
use crate::versioning::{etag, optional_version, required_version};
use crate::views::{AttestationSummary, ChangeView, OfferList, OfferView};

pub struct OffersApi {
    pub store: Store,
}

fn view(record: Record<OfferData>, context: &OfferContext, today: NaiveDate) -> OfferView {
    let exposure = context.assess(&record, today);
    let attestations = context
        .attestations_of(&record)
        .map(|a| AttestationSummary::new(a, today))
        .collect();
    let supplier = context
        .supplier(&record)
        .expect("an offer's supplier is loaded with it (foreign key)");
    OfferView::new(record, supplier, attestations, exposure)
}

impl OffersApi {
    async fn found(&self, record: Record<OfferData>) -> Result<Found<OfferView>, ApiError> {
        let context = self
            .store
            .offer_context(std::slice::from_ref(&record))
            .await?;
        let timeline = self.store.offer_timeline(record.id).await?;
        let tag = etag(record.version);
        let mut view = view(record, &context, today());
        view.timeline = Some(timeline.into_iter().map(ChangeView::from).collect());
        Ok(Found::Ok(Json(view), tag))
    }
}

#[OpenApi(prefix_path = "/offers", tag = "ApiTags::Offers")]
impl OffersApi {
    /// List offers, oldest first, in pages.
    #[oai(path = "/", method = "get", operation_id = "list_offers")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        /// Offers of this supplier.
        supplier_id: Query<Option<i64>>,
        /// The supplier's head-office country (ISO 3166-1 alpha-2).
        country: Query<Option<String>>,
        /// Category code.
        category: Query<Option<String>>,
        /// La Suite numérique class code.
        suite_class: Query<Option<String>>,
        /// La Suite numérique tier code.
        suite_tier: Query<Option<String>>,
        /// Offers holding an attestation of this scheme.
        scheme: Query<Option<String>>,
        /// Offers holding an attestation with this status today (with `scheme`, of that scheme).
        status: Query<Option<String>>,
        /// Computed exposure level.
        exposure: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<OfferList>, ApiError> {
        let filter = OfferFilter {
            supplier_id: supplier_id.0,
            country: parse_with("country", country.0.as_deref(), CountryCode::parse)?,
            category: parse_code("category", category.0.as_deref())?,
            suite_class: parse_code("suite_class", suite_class.0.as_deref())?,
            suite_tier: parse_code("suite_tier", suite_tier.0.as_deref())?,
            scheme: parse_code("scheme", scheme.0.as_deref())?,
            status: parse_code("status", status.0.as_deref())?,
            exposure: parse_code("exposure", exposure.0.as_deref())?,
        };
        let today = today();
        let page = self
            .store
            .list_offers(&filter, page_request(limit.0, cursor.0.as_deref())?, today)
            .await?;
        let context = self.store.offer_context(&page.items).await?;
        let next_cursor = next_cursor(&page);
        Ok(Json(OfferList {
            items: page
                .items
                .into_iter()
                .map(|o| view(o, &context, today))
                .collect(),
            next_cursor,
        }))
    }

    /// Create an offer (admin token).
    #[oai(path = "/", method = "post", operation_id = "create_offer")]
    async fn create(
        &self,
        token: AdminToken,
        body: JsonBody<OfferInput>,
    ) -> Result<Created<OfferView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let (key, data) = body.0.into_domain()?;
        let record = self.store.create_offer(key, data, &actor).await?;
        let location = format!("/api/v1/offers/{}", record.id);
        let Found::Ok(json, tag) = self.found(record).await?;
        Ok(Created::Created(json, tag, location))
    }

    /// Read one offer, with its attestations and computed exposure.
    #[oai(path = "/:id", method = "get", operation_id = "get_offer")]
    async fn get(&self, id: Path<i64>) -> Result<Found<OfferView>, ApiError> {
        let record = self.store.offer(id.0).await?;
        self.found(record).await
    }

    /// Change an offer with a JSON merge patch (admin token, `If-Match` required).
    #[oai(path = "/:id", method = "patch", operation_id = "update_offer")]
    async fn update(
        &self,
        token: AdminToken,
        id: Path<i64>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        /// A JSON merge patch (RFC 7386) of the fields of `OfferInput` to change.
        body: JsonBody<serde_json::Value>,
    ) -> Result<Found<OfferView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = required_version(if_match.0.as_deref())?;
        let current = self.store.offer(id.0).await?;
        let input = merge_patch(&OfferInput::from_record(&current), body.0)?;
        let (_, data) = input.into_domain()?;
        let (record, _) = self
            .store
            .update_offer(id.0, expected, data, &actor)
            .await?;
        self.found(record).await
    }

    /// Delete an offer that has no attestations left (admin token).
    #[oai(path = "/:id", method = "delete", operation_id = "delete_offer")]
    async fn delete(
        &self,
        token: AdminToken,
        id: Path<i64>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<Deleted, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = optional_version(if_match.0.as_deref())?;
        self.store.delete_offer(id.0, expected, &actor).await?;
        Ok(Deleted::NoContent)
    }
}
