//! The page language: French at the root (`/recherche`), English under `/en` (`/en/recherche`), same
//! paths and query strings otherwise, so that the language switch is "add or remove `/en`".

use poem::{FromRequest, Request, RequestBody};
use serde::Serialize;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    Fr,
    En,
}

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::Fr => "fr",
            Lang::En => "en",
        }
    }

    pub fn other(self) -> Lang {
        match self {
            Lang::Fr => Lang::En,
            Lang::En => Lang::Fr,
        }
    }

    /// The language a path is in.
    pub fn of_path(path: &str) -> Lang {
        if path == "/en" || path.starts_with("/en/") {
            Lang::En
        } else {
            Lang::Fr
        }
    }

    /// The prefix of this language's paths: `""` or `"/en"`.
    pub fn prefix(self) -> &'static str {
        match self {
            Lang::Fr => "",
            Lang::En => "/en",
        }
    }

    /// A path of the site in this language: `lang.path("/recherche?q=x")`.
    pub fn path(self, path: &str) -> String {
        match (self, path) {
            (Lang::En, "/") => "/en/".to_owned(),
            _ => format!("{}{path}", self.prefix()),
        }
    }

    /// Picks the French or the English text.
    pub fn pick<'a>(self, fr: &'a str, en: &'a str) -> &'a str {
        match self {
            Lang::Fr => fr,
            Lang::En => en,
        }
    }
}

/// The same page in `target`: the path with its language prefix swapped, query string kept.
pub fn switch_url(path_and_query: &str, target: Lang) -> String {
    let (path, query) = match path_and_query.split_once('?') {
        Some((path, query)) => (path, Some(query)),
        None => (path_and_query, None),
    };
    let bare = if Lang::of_path(path) == Lang::En {
        match &path[3..] {
            "" => "/",
            rest => rest,
        }
    } else {
        path
    };
    let mut url = target.path(bare);
    if let Some(query) = query.filter(|q| !q.is_empty()) {
        url.push('?');
        url.push_str(query);
    }
    url
}

impl<'a> FromRequest<'a> for Lang {
    async fn from_request(request: &'a Request, _body: &mut RequestBody) -> poem::Result<Self> {
        Ok(Lang::of_path(request.uri().path()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_switch_keeps_the_page_and_its_query() {
        assert_eq!(
            switch_url("/recherche?q=ovh&page=2", Lang::En),
            "/en/recherche?q=ovh&page=2"
        );
        assert_eq!(
            switch_url("/en/recherche?q=ovh", Lang::Fr),
            "/recherche?q=ovh"
        );
        assert_eq!(switch_url("/", Lang::En), "/en/");
        assert_eq!(switch_url("/en", Lang::Fr), "/");
        assert_eq!(switch_url("/en/", Lang::Fr), "/");
        assert_eq!(switch_url("/enquete", Lang::En), "/en/enquete");
    }
}
