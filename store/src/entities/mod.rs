//! sea-orm entities: one per table defined in `migrations/`. Only the store modules use them.

pub mod api_token;
pub mod attestation;
pub mod audit_event;
pub mod change;
pub mod citation;
pub mod event;
pub mod event_meeting;
pub mod event_participant;
pub mod event_request;
pub mod offer;
pub mod offer_alternative;
pub mod review_item;
pub mod source_run;
pub mod supplier;
