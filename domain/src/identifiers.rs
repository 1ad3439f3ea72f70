//! Validated identifier newtypes (SIREN, SIRET, EU VAT number, LEI, ISO country code).
//!
//! "Parse, don't validate": every type here can only be built through `parse`
//! (or a constructor that derives it from an already-valid value), so holding
//! one is proof that the checks ran. Values are stored in their normalised
//! form, which is also what `Display`, `as_str()` and serde produce.

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize, Serializer};

// ---------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------

/// Which kind of identifier an error is about; its `Display` is the name used
/// in error messages.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum IdentifierKind {
    Siren,
    Siret,
    VatNumber,
    Lei,
    CountryCode,
}

impl fmt::Display for IdentifierKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Siren => "SIREN",
            Self::Siret => "SIRET",
            Self::VatNumber => "VAT number",
            Self::Lei => "LEI",
            Self::CountryCode => "country code",
        })
    }
}

/// The checksum rule that failed, so callers (and messages) can say exactly
/// which check rejected the value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum CheckRule {
    /// Luhn over the whole identifier.
    Luhn,
    /// Luhn over the SIREN embedded in a SIRET or a French VAT number.
    EmbeddedSirenLuhn,
    /// INSEE rule for La Poste establishments (SIRET starting with 356000000):
    /// the digit sum must be a multiple of 5 (plain Luhn is also accepted).
    LaPosteDigitSum,
    /// ISO 7064 MOD 97-10, as used by LEI.
    Iso7064Mod97_10,
}

impl fmt::Display for CheckRule {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Luhn => "check digit (Luhn) does not match",
            Self::EmbeddedSirenLuhn => "SIREN part check digit (Luhn) does not match",
            Self::LaPosteDigitSum => {
                "check (La Poste rule: sum of the 14 digits must be a multiple of 5) does not match"
            }
            Self::Iso7064Mod97_10 => "check digits (ISO 7064 MOD 97-10) do not match",
        })
    }
}

/// Why an identifier was rejected.
///
/// Messages name the identifier kind and the rule but never a field: the
/// caller knows which field it was parsing and prefixes it. Messages only ever
/// echo bounded fragments of the input (a 2-character prefix, a 9-digit
/// SIREN), never the whole input.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdentifierError {
    #[error("{kind} is empty")]
    Empty { kind: IdentifierKind },

    #[error("{kind} must be {expected} (length {found})")]
    InvalidLength {
        kind: IdentifierKind,
        expected: &'static str,
        found: usize,
    },

    #[error("{kind} must contain only {allowed}")]
    InvalidCharacters {
        kind: IdentifierKind,
        allowed: &'static str,
    },

    #[error("{kind} {rule}")]
    CheckDigitMismatch {
        kind: IdentifierKind,
        rule: CheckRule,
    },

    #[error("French VAT key does not match SIREN {siren} (expected {expected})")]
    FrenchVatKeyMismatch { siren: String, expected: String },

    #[error(
        "'{prefix}' is not an EU VAT prefix (expected an EU member state code, EL for Greece or XI for Northern Ireland)"
    )]
    UnknownVatPrefix { prefix: String },

    #[error("VAT number for {prefix} must be {prefix} followed by {expected}")]
    InvalidVatFormat {
        prefix: &'static str,
        expected: &'static str,
    },

    #[error("unknown ISO 3166-1 alpha-2 country code '{code}'")]
    UnknownCountry { code: String },
}

impl IdentifierError {
    /// Stable snake_case machine code, safe to expose in APIs.
    pub fn code(&self) -> &'static str {
        match self {
            Self::Empty { .. } => "empty",
            Self::InvalidLength { .. } => "invalid_length",
            Self::InvalidCharacters { .. } => "invalid_characters",
            Self::CheckDigitMismatch { .. } | Self::FrenchVatKeyMismatch { .. } => {
                "check_digit_mismatch"
            }
            Self::UnknownVatPrefix { .. } => "unknown_vat_prefix",
            Self::InvalidVatFormat { .. } => "invalid_format",
            Self::UnknownCountry { .. } => "unknown_country",
        }
    }

    /// The kind of identifier that was being parsed.
    pub fn kind(&self) -> IdentifierKind {
        match self {
            Self::Empty { kind }
            | Self::InvalidLength { kind, .. }
            | Self::InvalidCharacters { kind, .. }
            | Self::CheckDigitMismatch { kind, .. } => *kind,
            Self::FrenchVatKeyMismatch { .. }
            | Self::UnknownVatPrefix { .. }
            | Self::InvalidVatFormat { .. } => IdentifierKind::VatNumber,
            Self::UnknownCountry { .. } => IdentifierKind::CountryCode,
        }
    }
}

// ---------------------------------------------------------------------------
// Shared helpers
// ---------------------------------------------------------------------------

/// Drops all whitespace (Unicode `White_Space`, so NBSP and the narrow NBSP
/// used as French thousands separator are included) and, when asked, dots,
/// since SIREN/SIRET are commonly written "424.761.419".
fn compact(input: &str, strip_dots: bool) -> String {
    input
        .chars()
        .filter(|&c| !(c.is_whitespace() || (strip_dots && c == '.')))
        .collect()
}

fn all_digits(s: &[u8]) -> bool {
    s.iter().all(u8::is_ascii_digit)
}

/// Luhn sum modulo 10 of a digit string (digits only, checked by the caller).
fn luhn_remainder(digits: &[u8]) -> u32 {
    digits
        .iter()
        .rev()
        .enumerate()
        .map(|(i, b)| {
            let d = u32::from(b - b'0');
            if i % 2 == 1 {
                let doubled = d * 2;
                if doubled > 9 { doubled - 9 } else { doubled }
            } else {
                d
            }
        })
        .sum::<u32>()
        % 10
}

fn luhn_valid(digits: &[u8]) -> bool {
    luhn_remainder(digits) == 0
}

/// Parses a fixed-length all-digit identifier after normalisation.
fn parse_digits(
    input: &str,
    kind: IdentifierKind,
    len: usize,
    expected: &'static str,
) -> Result<String, IdentifierError> {
    let s = compact(input, true);
    if s.is_empty() {
        return Err(IdentifierError::Empty { kind });
    }
    if !all_digits(s.as_bytes()) {
        return Err(IdentifierError::InvalidCharacters {
            kind,
            allowed: "digits",
        });
    }
    if s.len() != len {
        return Err(IdentifierError::InvalidLength {
            kind,
            expected,
            found: s.chars().count(),
        });
    }
    Ok(s)
}

