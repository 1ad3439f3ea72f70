//! `/api/v1/suppliers`: list, read, create, update and delete suppliers.

use poem_openapi::OpenApi;
use poem_openapi::param::{Header, Path, Query};
use poem_openapi::payload::Json;
use registre_domain::identifiers::{CountryCode, Siren};
use registre_domain::sovereignty::assess_supplier;
use registre_store::{Store, SupplierFilter};

use crate::ApiTags;
use crate::auth::AdminToken;
use crate::body::JsonBody;
use crate::cursor::{next_cursor, page_request};
use crate::inputs::{SupplierInput, merge_patch};
use crate::problem::ApiError;
use crate::query::{parse_code, parse_with};
use crate::responses::{Created, Deleted, Found};
use crate::versioning::{etag, optional_version, required_version};
use crate::views::{SupplierList, SupplierView};

pub struct SuppliersApi {
    pub store: Store,
}

fn view(
    record: registre_domain::model::Record<registre_domain::model::SupplierData>,
) -> SupplierView {
    let exposure = assess_supplier(&record);
    SupplierView::new(record, exposure)
}

fn found(
    record: registre_domain::model::Record<registre_domain::model::SupplierData>,
) -> Found<SupplierView> {
    let tag = etag(record.version);
    Found::Ok(Json(view(record)), tag)
}

#[OpenApi(prefix_path = "/suppliers", tag = "ApiTags::Suppliers")]
impl SuppliersApi {
    /// List suppliers, oldest first, in pages.
    #[oai(path = "/", method = "get", operation_id = "list_suppliers")]
    async fn list(
        &self,
        /// Head-office country (ISO 3166-1 alpha-2).
        country: Query<Option<String>>,
        /// Exact SIREN: the supplier holding it, if any.
        siren: Query<Option<String>>,
        /// Supplier kind code.
        kind: Query<Option<String>>,
        /// Computed exposure level of the supplier (`none`, `low`, `medium`, `high`, `unknown`).
        exposure: Query<Option<String>>,
        /// Page size, 1 to 200 (default 50).
        limit: Query<Option<u64>>,
        /// `next_cursor` of the previous page.
        cursor: Query<Option<String>>,
    ) -> Result<Json<SupplierList>, ApiError> {
        let filter = SupplierFilter {
            country: parse_with("country", country.0.as_deref(), CountryCode::parse)?,
            siren: parse_with("siren", siren.0.as_deref(), Siren::parse)?,
            kind: parse_code("kind", kind.0.as_deref())?,
            exposure: parse_code("exposure", exposure.0.as_deref())?,
        };
        let page = self
            .store
            .list_suppliers(&filter, page_request(limit.0, cursor.0.as_deref())?)
            .await?;
        let next_cursor = next_cursor(&page);
        Ok(Json(SupplierList {
            items: page.items.into_iter().map(view).collect(),
            next_cursor,
        }))
    }

    /// Create a supplier (admin token).
    #[oai(path = "/", method = "post", operation_id = "create_supplier")]
    async fn create(
        &self,
        token: AdminToken,
        body: JsonBody<SupplierInput>,
    ) -> Result<Created<SupplierView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let (key, data) = body.0.into_domain()?;
        let record = self.store.create_supplier(key, data, &actor).await?;
        let location = format!("/api/v1/suppliers/{}", record.id);
        let tag = etag(record.version);
        Ok(Created::Created(Json(view(record)), tag, location))
    }

    /// Read one supplier, with its computed exposure.
    #[oai(path = "/:id", method = "get", operation_id = "get_supplier")]
    async fn get(&self, id: Path<i64>) -> Result<Found<SupplierView>, ApiError> {
        Ok(found(self.store.supplier(id.0).await?))
    }

    /// Change a supplier with a JSON merge patch (admin token, `If-Match` required).
    #[oai(path = "/:id", method = "patch", operation_id = "update_supplier")]
    async fn update(
        &self,
        token: AdminToken,
        id: Path<i64>,
        /// The `ETag` of the version the change is based on.
        #[oai(name = "If-Match")]
        if_match: Header<Option<String>>,
        /// A JSON merge patch (RFC 7386) of the fields of `SupplierInput` to change.
        body: JsonBody<serde_json::Value>,
    ) -> Result<Found<SupplierView>, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = required_version(if_match.0.as_deref())?;
        let current = self.store.supplier(id.0).await?;
        let input = merge_patch(&SupplierInput::from_record(&current), body.0)?;
        let (_, data) = input.into_domain()?;
        let (record, _) = self
            .store
            .update_supplier(id.0, expected, data, &actor)
            .await?;
        Ok(found(record))
    }

    /// Delete a supplier that has no offers or attestations left (admin token).
    #[oai(path = "/:id", method = "delete", operation_id = "delete_supplier")]
    async fn delete(
        &self,
        token: AdminToken,
        id: Path<i64>,
        #[oai(name = "If-Match")] if_match: Header<Option<String>>,
    ) -> Result<Deleted, ApiError> {
        let actor = token.actor(&self.store).await?;
        let expected = optional_version(if_match.0.as_deref())?;
        self.store.delete_supplier(id.0, expected, &actor).await?;
        Ok(Deleted::NoContent)
    }
}
