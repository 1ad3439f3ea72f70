//! Opaque page cursors and the page-size rules shared by every list.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use registre_store::{DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, Page, PageRequest};

use crate::problem::ApiError;

const PREFIX: &str = "after:";

pub fn encode(after: i64) -> String {
    URL_SAFE_NO_PAD.encode(format!("{PREFIX}{after}"))
}

fn decode(cursor: &str) -> Option<i64> {
    let bytes = URL_SAFE_NO_PAD.decode(cursor).ok()?;
    let text = String::from_utf8(bytes).ok()?;
    text.strip_prefix(PREFIX)?.parse().ok()
}

/// Reads `limit` and `cursor` into a page request, or says which one is wrong.
pub fn page_request(limit: Option<u64>, cursor: Option<&str>) -> Result<PageRequest, ApiError> {
    let limit = limit.unwrap_or(DEFAULT_PAGE_SIZE);
    if !(1..=MAX_PAGE_SIZE).contains(&limit) {
        return Err(ApiError::bad_parameter(
            "limit",
            "limit_out_of_range",
            format!("limit must be between 1 and {MAX_PAGE_SIZE}"),
        ));
    }
    let after = match cursor {
        None | Some("") => None,
        Some(cursor) => Some(decode(cursor).ok_or_else(|| {
            ApiError::bad_parameter(
                "cursor",
                "invalid_cursor",
                "cursor is not one this API returned: pass next_cursor from the previous page unchanged",
            )
        })?),
    };
    Ok(PageRequest { after, limit })
}

pub fn next_cursor<T>(page: &Page<T>) -> Option<String> {
    page.next_after.map(encode)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_cursor_round_trips_and_garbage_is_refused() {
        assert_eq!(decode(&encode(42)), Some(42));
        assert_eq!(decode("bm90LWEtY3Vyc29y"), None);
        assert!(page_request(Some(10), Some("%%%")).is_err());
        assert!(page_request(Some(0), None).is_err());
        assert!(page_request(Some(MAX_PAGE_SIZE + 1), None).is_err());
        assert_eq!(page_request(None, None).unwrap().limit, DEFAULT_PAGE_SIZE);
    }
}