/// Implements the string-ish traits shared by every identifier newtype.
macro_rules! string_identifier {
    ($ty:ident) => {
        impl fmt::Display for $ty {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl FromStr for $ty {
            type Err = IdentifierError;
            fn from_str(s: &str) -> Result<Self, Self::Err> {
                Self::parse(s)
            }
        }

        impl TryFrom<String> for $ty {
            type Error = IdentifierError;
            fn try_from(s: String) -> Result<Self, Self::Error> {
                Self::parse(&s)
            }
        }

        impl TryFrom<&str> for $ty {
            type Error = IdentifierError;
            fn try_from(s: &str) -> Result<Self, Self::Error> {
                Self::parse(s)
            }
        }

        impl AsRef<str> for $ty {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl From<$ty> for String {
            fn from(value: $ty) -> String {
                value.as_str().to_owned()
            }
        }

        // Hand-written so every serde format sees a plain string, not a
        // newtype struct.
        impl Serialize for $ty {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}

// ---------------------------------------------------------------------------
// SIREN
// ---------------------------------------------------------------------------

/// SIREN of La Poste, the one entity INSEE documents as an exception to the
/// usual checks. The SIREN itself happens to satisfy Luhn; the exception
/// matters for its SIRETs (see [`Siret`]).
const LA_POSTE_SIREN: &str = "356000000";

/// French company identifier (INSEE): 9 digits, the last one a Luhn check digit.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Siren(String);

impl Siren {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = parse_digits(input, IdentifierKind::Siren, 9, "9 digits")?;
        // The La Poste SIREN is accepted explicitly, independently of Luhn,
        // because INSEE lists it as an exception; it would pass Luhn anyway.
        if s != LA_POSTE_SIREN && !luhn_valid(s.as_bytes()) {
            return Err(IdentifierError::CheckDigitMismatch {
                kind: IdentifierKind::Siren,
                rule: CheckRule::Luhn,
            });
        }
        Ok(Self(s))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// Whether this is La Poste's SIREN (356000000).
    pub fn is_la_poste(&self) -> bool {
        self.0 == LA_POSTE_SIREN
    }

    /// The 2-digit key of the French VAT number: (12 + 3 × (SIREN mod 97)) mod 97.
    pub fn french_vat_key(&self) -> u8 {
        french_vat_key_of(&self.0)
    }
}

/// Key computation on a 9-digit string already known to be digits.
fn french_vat_key_of(siren_digits: &str) -> u8 {
    let n = siren_digits
        .bytes()
        .fold(0u64, |acc, b| acc * 10 + u64::from(b - b'0'));
    // The result is < 97, so it always fits in a u8.
    ((12 + 3 * (n % 97)) % 97) as u8
}

string_identifier!(Siren);

// ---------------------------------------------------------------------------
// SIRET
// ---------------------------------------------------------------------------

/// French establishment identifier: SIREN (9 digits) + NIC (5 digits), with a
/// Luhn check over all 14 digits, except for La Poste (see [`CheckRule::LaPosteDigitSum`]).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Siret(String);

impl Siret {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let s = parse_digits(input, IdentifierKind::Siret, 14, "14 digits")?;
        let bytes = s.as_bytes();
        let siren = &s[..9];
        // `siren()` hands out a `Siren`, so the embedded part must itself be
        // valid or we would mint an invalid `Siren`.
        if siren != LA_POSTE_SIREN && !luhn_valid(&bytes[..9]) {
            return Err(IdentifierError::CheckDigitMismatch {
                kind: IdentifierKind::Siret,
                rule: CheckRule::EmbeddedSirenLuhn,
            });
        }
        if luhn_valid(bytes) {
            return Ok(Self(s));
        }
        if siren == LA_POSTE_SIREN {
            // INSEE: La Poste establishments are numbered so that the digit
            // sum is a multiple of 5 instead of following Luhn (the head
            // office, 35600000000048, does satisfy Luhn and is accepted above).
            let sum: u32 = bytes.iter().map(|b| u32::from(b - b'0')).sum();
            if sum.is_multiple_of(5) {
                return Ok(Self(s));
            }
            return Err(IdentifierError::CheckDigitMismatch {
                kind: IdentifierKind::Siret,
                rule: CheckRule::LaPosteDigitSum,
            });
        }
        Err(IdentifierError::CheckDigitMismatch {
            kind: IdentifierKind::Siret,
            rule: CheckRule::Luhn,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The SIREN of the company owning this establishment.
    pub fn siren(&self) -> Siren {
        // Validated in `parse`, so no re-check is needed.
        Siren(self.0[..9].to_owned())
    }

    /// The 5-digit establishment number (NIC).
    pub fn nic(&self) -> &str {
        &self.0[9..]
    }
}

string_identifier!(Siret);

// ---------------------------------------------------------------------------
// EU VAT number
// ---------------------------------------------------------------------------

type NationalCheck = fn(&[u8]) -> bool;

fn is_letter(b: u8) -> bool {
    b.is_ascii_uppercase()
}

fn is_alnum(b: u8) -> bool {
    b.is_ascii_uppercase() || b.is_ascii_digit()
}

/// French key characters: digits, or letters except O and I (too easily
/// confused with 0 and 1, so the tax administration never issues them).
fn is_fr_key_char(b: u8) -> bool {
    b.is_ascii_digit() || (is_letter(b) && b != b'O' && b != b'I')
}

fn digits_of_len(n: &[u8], lens: &[usize]) -> bool {
    lens.contains(&n.len()) && all_digits(n)
}

/// VIES formats of the national part, per VAT prefix: the canonical prefix
/// (so errors can borrow a `'static` string), a description for messages and
/// the format check. Check digits other than the French key are not verified.
fn vat_rule(prefix: &str) -> Option<(&'static str, &'static str, NationalCheck)> {
    let rule: (&'static str, &'static str, NationalCheck) = match prefix {
        "AT" => ("AT", "'U' and 8 digits", |n| {
            n.len() == 9 && n[0] == b'U' && all_digits(&n[1..])
        }),
        "BE" => ("BE", "10 digits starting with 0 or 1", |n| {
            digits_of_len(n, &[10]) && matches!(n[0], b'0' | b'1')
        }),
        "BG" => ("BG", "9 or 10 digits", |n| digits_of_len(n, &[9, 10])),
        "CY" => ("CY", "8 digits and a letter", |n| {
            n.len() == 9 && all_digits(&n[..8]) && is_letter(n[8])
        }),
        "CZ" => ("CZ", "8, 9 or 10 digits", |n| digits_of_len(n, &[8, 9, 10])),
        "DE" => ("DE", "9 digits", |n| digits_of_len(n, &[9])),
        "DK" => ("DK", "8 digits", |n| digits_of_len(n, &[8])),
        "EE" => ("EE", "9 digits", |n| digits_of_len(n, &[9])),
        "EL" => ("EL", "9 digits", |n| digits_of_len(n, &[9])),
        "ES" => (
            "ES",
            "a letter or digit, 7 digits and a letter or digit, with a letter at one end at least",
            |n| {
                n.len() == 9
                    && is_alnum(n[0])
                    && all_digits(&n[1..8])
                    && is_alnum(n[8])
                    && (is_letter(n[0]) || is_letter(n[8]))
            },
        ),
        "FI" => ("FI", "8 digits", |n| digits_of_len(n, &[8])),
        "FR" => (
            "FR",
            "a 2-character key (digits, or letters other than O and I) and a 9-digit SIREN",
            |n| {
                n.len() == 11 && is_fr_key_char(n[0]) && is_fr_key_char(n[1]) && all_digits(&n[2..])
            },
        ),
        "HR" => ("HR", "11 digits", |n| digits_of_len(n, &[11])),
        "HU" => ("HU", "8 digits", |n| digits_of_len(n, &[8])),
        "IE" => (
            "IE",
            "7 digits and 1 or 2 letters, or a digit, a letter, '+' or '*', 5 digits and a letter",
            |n| match n.len() {
                8 => {
                    (all_digits(&n[..7]) && is_letter(n[7]))
                        || (n[0].is_ascii_digit()
                            && (is_letter(n[1]) || matches!(n[1], b'+' | b'*'))
                            && all_digits(&n[2..7])
                            && is_letter(n[7]))
                }
                9 => all_digits(&n[..7]) && is_letter(n[7]) && is_letter(n[8]),
                _ => false,
            },
        ),
        "IT" => ("IT", "11 digits", |n| digits_of_len(n, &[11])),
        "LT" => ("LT", "9 or 12 digits", |n| digits_of_len(n, &[9, 12])),
        "LU" => ("LU", "8 digits", |n| digits_of_len(n, &[8])),
        "LV" => ("LV", "11 digits", |n| digits_of_len(n, &[11])),
        "MT" => ("MT", "8 digits", |n| digits_of_len(n, &[8])),
        "NL" => ("NL", "9 digits, 'B' and 2 digits", |n| {
            n.len() == 12 && all_digits(&n[..9]) && n[9] == b'B' && all_digits(&n[10..])
        }),
        "PL" => ("PL", "10 digits", |n| digits_of_len(n, &[10])),
        "PT" => ("PT", "9 digits", |n| digits_of_len(n, &[9])),
        "RO" => ("RO", "2 to 10 digits, not starting with 0", |n| {
            (2..=10).contains(&n.len()) && all_digits(n) && n[0] != b'0'
        }),
        "SE" => ("SE", "12 digits", |n| digits_of_len(n, &[12])),
        "SI" => ("SI", "8 digits", |n| digits_of_len(n, &[8])),
        "SK" => ("SK", "10 digits", |n| digits_of_len(n, &[10])),
        "XI" => ("XI", "9 or 12 digits, or GD or HA and 3 digits", |n| {
            digits_of_len(n, &[9, 12])
                || (n.len() == 5
                    && (n.starts_with(b"GD") || n.starts_with(b"HA"))
                    && all_digits(&n[2..]))
        }),
        _ => return None,
    };
    Some(rule)
}

/// EU VAT identification number as accepted by VIES: a 2-letter prefix (EU
/// member state, `EL` for Greece, `XI` for Northern Ireland) followed by the
/// national number in its country-specific format.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct VatNumber(String);

impl VatNumber {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::VatNumber;
        let s = compact(input, false).to_ascii_uppercase();
        if s.is_empty() {
            return Err(IdentifierError::Empty { kind });
        }
        // '+' and '*' only appear in old Irish numbers; the Irish format check
        // decides where they are allowed.
        if !s.bytes().all(|b| is_alnum(b) || matches!(b, b'+' | b'*')) {
            return Err(IdentifierError::InvalidCharacters {
                kind,
                allowed: "letters and digits",
            });
        }
        // ASCII only from here on, so byte slicing is safe.
        if s.len() < 3 {
            return Err(IdentifierError::InvalidLength {
                kind,
                expected: "a 2-letter country prefix followed by the national number",
                found: s.len(),
            });
        }
        let (prefix, national) = s.split_at(2);
        let Some((prefix, expected, check)) = vat_rule(prefix) else {
            return Err(IdentifierError::UnknownVatPrefix {
                prefix: prefix.to_owned(),
            });
        };
        if !check(national.as_bytes()) {
            return Err(IdentifierError::InvalidVatFormat { prefix, expected });
        }
        if prefix == "FR" {
            check_french_key(national)?;
        }
        Ok(Self(s))
    }

    /// Builds the French VAT number of a company from its SIREN.
    pub fn french_from_siren(siren: &Siren) -> VatNumber {
        VatNumber(format!("FR{:02}{}", siren.french_vat_key(), siren.as_str()))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The VAT prefix as written (`EL` for Greece, `XI` for Northern Ireland).
    pub fn country_prefix(&self) -> &str {
        &self.0[..2]
    }

    /// The part after the prefix.
    pub fn national_number(&self) -> &str {
        &self.0[2..]
    }

    /// The ISO country the prefix stands for (`EL` → GR, `XI` → GB).
    pub fn country(&self) -> CountryCode {
        let iso = match self.country_prefix() {
            "EL" => "GR",
            "XI" => "GB",
            other => other,
        };
        CountryCode::parse(iso).expect("every VAT prefix maps to an assigned ISO 3166-1 code")
    }
}

/// For numeric French keys, the 9 digits are a SIREN and the key is derived
/// from it. Keys with letters are issued to entities without a SIREN and use
/// an unpublished scheme, so only their format is checked.
fn check_french_key(national: &str) -> Result<(), IdentifierError> {
    let (key, siren) = national.split_at(2);
    if !all_digits(key.as_bytes()) {
        return Ok(());
    }
    if siren != LA_POSTE_SIREN && !luhn_valid(siren.as_bytes()) {
        return Err(IdentifierError::CheckDigitMismatch {
            kind: IdentifierKind::VatNumber,
            rule: CheckRule::EmbeddedSirenLuhn,
        });
    }
    let expected = french_vat_key_of(siren);
    if key != format!("{expected:02}") {
        return Err(IdentifierError::FrenchVatKeyMismatch {
            siren: siren.to_owned(),
            expected: format!("FR{expected:02}{siren}"),
        });
    }
    Ok(())
}

string_identifier!(VatNumber);

// ---------------------------------------------------------------------------
// LEI
// ---------------------------------------------------------------------------

/// ISO 7064 MOD 97-10 remainder of an alphanumeric string, letters counting
/// as two-digit numbers A=10 … Z=35. Computed incrementally so it never
/// overflows whatever the length.
fn mod97(s: &[u8]) -> u32 {
    s.iter().fold(0u32, |r, &b| {
        if b.is_ascii_digit() {
            (r * 10 + u32::from(b - b'0')) % 97
        } else {
            (r * 100 + u32::from(b - b'A') + 10) % 97
        }
    })
}

/// Legal Entity Identifier (ISO 17442): 18 alphanumeric characters followed
/// by 2 check digits (ISO 7064 MOD 97-10).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct Lei(String);

const LEI_CHARS: &str = "letters and digits";

impl Lei {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::Lei;
        let s = compact(input, false).to_ascii_uppercase();
        if s.is_empty() {
            return Err(IdentifierError::Empty { kind });
        }
        if !s.bytes().all(is_alnum) {
            return Err(IdentifierError::InvalidCharacters {
                kind,
                allowed: LEI_CHARS,
            });
        }
        if s.len() != 20 {
            return Err(IdentifierError::InvalidLength {
                kind,
                expected: "20 characters",
                found: s.len(),
            });
        }
        // Letters in the last two positions would still yield a remainder,
        // but ISO 17442 requires numeric check digits.
        if !all_digits(&s.as_bytes()[18..]) {
            return Err(IdentifierError::InvalidCharacters {
                kind,
                allowed: "letters and digits, the last 2 being check digits",
            });
        }
        if mod97(s.as_bytes()) != 1 {
            return Err(IdentifierError::CheckDigitMismatch {
                kind,
                rule: CheckRule::Iso7064Mod97_10,
            });
        }
        Ok(Self(s))
    }

    /// The two check digits completing an 18-character LEI prefix
    /// (normalised like `parse`), e.g. to build test data.
    pub fn check_digits_for(prefix18: &str) -> Result<String, IdentifierError> {
        let kind = IdentifierKind::Lei;
        let p = compact(prefix18, false).to_ascii_uppercase();
        if !p.bytes().all(is_alnum) {
            return Err(IdentifierError::InvalidCharacters {
                kind,
                allowed: LEI_CHARS,
            });
        }
        if p.len() != 18 {
            return Err(IdentifierError::InvalidLength {
                kind,
                expected: "18 characters before the check digits",
                found: p.len(),
            });
        }
        // Appending "00" multiplies by 100; 98 - r then makes the full
        // number ≡ 1 (mod 97).
        let r = mod97(format!("{p}00").as_bytes());
        Ok(format!("{:02}", 98 - r))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_identifier!(Lei);

// ---------------------------------------------------------------------------
// ISO 3166-1 alpha-2 country code
// ---------------------------------------------------------------------------

/// All 249 officially assigned ISO 3166-1 alpha-2 codes, sorted so lookups can
/// binary-search. Reserved codes (UK, EL, EU, XK…) are deliberately absent.
const ISO_3166_ALPHA2: [&str; 249] = [
    "AD", "AE", "AF", "AG", "AI", "AL", "AM", "AO", "AQ", "AR", "AS", "AT", "AU", "AW", "AX", "AZ",
    "BA", "BB", "BD", "BE", "BF", "BG", "BH", "BI", "BJ", "BL", "BM", "BN", "BO", "BQ", "BR", "BS",
    "BT", "BV", "BW", "BY", "BZ", "CA", "CC", "CD", "CF", "CG", "CH", "CI", "CK", "CL", "CM", "CN",
    "CO", "CR", "CU", "CV", "CW", "CX", "CY", "CZ", "DE", "DJ", "DK", "DM", "DO", "DZ", "EC", "EE",
    "EG", "EH", "ER", "ES", "ET", "FI", "FJ", "FK", "FM", "FO", "FR", "GA", "GB", "GD", "GE", "GF",
    "GG", "GH", "GI", "GL", "GM", "GN", "GP", "GQ", "GR", "GS", "GT", "GU", "GW", "GY", "HK", "HM",
    "HN", "HR", "HT", "HU", "ID", "IE", "IL", "IM", "IN", "IO", "IQ", "IR", "IS", "IT", "JE", "JM",
    "JO", "JP", "KE", "KG", "KH", "KI", "KM", "KN", "KP", "KR", "KW", "KY", "KZ", "LA", "LB", "LC",
    "LI", "LK", "LR", "LS", "LT", "LU", "LV", "LY", "MA", "MC", "MD", "ME", "MF", "MG", "MH", "MK",
    "ML", "MM", "MN", "MO", "MP", "MQ", "MR", "MS", "MT", "MU", "MV", "MW", "MX", "MY", "MZ", "NA",
    "NC", "NE", "NF", "NG", "NI", "NL", "NO", "NP", "NR", "NU", "NZ", "OM", "PA", "PE", "PF", "PG",
    "PH", "PK", "PL", "PM", "PN", "PR", "PS", "PT", "PW", "PY", "QA", "RE", "RO", "RS", "RU", "RW",
    "SA", "SB", "SC", "SD", "SE", "SG", "SH", "SI", "SJ", "SK", "SL", "SM", "SN", "SO", "SR", "SS",
    "ST", "SV", "SX", "SY", "SZ", "TC", "TD", "TF", "TG", "TH", "TJ", "TK", "TL", "TM", "TN", "TO",
    "TR", "TT", "TV", "TW", "TZ", "UA", "UG", "UM", "US", "UY", "UZ", "VA", "VC", "VE", "VG", "VI",
    "VN", "VU", "WF", "WS", "YE", "YT", "ZA", "ZM", "ZW",
];

const EU_MEMBERS: [&str; 27] = [
    "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES", "FI", "FR", "GR", "HR", "HU", "IE", "IT",
    "LT", "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
];

/// EEA members outside the EU.
const EEA_NON_EU: [&str; 3] = ["IS", "LI", "NO"];

/// (code, French label, English label), only for the countries the registry
/// actually deals with; everything else gets `None` rather than a stale
/// hand-maintained name.
const LABELS: [(&str, &str, &str); 41] = [
    ("AT", "Autriche", "Austria"),
    ("BE", "Belgique", "Belgium"),
    ("BG", "Bulgarie", "Bulgaria"),
    ("CY", "Chypre", "Cyprus"),
    ("CZ", "Tchéquie", "Czechia"),
    ("DE", "Allemagne", "Germany"),
    ("DK", "Danemark", "Denmark"),
    ("EE", "Estonie", "Estonia"),
    ("ES", "Espagne", "Spain"),
    ("FI", "Finlande", "Finland"),
    ("FR", "France", "France"),
    ("GR", "Grèce", "Greece"),
    ("HR", "Croatie", "Croatia"),
    ("HU", "Hongrie", "Hungary"),
    ("IE", "Irlande", "Ireland"),
    ("IT", "Italie", "Italy"),
    ("LT", "Lituanie", "Lithuania"),
    ("LU", "Luxembourg", "Luxembourg"),
    ("LV", "Lettonie", "Latvia"),
    ("MT", "Malte", "Malta"),
    ("NL", "Pays-Bas", "Netherlands"),
    ("PL", "Pologne", "Poland"),
    ("PT", "Portugal", "Portugal"),
    ("RO", "Roumanie", "Romania"),
    ("SE", "Suède", "Sweden"),
    ("SI", "Slovénie", "Slovenia"),
    ("SK", "Slovaquie", "Slovakia"),
    ("IS", "Islande", "Iceland"),
    ("LI", "Liechtenstein", "Liechtenstein"),
    ("NO", "Norvège", "Norway"),
    ("CH", "Suisse", "Switzerland"),
    ("GB", "Royaume-Uni", "United Kingdom"),
    ("US", "États-Unis", "United States"),
    ("CA", "Canada", "Canada"),
    ("CN", "Chine", "China"),
    ("IL", "Israël", "Israel"),
    ("JP", "Japon", "Japan"),
    ("IN", "Inde", "India"),
    ("SG", "Singapour", "Singapore"),
    ("AU", "Australie", "Australia"),
    ("KR", "Corée du Sud", "South Korea"),
];

/// ISO 3166-1 alpha-2 country code, restricted to officially assigned codes.
///
/// Stored as an index into the sorted code table: `Copy`, allocation-free,
/// and ordering by index is alphabetical. (A `&'static str` field would make
/// serde's derive require `'de: 'static`.)
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Deserialize)]
#[serde(try_from = "String")]
pub struct CountryCode(u8);

impl fmt::Debug for CountryCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CountryCode").field(&self.as_str()).finish()
    }
}

impl CountryCode {
    pub fn parse(input: &str) -> Result<Self, IdentifierError> {
        let kind = IdentifierKind::CountryCode;
        let s = compact(input, false).to_ascii_uppercase();
        if s.is_empty() {
            return Err(IdentifierError::Empty { kind });
        }
        if !s.bytes().all(is_letter) {
            return Err(IdentifierError::InvalidCharacters {
                kind,
                allowed: "letters",
            });
        }
        if s.len() != 2 {
            return Err(IdentifierError::InvalidLength {
                kind,
                expected: "2 letters",
                found: s.len(),
            });
        }
        match ISO_3166_ALPHA2.binary_search(&s.as_str()) {
            // The table has 249 entries, so the index fits in a u8.
            Ok(i) => Ok(Self(i as u8)),
            Err(_) => Err(IdentifierError::UnknownCountry { code: s }),
        }
    }

    pub fn as_str(&self) -> &'static str {
        ISO_3166_ALPHA2[usize::from(self.0)]
    }

    /// Member of the European Union (EU27).
    pub fn is_eu_member(&self) -> bool {
        EU_MEMBERS.contains(&self.as_str())
    }

    /// Member of the European Economic Area (EU27 + Iceland, Liechtenstein, Norway).
    pub fn is_eea(&self) -> bool {
        self.is_eu_member() || EEA_NON_EU.contains(&self.as_str())
    }

    /// French name, for EU/EEA countries and a few major partners only.
    pub fn label_fr(&self) -> Option<&'static str> {
        self.label().map(|(_, fr, _)| fr)
    }

    /// English name, for EU/EEA countries and a few major partners only.
    pub fn label_en(&self) -> Option<&'static str> {
        self.label().map(|(_, _, en)| en)
    }

    fn label(&self) -> Option<(&'static str, &'static str, &'static str)> {
        LABELS
            .iter()
            .copied()
            .find(|(code, _, _)| *code == self.as_str())
    }
}

