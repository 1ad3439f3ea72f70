//! Registre benchmark: generates corpora and measures search against baselines in one run.
fn main() {}
