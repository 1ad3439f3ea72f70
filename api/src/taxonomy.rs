//! `/api/v1/taxonomy`: every controlled vocabulary with its French and English labels.

use poem_openapi::payload::Json;
use poem_openapi::{Object, OpenApi};
use registre_domain::taxonomy::{
    Category, Confidence, ControlRelation, DeploymentModel, ExposureLevel, Recommendation, Scheme,
    ServiceModel, Status, SuiteClass, SuiteTier, SupplierKind, Verification, Vocabulary,
};

use crate::ApiTags;

#[derive(Debug, Clone, Object, serde::Serialize)]
pub struct Term {
    pub code: String,
    pub label_fr: String,
    pub label_en: String,
}

#[derive(Debug, Clone, Object)]
pub struct Taxonomy {
    pub categories: Vec<Term>,
    pub suite_classes: Vec<Term>,
    pub suite_tiers: Vec<Term>,
    pub schemes: Vec<Term>,
    pub statuses: Vec<Term>,
    pub service_models: Vec<Term>,
    pub deployment_models: Vec<Term>,
    pub recommendations: Vec<Term>,
    pub verifications: Vec<Term>,
    pub confidences: Vec<Term>,
    pub supplier_kinds: Vec<Term>,
    pub control_relations: Vec<Term>,
    pub exposure_levels: Vec<Term>,
}

fn terms<V: Vocabulary>() -> Vec<Term> {
    V::all()
        .iter()
        .map(|v| Term {
            code: v.code().to_owned(),
            label_fr: v.label_fr().to_owned(),
            label_en: v.label_en().to_owned(),
        })
        .collect()
}

pub struct TaxonomyApi;

#[OpenApi(tag = "ApiTags::Taxonomy")]
impl TaxonomyApi {
    /// Every code the API accepts and returns, with its labels in French and English.
    #[oai(path = "/taxonomy", method = "get", operation_id = "get_taxonomy")]
    async fn taxonomy(&self) -> Json<Taxonomy> {
        Json(Taxonomy {
            categories: terms::<Category>(),
            suite_classes: terms::<SuiteClass>(),
            suite_tiers: terms::<SuiteTier>(),
            schemes: terms::<Scheme>(),
            statuses: terms::<Status>(),
            service_models: terms::<ServiceModel>(),
            deployment_models: terms::<DeploymentModel>(),
            recommendations: terms::<Recommendation>(),
            verifications: terms::<Verification>(),
            confidences: terms::<Confidence>(),
            supplier_kinds: terms::<SupplierKind>(),
            control_relations: terms::<ControlRelation>(),
            exposure_levels: terms::<ExposureLevel>(),
        })
    }
}