string_identifier!(CountryCode);

// ---------------------------------------------------------------------------
// Tests
// ---------------------------------------------------------------------------

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Real SIRENs and the French VAT numbers derived from them.
    const REAL_SIRENS: [(&str, &str, &str); 5] = [
        ("424761419", "OVH SAS", "FR22424761419"),
        ("433115904", "Scaleway", "FR35433115904"),
        ("527594493", "3DS Outscale", "FR56527594493"),
        ("524172699", "Clever Cloud", "FR87524172699"),
        ("356000000", "La Poste", "FR39356000000"),
    ];

    /// Real LEIs whose owners are well known.
    const REAL_LEIS: [(&str, &str); 5] = [
        ("529900T8BM49AURSDO55", "Siemens AG"),
        ("506700GE1G29325QX363", "GLEIF"),
        ("HWUPKR0MPOU8FGXBT394", "Apple Inc."),
        ("7LTWFZYICNSX8D621K86", "Deutsche Bank AG"),
        ("R0MUWSFPU8MPRO8K5P83", "BNP Paribas"),
    ];

    fn luhn_check_digit(prefix: &str) -> char {
        // Appending 0 and looking at the remainder gives the digit to add.
        let with_zero = format!("{prefix}0");
        let r = luhn_remainder(with_zero.as_bytes());
        char::from(b'0' + ((10 - r) % 10) as u8)
    }

    fn replace_char(s: &str, i: usize, c: char) -> String {
        s.chars()
            .enumerate()
            .map(|(j, old)| if j == i { c } else { old })
            .collect()
    }

    /// Every string obtained by changing exactly one digit.
    fn single_digit_changes(s: &str) -> Vec<String> {
        let mut out = Vec::new();
        for (i, old) in s.chars().enumerate() {
            for d in '0'..='9' {
                if d != old {
                    out.push(replace_char(s, i, d));
                }
            }
        }
        out
    }

    fn hamming(a: &str, b: &str) -> usize {
        a.bytes().zip(b.bytes()).filter(|(x, y)| x != y).count()
    }

    fn code_of<T: fmt::Debug>(r: Result<T, IdentifierError>) -> &'static str {
        r.expect_err("expected a parse error").code()
    }

    // ---- SIREN ------------------------------------------------------------

    #[test]
    fn real_sirens_parse() {
        for (siren, who, _) in REAL_SIRENS {
            let s = Siren::parse(siren).unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(s.as_str(), siren);
            assert_eq!(s.to_string(), siren);
            assert_eq!(s.is_la_poste(), siren == LA_POSTE_SIREN);
        }
    }

    #[test]
    fn real_sirens_reject_single_digit_alterations() {
        for (siren, who, _) in REAL_SIRENS {
            for altered in single_digit_changes(siren) {
                assert_eq!(
                    code_of(Siren::parse(&altered)),
                    "check_digit_mismatch",
                    "{who}: {altered} should be rejected"
                );
            }
        }
    }

    #[test]
    fn la_poste_siren_happens_to_satisfy_luhn() {
        // Documented so nobody "fixes" the explicit exception thinking it is
        // load-bearing for the SIREN: it matters for La Poste SIRETs only.
        assert!(luhn_valid(LA_POSTE_SIREN.as_bytes()));
    }

    #[test]
    fn siren_normalisation() {
        for input in [
            "424 761 419",
            " 424761419 ",
            "424.761.419",
            "424\u{a0}761\u{a0}419",
            "424\u{202f}761\u{202f}419",
            "\t424761419\n",
        ] {
            assert_eq!(
                Siren::parse(input).unwrap().as_str(),
                "424761419",
                "{input:?}"
            );
        }
    }

    #[test]
    fn siren_errors() {
        let cases = [
            ("", "empty", "SIREN is empty"),
            ("   ", "empty", "SIREN is empty"),
            (
                "42476141",
                "invalid_length",
                "SIREN must be 9 digits (length 8)",
            ),
            (
                "4247614190",
                "invalid_length",
                "SIREN must be 9 digits (length 10)",
            ),
            (
                "42476141A",
                "invalid_characters",
                "SIREN must contain only digits",
            ),
            (
                "424-761-419",
                "invalid_characters",
                "SIREN must contain only digits",
            ),
            (
                "４２４７６１４１９",
                "invalid_characters",
                "SIREN must contain only digits",
            ),
            (
                "424761418",
                "check_digit_mismatch",
                "SIREN check digit (Luhn) does not match",
            ),
        ];
        for (input, code, message) in cases {
            let err = Siren::parse(input).unwrap_err();
            assert_eq!(err.code(), code, "{input:?}");
            assert_eq!(err.to_string(), message, "{input:?}");
            assert_eq!(err.kind(), IdentifierKind::Siren);
        }
    }

    #[test]
    fn french_vat_keys_of_real_sirens() {
        for (siren, who, vat) in REAL_SIRENS {
            let s = Siren::parse(siren).unwrap();
            assert_eq!(format!("FR{:02}{siren}", s.french_vat_key()), vat, "{who}");
            assert_eq!(VatNumber::french_from_siren(&s).as_str(), vat, "{who}");
        }
    }

    // ---- SIRET ------------------------------------------------------------

    #[test]
    fn real_sirets_parse() {
        // OVH head office (Roubaix), and La Poste head office and an
        // establishment following the digit-sum rule.
        let cases = [
            ("42476141900045", "424761419", "00045"),
            ("35600000000048", "356000000", "00048"),
        ];
        for (siret, siren, nic) in cases {
            let s = Siret::parse(siret).unwrap_or_else(|e| panic!("{siret}: {e}"));
            assert_eq!(s.siren().as_str(), siren);
            assert_eq!(s.nic(), nic);
        }
    }

    #[test]
    fn la_poste_siret_digit_sum_rule() {
        // 3+5+6 = 14; NIC 12341 → 14+11 = 25, a multiple of 5, and Luhn
        // fails for it, so only the La Poste rule can accept it.
        assert!(!luhn_valid(b"35600000012341"));
        assert!(Siret::parse("35600000012341").is_ok());
        // NIC 12342 → 26: neither rule holds.
        assert!(!luhn_valid(b"35600000012342"));
        let err = Siret::parse("35600000012342").unwrap_err();
        assert_eq!(err.code(), "check_digit_mismatch");
        assert_eq!(
            err.to_string(),
            "SIRET check (La Poste rule: sum of the 14 digits must be a multiple of 5) does not match"
        );
        // The digit-sum rule is La Poste's only: another SIREN with a digit
        // sum of 45 is still held to Luhn.
        let other = "42476141900043";
        assert_eq!(
            other.bytes().map(|b| u32::from(b - b'0')).sum::<u32>() % 5,
            0
        );
        assert!(!luhn_valid(other.as_bytes()));
        assert_eq!(
            Siret::parse(other).unwrap_err().to_string(),
            "SIRET check digit (Luhn) does not match"
        );
    }

    #[test]
    fn siret_normalisation() {
        for input in [
            "424 761 419 00045",
            "424.761.419.00045",
            "424\u{a0}761\u{a0}419\u{a0}00045",
        ] {
            assert_eq!(Siret::parse(input).unwrap().as_str(), "42476141900045");
        }
    }

    #[test]
    fn siret_errors() {
        // Build a SIRET whose overall Luhn holds but whose SIREN part does
        // not, to exercise the embedded-SIREN rule on its own.
        let bad_siren_prefix = "4247614180004";
        let bad_siren = format!("{bad_siren_prefix}{}", luhn_check_digit(bad_siren_prefix));
        assert!(luhn_valid(bad_siren.as_bytes()));
        let cases = [
            ("", "empty", "SIRET is empty".to_owned()),
            (
                "424761419",
                "invalid_length",
                "SIRET must be 14 digits (length 9)".to_owned(),
            ),
            (
                "4247614190004X",
                "invalid_characters",
                "SIRET must contain only digits".to_owned(),
            ),
            (
                "42476141900046",
                "check_digit_mismatch",
                "SIRET check digit (Luhn) does not match".to_owned(),
            ),
            (
                bad_siren.as_str(),
                "check_digit_mismatch",
                "SIRET SIREN part check digit (Luhn) does not match".to_owned(),
            ),
        ];
        for (input, code, message) in cases {
            let err = Siret::parse(input).unwrap_err();
            assert_eq!(err.code(), code, "{input:?}");
            assert_eq!(err.to_string(), message, "{input:?}");
        }
    }

    // ---- VAT --------------------------------------------------------------

    #[test]
    fn real_french_vat_numbers_parse() {
        for (siren, who, vat) in REAL_SIRENS {
            let v = VatNumber::parse(vat).unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(v.country_prefix(), "FR");
            assert_eq!(&v.national_number()[2..], siren);
            assert_eq!(v.country().as_str(), "FR");
        }
    }

    #[test]
    fn real_french_vat_numbers_reject_single_digit_alterations() {
        for (_, who, vat) in REAL_SIRENS {
            let national = &vat[2..];
            for altered in single_digit_changes(national) {
                let input = format!("FR{altered}");
                assert_eq!(
                    code_of(VatNumber::parse(&input)),
                    "check_digit_mismatch",
                    "{who}: {input}"
                );
            }
        }
    }

    #[test]
    fn vat_normalisation() {
        for input in [
            "fr 22 424 761 419",
            " FR22424761419 ",
            "Fr22\u{a0}424761419",
        ] {
            assert_eq!(VatNumber::parse(input).unwrap().as_str(), "FR22424761419");
        }
        assert_eq!(
            VatNumber::parse("nl 123456789 b01").unwrap().as_str(),
            "NL123456789B01"
        );
    }

    #[test]
    fn vat_formats_per_country() {
        // Format-only samples (not real companies): one accepted value per
        // prefix and variant.
        let valid = [
            "ATU12345678",
            "BE0123456789",
            "BE1123456789",
            "BG123456789",
            "BG1234567890",
            "CY12345678L",
            "CZ12345678",
            "CZ123456789",
            "CZ1234567890",
            "DE123456789",
            "DK12345678",
            "EE123456789",
            "EL123456789",
            "ESA1234567B",
            "ESX1234567L",
            "ES12345678Z",
            "ESA12345678",
            "FI12345678",
            "FRAB123456789",
            "FR1A123456789",
            "HR12345678901",
            "HU12345678",
            "IE1234567T",
            "IE1234567WA",
            "IE1A23456T",
            "IE1+23456T",
            "IE1*23456T",
            "IT12345678901",
            "LT123456789",
            "LT123456789012",
            "LU12345678",
            "LV12345678901",
            "MT12345678",
            "NL123456789B01",
            "PL1234567890",
            "PT123456789",
            "RO12",
            "RO1234567890",
            "SE123456789001",
            "SI12345678",
            "SK1234567890",
            "XI123456789",
            "XI123456789012",
            "XIGD123",
            "XIHA123",
        ];
        for v in valid {
            let parsed = VatNumber::parse(v).unwrap_or_else(|e| panic!("{v}: {e}"));
            assert_eq!(parsed.as_str(), v);
        }
        let invalid = [
            "AT12345678",
            "ATU1234567",
            "BE2123456789",
            "BE012345678",
            "BG12345678",
            "CY123456789",
            "CZ1234567",
            "DE12345678",
            "DK123456789",
            "EE12345678",
            "EL12345678",
            "ES123456789",
            "ESAB234567C",
            "FI1234567",
            "FROA123456789",
            "FRAI123456789",
            "FR22424761419A",
            "HR1234567890",
            "HU1234567",
            "IE12345678",
            "IE1234567W12",
            "IE1+2345TT",
            "IT1234567890",
            "LT1234567890",
            "LU123456789",
            "LV1234567890",
            "MT1234567",
            "NL123456789A01",
            "NL123456789B1",
            "PL123456789",
            "PT12345678",
            "RO1",
            "RO0123",
            "RO12345678901",
            "SE12345678901",
            "SI1234567",
            "SK123456789",
            "XI12345678",
            "XIGD1234",
            "XIAB123",
        ];
        for v in invalid {
            let err = VatNumber::parse(v).unwrap_err();
            assert_eq!(err.code(), "invalid_format", "{v}: {err}");
        }
    }

    #[test]
    fn vat_errors() {
        let cases = [
            ("", "empty", "VAT number is empty"),
            (
                "FR",
                "invalid_length",
                "VAT number must be a 2-letter country prefix followed by the national number (length 2)",
            ),
            (
                "FR22-424761419",
                "invalid_characters",
                "VAT number must contain only letters and digits",
            ),
            (
                "GR123456789",
                "unknown_vat_prefix",
                "'GR' is not an EU VAT prefix (expected an EU member state code, EL for Greece or XI for Northern Ireland)",
            ),
            (
                "GB123456789",
                "unknown_vat_prefix",
                "'GB' is not an EU VAT prefix (expected an EU member state code, EL for Greece or XI for Northern Ireland)",
            ),
            (
                "12345678901",
                "unknown_vat_prefix",
                "'12' is not an EU VAT prefix (expected an EU member state code, EL for Greece or XI for Northern Ireland)",
            ),
            (
                "DE12345678",
                "invalid_format",
                "VAT number for DE must be DE followed by 9 digits",
            ),
            (
                "FR17424761419",
                "check_digit_mismatch",
                "French VAT key does not match SIREN 424761419 (expected FR22424761419)",
            ),
            (
                "FR22424761418",
                "check_digit_mismatch",
                "VAT number SIREN part check digit (Luhn) does not match",
            ),
        ];
        for (input, code, message) in cases {
            let err = VatNumber::parse(input).unwrap_err();
            assert_eq!(err.code(), code, "{input:?}");
            assert_eq!(err.to_string(), message, "{input:?}");
            assert_eq!(err.kind(), IdentifierKind::VatNumber, "{input:?}");
        }
    }

    #[test]
    fn vat_country_mapping() {
        assert_eq!(
            VatNumber::parse("EL123456789").unwrap().country().as_str(),
            "GR"
        );
        assert_eq!(
            VatNumber::parse("XI123456789").unwrap().country().as_str(),
            "GB"
        );
        assert_eq!(
            VatNumber::parse("DE123456789").unwrap().country().as_str(),
            "DE"
        );
        // Every accepted prefix must map to a real country code (country()
        // would panic otherwise).
        for prefix in EU_MEMBERS
            .iter()
            .map(|&c| if c == "GR" { "EL" } else { c })
            .chain(["XI"])
        {
            let (canonical, _, _) = vat_rule(prefix).unwrap_or_else(|| panic!("{prefix}"));
            assert_eq!(canonical, prefix);
            let iso = match prefix {
                "EL" => "GR",
                "XI" => "GB",
                p => p,
            };
            assert!(CountryCode::parse(iso).unwrap().is_eu_member() || prefix == "XI");
        }
    }

    // ---- LEI --------------------------------------------------------------

    #[test]
    fn real_leis_parse() {
        for (lei, who) in REAL_LEIS {
            let l = Lei::parse(lei).unwrap_or_else(|e| panic!("{who}: {e}"));
            assert_eq!(l.as_str(), lei);
            assert_eq!(
                Lei::check_digits_for(&lei[..18]).unwrap(),
                &lei[18..],
                "{who}"
            );
        }
    }

    #[test]
    fn real_leis_reject_single_digit_alterations() {
        for (lei, who) in REAL_LEIS {
            for (i, old) in lei.chars().enumerate() {
                if !old.is_ascii_digit() {
                    continue;
                }
                for d in '0'..='9' {
                    if d != old {
                        let altered = replace_char(lei, i, d);
                        assert_eq!(
                            code_of(Lei::parse(&altered)),
                            "check_digit_mismatch",
                            "{who}: {altered}"
                        );
                    }
                }
            }
        }
    }

    #[test]
    fn computed_lei_examples() {
        // Real-format prefixes: 4-char LOU prefix, "00", 12-char entity part.
        for prefix in [
            "969500ABCDEFGH123456",
            "5493001KJTIIGC8Y1R12",
            "213800XYZ123ABC45678",
        ]
        .map(|p| &p[..18])
        {
            let check = Lei::check_digits_for(prefix).unwrap();
            assert_eq!(check.len(), 2);
            let lei = format!("{prefix}{check}");
            assert!(Lei::parse(&lei).is_ok(), "{lei}");
            assert!(Lei::parse(&lei.to_lowercase()).is_ok(), "{lei}");
        }
    }

    #[test]
    fn lei_normalisation() {
        assert_eq!(
            Lei::parse(" 5299 00t8 bm49 aurs do55 ").unwrap().as_str(),
            "529900T8BM49AURSDO55"
        );
    }

    #[test]
    fn lei_errors() {
        let cases = [
            ("", "empty", "LEI is empty"),
            (
                "529900T8BM49AURSDO5",
                "invalid_length",
                "LEI must be 20 characters (length 19)",
            ),
            (
                "529900T8BM49-URSDO55",
                "invalid_characters",
                "LEI must contain only letters and digits",
            ),
            (
                "529900T8BM49AURSDOAB",
                "invalid_characters",
                "LEI must contain only letters and digits, the last 2 being check digits",
            ),
            (
                "529900T8BM49AURSDO56",
                "check_digit_mismatch",
                "LEI check digits (ISO 7064 MOD 97-10) do not match",
            ),
        ];
        for (input, code, message) in cases {
            let err = Lei::parse(input).unwrap_err();
            assert_eq!(err.code(), code, "{input:?}");
            assert_eq!(err.to_string(), message, "{input:?}");
        }
        assert_eq!(
            code_of(Lei::check_digits_for("529900T8BM49AURSD")),
            "invalid_length"
        );
        assert_eq!(
            code_of(Lei::check_digits_for("529900T8BM49AURSD_")),
            "invalid_characters"
        );
    }

    #[test]
    fn lei_cross_class_substitution_is_not_always_detected() {
        // MOD 97-10 catches every same-class substitution, but a digit↔letter
        // swap shifts the expanded number by one place and can collide. This
        // pins that limitation down so the property tests stay honest.
        let mut found = None;
        'search: for i in 0..1000u32 {
            let prefix = format!("969500{i:012}");
            let lei = format!("{prefix}{}", Lei::check_digits_for(&prefix).unwrap());
            for pos in 6..18 {
                for letter in 'A'..='Z' {
                    let altered = replace_char(&lei, pos, letter);
                    if Lei::parse(&altered).is_ok() {
                        found = Some((lei, altered));
                        break 'search;
                    }
                }
            }
        }
        assert!(found.is_some());
    }

    // ---- Country codes ----------------------------------------------------

    #[test]
    fn country_table_is_sorted_and_unique() {
        assert!(ISO_3166_ALPHA2.windows(2).all(|w| w[0] < w[1]));
        assert_eq!(ISO_3166_ALPHA2.len(), 249);
        for c in EU_MEMBERS
            .iter()
            .chain(&EEA_NON_EU)
            .chain(LABELS.iter().map(|(c, _, _)| c))
        {
            assert!(ISO_3166_ALPHA2.contains(c), "{c}");
        }
    }

    #[test]
    fn country_parse_and_normalise() {
        assert_eq!(CountryCode::parse("fr").unwrap().as_str(), "FR");
        assert_eq!(CountryCode::parse(" de ").unwrap().as_str(), "DE");
        assert_eq!(CountryCode::parse("Aq").unwrap().as_str(), "AQ");
    }

    #[test]
    fn country_errors() {
        let cases = [
            ("", "empty", "country code is empty"),
            (
                "FRA",
                "invalid_length",
                "country code must be 2 letters (length 3)",
            ),
            (
                "F1",
                "invalid_characters",
                "country code must contain only letters",
            ),
            (
                "XX",
                "unknown_country",
                "unknown ISO 3166-1 alpha-2 country code 'XX'",
            ),
            (
                "uk",
                "unknown_country",
                "unknown ISO 3166-1 alpha-2 country code 'UK'",
            ),
            (
                "EL",
                "unknown_country",
                "unknown ISO 3166-1 alpha-2 country code 'EL'",
            ),
            (
                "EU",
                "unknown_country",
                "unknown ISO 3166-1 alpha-2 country code 'EU'",
            ),
        ];
        for (input, code, message) in cases {
            let err = CountryCode::parse(input).unwrap_err();
            assert_eq!(err.code(), code, "{input:?}");
            assert_eq!(err.to_string(), message, "{input:?}");
            assert_eq!(err.kind(), IdentifierKind::CountryCode);
        }
    }

    #[test]
    fn country_membership_and_labels() {
        let c = |s| CountryCode::parse(s).unwrap();
        assert_eq!(
            ISO_3166_ALPHA2
                .iter()
                .filter(|s| c(s).is_eu_member())
                .count(),
            27
        );
        assert_eq!(ISO_3166_ALPHA2.iter().filter(|s| c(s).is_eea()).count(), 30);
        assert!(c("FR").is_eu_member() && c("FR").is_eea());
        assert!(!c("NO").is_eu_member() && c("NO").is_eea());
        assert!(!c("CH").is_eea() && !c("GB").is_eu_member());
        assert_eq!(c("DE").label_fr(), Some("Allemagne"));
        assert_eq!(c("DE").label_en(), Some("Germany"));
        assert_eq!(c("KR").label_fr(), Some("Corée du Sud"));
        assert_eq!(c("BR").label_fr(), None);
        assert_eq!(c("BR").label_en(), None);
        // Every EEA country has labels.
        for s in ISO_3166_ALPHA2.iter().filter(|s| c(s).is_eea()) {
            assert!(
                c(s).label_fr().is_some() && c(s).label_en().is_some(),
                "{s}"
            );
        }
    }

    // ---- Traits and serde -------------------------------------------------

    #[test]
    fn from_str_and_try_from() {
        let s: Siren = "424 761 419".parse().unwrap();
        assert_eq!(s, Siren::try_from("424761419").unwrap());
        assert_eq!(s, Siren::try_from(String::from("424761419")).unwrap());
        assert_eq!(String::from(s.clone()), "424761419");
        assert_eq!(s.as_ref(), "424761419");
        assert!("xx".parse::<CountryCode>().is_err());
        let v: VatNumber = "fr22424761419".parse().unwrap();
        assert_eq!(v.to_string(), "FR22424761419");
    }

    #[test]
    fn serde_round_trips_as_normalised_strings() {
        let siren = Siren::parse("424 761 419").unwrap();
        assert_eq!(serde_json::to_string(&siren).unwrap(), "\"424761419\"");
        let back: Siren = serde_json::from_str("\"424 761 419\"").unwrap();
        assert_eq!(back, siren);

        let siret: Siret = serde_json::from_str("\"42476141900045\"").unwrap();
        assert_eq!(serde_json::to_value(&siret).unwrap(), "42476141900045");
        let vat: VatNumber = serde_json::from_str("\"fr22424761419\"").unwrap();
        assert_eq!(serde_json::to_value(&vat).unwrap(), "FR22424761419");
        let lei: Lei = serde_json::from_str("\"529900t8bm49aursdo55\"").unwrap();
        assert_eq!(serde_json::to_value(&lei).unwrap(), "529900T8BM49AURSDO55");
        let cc: CountryCode = serde_json::from_str("\"fr\"").unwrap();
        assert_eq!(serde_json::to_value(cc).unwrap(), "FR");
    }

    #[test]
    fn serde_rejects_invalid_with_rule_message() {
        let err = serde_json::from_str::<Siren>("\"424761418\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("SIREN check digit (Luhn) does not match"),
            "{err}"
        );
        let err = serde_json::from_str::<CountryCode>("\"XX\"").unwrap_err();
        assert!(
            err.to_string()
                .contains("unknown ISO 3166-1 alpha-2 country code 'XX'"),
            "{err}"
        );
        // Non-string JSON is rejected by serde before our parser runs.
        assert!(serde_json::from_str::<Siren>("424761419").is_err());
    }

    // ---- Property tests ---------------------------------------------------

    fn siren_strategy() -> impl Strategy<Value = String> {
        "[0-9]{8}".prop_map(|p| {
            let d = luhn_check_digit(&p);
            format!("{p}{d}")
        })
    }

    /// SIRETs whose SIREN part is at least 2 digits away from La Poste's, so
    /// no single-digit change can land in the La Poste digit-sum rule.
    fn non_la_poste_siret_strategy() -> impl Strategy<Value = String> {
        (siren_strategy(), "[0-9]{4}")
            .prop_filter("too close to La Poste", |(siren, _)| {
                hamming(siren, LA_POSTE_SIREN) >= 2
            })
            .prop_map(|(siren, nic4)| {
                let prefix = format!("{siren}{nic4}");
                let d = luhn_check_digit(&prefix);
                format!("{prefix}{d}")
            })
    }

    fn lei_strategy() -> impl Strategy<Value = String> {
        "[A-Z0-9]{18}".prop_map(|p| {
            let check = Lei::check_digits_for(&p).unwrap();
            format!("{p}{check}")
        })
    }

    proptest! {
        #[test]
        fn prop_luhn_completed_siren_parses(siren in siren_strategy()) {
            let parsed = Siren::parse(&siren).unwrap();
            prop_assert_eq!(parsed.as_str(), siren.as_str());
        }

        #[test]
        fn prop_siren_single_digit_change_fails(siren in siren_strategy(), pos in 0usize..9, delta in 1u8..10) {
            // Luhn catches every single-digit substitution, and La Poste's
            // SIREN is itself Luhn-valid, so no exclusion is needed here.
            let old = siren.as_bytes()[pos] - b'0';
            let new = char::from(b'0' + (old + delta) % 10);
            let altered = replace_char(&siren, pos, new);
            prop_assert_eq!(code_of(Siren::parse(&altered)), "check_digit_mismatch");
        }

        #[test]
        fn prop_siret_parses_and_exposes_siren(siret in non_la_poste_siret_strategy()) {
            let parsed = Siret::parse(&siret).unwrap();
            prop_assert_eq!(parsed.siren().as_str().to_owned(), &siret[..9]);
            prop_assert_eq!(parsed.nic(), &siret[9..]);
        }

        #[test]
        fn prop_siret_single_digit_change_fails(siret in non_la_poste_siret_strategy(), pos in 0usize..14, delta in 1u8..10) {
            let old = siret.as_bytes()[pos] - b'0';
            let new = char::from(b'0' + (old + delta) % 10);
            let altered = replace_char(&siret, pos, new);
            prop_assert_eq!(code_of(Siret::parse(&altered)), "check_digit_mismatch");
        }

        #[test]
        fn prop_la_poste_digit_sum_siret_parses(nic4 in "[0-9]{4}") {
            let prefix = format!("{LA_POSTE_SIREN}{nic4}");
            let partial: u32 = prefix.bytes().map(|b| u32::from(b - b'0')).sum();
            // Pick the last digit that brings the sum to a multiple of 5.
            let last = (5 - partial % 5) % 5;
            let siret = format!("{prefix}{last}");
            prop_assert!(Siret::parse(&siret).is_ok(), "{}", siret);
        }

        #[test]
        fn prop_french_vat_round_trips(siren in siren_strategy()) {
            let s = Siren::parse(&siren).unwrap();
            let vat = VatNumber::french_from_siren(&s);
            let reparsed = VatNumber::parse(vat.as_str()).unwrap();
            prop_assert_eq!(&reparsed, &vat);
            prop_assert_eq!(reparsed.country_prefix(), "FR");
            prop_assert_eq!(&reparsed.national_number()[2..], siren.as_str());
        }

        #[test]
        fn prop_french_vat_wrong_key_fails(siren in siren_strategy(), delta in 1u8..97) {
            let s = Siren::parse(&siren).unwrap();
            let wrong = (s.french_vat_key() + delta) % 97;
            let input = format!("FR{wrong:02}{siren}");
            prop_assert_eq!(code_of(VatNumber::parse(&input)), "check_digit_mismatch");
        }

        #[test]
        fn prop_lei_with_computed_check_digits_parses(lei in lei_strategy()) {
            let parsed = Lei::parse(&lei).unwrap();
            prop_assert_eq!(parsed.as_str(), lei.as_str());
        }

        #[test]
        fn prop_lei_same_class_single_char_change_fails(
            lei in lei_strategy(),
            pos in 0usize..20,
            digit_shift in 1u8..10,
            letter_shift in 1u8..26,
        ) {
            // Same-class substitutions (digit→digit, letter→letter) are the
            // ones MOD 97-10 guarantees to detect; see
            // `lei_cross_class_substitution_is_not_always_detected`.
            let old = lei.as_bytes()[pos];
            let new = if old.is_ascii_digit() {
                b'0' + (old - b'0' + digit_shift) % 10
            } else {
                b'A' + (old - b'A' + letter_shift) % 26
            };
            let altered = replace_char(&lei, pos, char::from(new));
            prop_assert_eq!(code_of(Lei::parse(&altered)), "check_digit_mismatch");
        }

        #[test]
        fn prop_parse_display_round_trip(
            siren in siren_strategy(),
            siret in non_la_poste_siret_strategy(),
            lei in lei_strategy(),
            country_index in 0usize..249,
        ) {
            // `format!` goes through `Display`, which is what is under test
            // (as opposed to `as_str`).
            let s = Siren::parse(&siren).unwrap();
            prop_assert_eq!(Siren::parse(&format!("{s}")).unwrap(), s.clone());
            let t = Siret::parse(&siret).unwrap();
            prop_assert_eq!(Siret::parse(&format!("{t}")).unwrap(), t);
            let v = VatNumber::french_from_siren(&s);
            prop_assert_eq!(VatNumber::parse(&format!("{v}")).unwrap(), v);
            let l = Lei::parse(&lei).unwrap();
            prop_assert_eq!(Lei::parse(&format!("{l}")).unwrap(), l);
            let c = CountryCode::parse(ISO_3166_ALPHA2[country_index]).unwrap();
            prop_assert_eq!(CountryCode::parse(&format!("{c}")).unwrap(), c);
        }

        #[test]
        fn prop_parse_never_panics(input in "\\PC{0,30}") {
            let _ = Siren::parse(&input);
            let _ = Siret::parse(&input);
            let _ = VatNumber::parse(&input);
            let _ = Lei::parse(&input);
            let _ = CountryCode::parse(&input);
        }
    }
}
