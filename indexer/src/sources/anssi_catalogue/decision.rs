//! Qualification decisions, identified by the year and number read from their link target.

use std::fmt;

/// ANSSI's decision behind a qualification. Numbers restart every year (2024_2033 and 2025_2033 are two
/// different decisions), and the cell only shows the number: the year comes from the link target
/// `…/visas/<YEAR>_<NUMBER>_np.pdf`, never from the text.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Decision {
    pub year: u16,
    pub number: u32,
    pub url: String,
}

impl Decision {
    /// The (year, number) pair that identifies a decision across editions.
    pub fn key(&self) -> DecisionKey {
        DecisionKey {
            year: self.year,
            number: self.number,
        }
    }

    /// Reads `<YEAR>_<NUMBER>` from the last path segment of a decision URL.
    pub fn from_url(url: &str) -> Option<Decision> {
        let file = url.trim().rsplit('/').next()?;
        let mut parts = file.split('_');
        let year = parts.next()?;
        let number = parts.next()?;
        if year.len() != 4
            || !year.bytes().all(|b| b.is_ascii_digit())
            || !number.bytes().all(|b| b.is_ascii_digit())
        {
            return None;
        }
        Some(Decision {
            year: year.parse().ok()?,
            number: number.parse().ok()?,
            url: url.trim().to_string(),
        })
    }
}

/// A decision's identity: numbers alone are ambiguous across years.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DecisionKey {
    pub year: u16,
    pub number: u32,
}

impl fmt::Display for DecisionKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}_{}", self.year, self.number)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn year_and_number_come_from_the_link_target() {
        let decision =
            Decision::from_url("https://messervices.cyber.gouv.fr/visas/2025_2057_np.pdf").unwrap();
        assert_eq!(
            decision.key(),
            DecisionKey {
                year: 2025,
                number: 2057
            }
        );
        assert_eq!(decision.key().to_string(), "2025_2057");
    }

    #[test]
    fn a_link_without_year_and_number_is_not_a_decision() {
        assert_eq!(
            Decision::from_url(
                "https://messervices.cyber.gouv.fr/visas/ANSSI-CSPN-2025-13-certificat.pdf"
            ),
            None
        );
        assert_eq!(Decision::from_url("https://example.org/"), None);
    }
}
