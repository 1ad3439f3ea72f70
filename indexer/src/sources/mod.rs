//! Official qualification sources (ANSSI first): fetch, parse, validate, diff, apply, record.
