//! `/api/v1/attestations`: qualifications, certifications and labels with their provenance.

use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use registre_domain::model::{AttestationData, Record};
use registre_store::{AttestationFilter, Store};

use crate::ApiTags;
use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::cursor::{next_cursor, page_request};
use crate::inputs::{AttestationInput, merge_patch};
use crate::problem::ApiError;
use crate::query::parse_code;
use crate::responses::{Created, Deleted, Found};
use crate::today;
use crate::versioning::{etag, optional_version, required_version};
use crate::views::{AttestationList, AttestationView};

pub struct AttestationsApi {
    pub store: Store,
}

fn found(record: Record<AttestationData>) -> Found<AttestationView> {
    let tag = etag(record.version);
    Found::Ok(Json(AttestationView::new(record, today())), tag)
}

#[OpenApi(prefix_path = "/attestations", tag = "ApiTags::Attestations")]
impl AttestationsApi {
    /// List attestations, oldest first, in pages.
    #[oai(path = "/", method = "get", operation_id = "list_attestations")]
    #[allow(clippy::too_many_arguments)]
    async fn list(
        &self,
        supplier_id: Query<Option<i64>>,
        offer_id: Query<Option<i64>>,
        /// Scheme code: `secnumcloud`, `passi`, `pris`, `pdis`, `pvid`, `pams`, `cspn`, `hds`, ...
        scheme: Query<Option<String>>,
        /// Status today: `qualified`, `in_progress`, `expired`, `withdrawn`, `not_maintained`.
        status: Query<Option<String>>,
        /// `verified` or `declared`.
        verification: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u64>>,
        cursor: Query<Option<String>>,
    ) -> Result<Json<AttestationList>, ApiError> {
        let filter = AttestationFilter {
            supplier_id: supplier_id.0,
            offer_id: offer_id.0,
            scheme: parse_code("scheme", scheme.0.as_deref())?,
            status: parse_code("status", status.0.as_deref())?,
            verification: parse_code("verification", verification.0.as_deref())?,
        };
        let today = today();
        let page = self
            .store
            .list_attestations(&filter, page_request(limit.0, cursor.0.as_deref())?, today)
            .await?;
        let next_cursor = next_cursor(&page);
        Ok(Json(AttestationList {
            items: page
                .items
                .into_iter()
                .map(|a| AttestationView::new(a, today))
                .collect(),
            next_cursor,
        }))
    }

    /// Record an attestation (admin token).
    #[oai(path = "/", method = "post", operation_id = "create_attestation")]
    async fn create(
        &self,
        token: AdminToken,
        body: JsonBody<AttestationInput>,
    ) -> Result<Created<AttestationView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let (key, data) = body.0.into_domain(today())?;
        let record = self.store.create_attestation(key, data, &actor).await?;
        let location = format!("/api/v1/attestations/{}", record.id);
        let Found::Ok(json, tag) = found(record);
        Ok(Created::Created(json, tag, location))
    }

    /// Read one attestation with its provenance.
    #[oai(path = "/:id", method = "get", operation_id = "get_attestation")]
    async fn get(&self, id: Path<i64>) -> Result<Found<AttestationView>, ApiError> {
        Ok(found(self.store.attestation(id.0).await?))
    }

    /// Change an attestation with a JSON merge patch (admin token, `If-Match` required).
    #[oai(path = "/:id", method = "patch", operation_id = "update_attestation")]
    async fn update(
        &self,
        token: AdminToken,
        id: Path<i64>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
        /// A JSON merge patch (RFC 7386) of the fields of `AttestationInput` to change.
        body: JsonBody<serde_json::Value>,
    ) -> Result<Found<AttestationView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = required_version(if_match.0.as_deref())?;
        let current = self.store.attestation(id.0).await?;
        let input = merge_patch(&AttestationInput::from_record(&current), body.0)?;
        let (_, data) = input.into_domain(today())?;
        let (record, _) = self
            .store
            .update_attestation(id.0, expected, data, &actor)
            .await?;
        Ok(found(record))
    }

    /// Delete an attestation (admin token).
    #[oai(path = "/:id", method = "delete", operation_id = "delete_attestation")]
    async fn delete(
        &self,
        token: AdminToken,
        id: Path<i64>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<Deleted, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = optional_version(if_match.0.as_deref())?;
        self.store
            .delete_attestation(id.0, expected, &actor)
            .await?;
        Ok(Deleted::NoContent)
    }
}
