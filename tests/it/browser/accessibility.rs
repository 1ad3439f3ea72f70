//! axe-core (vendored in `axe/` by `scripts/update-axe`) run inside the page by WebDriver: the page's
//! Content-Security-Policy forbids inline scripts, but a script WebDriver executes runs in the page
//! regardless, so the pages need no exception for the test.

use anyhow::{Context, Result, bail};
use serde_json::Value;

use super::harness::Browser;

const AXE: &str = include_str!("axe/axe.min.js");

/// The WCAG 2.0 and 2.1 levels A and AA rules (RGAA 4 follows WCAG 2.1 AA).
const TAGS: &[&str] = &["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];

/// One rule failed on a page, with every element at fault.
#[derive(Debug)]
pub struct Violation {
    pub rule: String,
    pub impact: String,
    pub help: String,
    pub help_url: String,
    pub targets: Vec<String>,
}

impl Violation {
    /// serious or critical: the level at which issue 3 asks for zero.
    pub fn blocks(&self) -> bool {
        matches!(self.impact.as_str(), "serious" | "critical")
    }
}

impl std::fmt::Display for Violation {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} ({}): {} — {} — {}",
            self.rule,
            self.impact,
            self.help,
            self.targets.join(", "),
            self.help_url
        )
    }
}

/// Runs axe on the current page and returns every violation of the WCAG A/AA rules.
pub async fn check(browser: &Browser) -> Result<Vec<Violation>> {
    let present = browser
        .script("return typeof window.axe === 'object'", vec![])
        .await?;
    if present != Value::Bool(true) {
        browser.script(AXE, vec![]).await.context("injecting axe")?;
        let injected = browser
            .script("return typeof window.axe?.run === 'function'", vec![])
            .await?;
        if injected != Value::Bool(true) {
            bail!("axe-core could not be injected into the page");
        }
    }
    let result = browser
        .script_async(
            "const done = arguments[arguments.length - 1];
             axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, resultTypes: ['violations']})
               .then(r => done(r.violations.map(v => ({
                   rule: v.id, impact: v.impact || '', help: v.help, helpUrl: v.helpUrl,
                   targets: v.nodes.map(n => n.target.join(' '))}))))
               .catch(e => done({error: String(e)}));",
            vec![serde_json::json!(TAGS)],
        )
        .await?;
    if let Some(error) = result.get("error") {
        bail!("axe.run failed: {error}");
    }
    let text = |v: &Value, key: &str| v[key].as_str().unwrap_or_default().to_owned();
    Ok(result
        .as_array()
        .context("axe.run returned no list")?
        .iter()
        .map(|v| Violation {
            rule: text(v, "rule"),
            impact: text(v, "impact"),
            help: text(v, "help"),
            help_url: text(v, "helpUrl"),
            targets: v["targets"]
                .as_array()
                .map(|targets| {
                    targets
                        .iter()
                        .filter_map(|t| t.as_str().map(str::to_owned))
                        .collect()
                })
                .unwrap_or_default(),
        })
        .collect())
}
