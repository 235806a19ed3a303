//! What every resource's `list` shares: its query, read by the rules the WIT states, and its pages,
//! cut from the pages Lightsail answers by `limit`, `page-size` and the continuation.

use crate::json::{self, Object, Value, object};
use crate::props::{is_unknown, kind, object as bag};
use crate::types::{CheckFailure, ListPage, ProviderError, ReadResult};
use alloc::{
    format,
    string::{String, ToString},
    vec::Vec,
};

/// The items a page holds when the engine leaves it to the component.
const DEFAULT_PAGE_SIZE: u32 = 100;

/// A query property's rule: `Err` says which it breaks.
pub(crate) type Rule = fn(&str) -> Result<(), String>;

/// A query's string properties, each by its name and rule; any other property is refused.
pub(crate) fn query(text: &str, properties: &[(&str, Rule)]) -> Result<Object, ProviderError> {
    let object = bag(text).map_err(|failures| {
        ProviderError::InvalidInput(failures.into_iter().map(|f| CheckFailure::new("query", f.reason)).collect())
    })?;
    let names: Vec<&str> = properties.iter().map(|(name, _)| *name).collect();
    let mut failures = Vec::new();
    for (name, value) in &object {
        let Some((_, rule)) = properties.iter().find(|(known, _)| known == name) else {
            failures
                .push(CheckFailure::new(name, format!("is not a property a list can ask by ({})", names.join(", "))));
            continue;
        };
        let broken = match value {
            Value::Null => continue,
            value if is_unknown(value) => "is not known yet: list once it is".to_string(),
            Value::String(text) => match rule(text) {
                Ok(()) => continue,
                Err(rule) => rule,
            },
            other => format!("must be a string, not {}", kind(other)),
        };
        failures.push(CheckFailure::new(name, broken));
    }
    if failures.is_empty() { Ok(object) } else { Err(ProviderError::InvalidInput(failures)) }
}

/// Where a listing stands between calls: the Lightsail page it reads (`None`: the first), how many
/// of that page's items were answered, and how many every page answered.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
struct Position {
    page_token: Option<String>,
    skip: usize,
    returned: u32,
}

impl Position {
    fn encode(&self) -> String {
        json::to_string(&object! {
            "page" => self.page_token.as_deref(),
            "skip" => self.skip as u64,
            "returned" => self.returned as u64,
        })
    }

    fn decode(text: &str) -> Result<Self, ProviderError> {
        let broken = || {
            ProviderError::invalid(
                "continuation",
                "is not one that a list of this provider answered: list again from the first page, without it",
            )
        };
        let value = json::parse(text).map_err(|_| broken())?;
        let number = |name| json::get(&value, name).and_then(Value::as_u64).ok_or_else(broken);
        let page_token = match json::get(&value, "page") {
            None | Some(Value::Null) => None,
            Some(Value::String(token)) => Some(token.clone()),
            Some(_) => return Err(broken()),
        };
        let skip = usize::try_from(number("skip")?).map_err(|_| broken())?;
        let returned = u32::try_from(number("returned")?).map_err(|_| broken())?;
        Ok(Self { page_token, skip, returned })
    }
}

/// A `list` call's paging: its `limit`, `page-size` and continuation.
pub struct Paging {
    limit: u32,
    page_size: u32,
    at: Position,
}

impl Paging {
    /// The paging a call asks for; a continuation this provider did not answer is refused.
    pub fn new(limit: u32, page_size: u32, continuation: Option<&str>) -> Result<Self, ProviderError> {
        let at = continuation.map(Position::decode).transpose()?.unwrap_or_default();
        Ok(Self { limit, page_size, at })
    }
}

/// One Lightsail page of items, and the token of the next page (`None`: the last).
pub(crate) type SourcePage = (Vec<ReadResult>, Option<String>);

/// The page `paging` asks for, cut from the pages `fetch` reads (by their Lightsail tokens).
pub(crate) fn page(
    paging: Paging,
    fetch: &mut dyn FnMut(Option<&str>) -> Result<SourcePage, ProviderError>,
) -> Result<ListPage, ProviderError> {
    let Paging { limit, page_size, mut at } = paging;
    let left = if limit == 0 { u32::MAX } else { limit.saturating_sub(at.returned) };
    let mut room = (if page_size == 0 { DEFAULT_PAGE_SIZE } else { page_size }).min(left) as usize;
    let mut items = Vec::new();
    if room == 0 {
        return Ok(ListPage { items, continuation: None });
    }
    loop {
        let (found, next) = fetch(at.page_token.as_deref())?;
        let rest: Vec<ReadResult> = found.into_iter().skip(at.skip).collect();
        let (available, taken) = (rest.len(), rest.len().min(room));
        items.extend(rest.into_iter().take(taken));
        room -= taken;
        at.returned = at.returned.saturating_add(taken as u32);
        let done = limit != 0 && at.returned >= limit;
        if taken < available {
            at.skip += taken;
            return Ok(ListPage { items, continuation: (!done).then(|| at.encode()) });
        }
        let Some(token) = next else { return Ok(ListPage { items, continuation: None }) };
        at = Position { page_token: Some(token), skip: 0, returned: at.returned };
        if done {
            return Ok(ListPage { items, continuation: None });
        }
        if room == 0 {
            return Ok(ListPage { items, continuation: Some(at.encode()) });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::types::Outputs;
    use alloc::{vec, vec::Vec};

    fn item(n: usize) -> ReadResult {
        let outputs = Outputs { values: "{}".into(), secrets: Vec::new() };
        ReadResult { id: format!("item-{n}"), inputs: "{}".into(), outputs }
    }

    /// Three Lightsail pages of 3, 0 and 2 items (`None`, then tokens "b" and "c").
    fn source(token: Option<&str>) -> Result<SourcePage, ProviderError> {
        Ok(match token {
            None => ((0..3).map(item).collect(), Some("b".into())),
            Some("b") => (Vec::new(), Some("c".into())),
            Some("c") => ((3..5).map(item).collect(), None),
            Some(other) => panic!("no page {other}"),
        })
    }

    /// Every page of a listing, by `limit` and `page_size`: the ids each page held.
    fn pages(limit: u32, page_size: u32) -> Vec<Vec<String>> {
        let mut continuation: Option<String> = None;
        let mut pages = Vec::new();
        loop {
            let paging = Paging::new(limit, page_size, continuation.as_deref()).unwrap();
            let page = page(paging, &mut source).unwrap();
            pages.push(page.items.into_iter().map(|i| i.id).collect());
            match page.continuation {
                Some(next) => continuation = Some(next),
                None => return pages,
            }
        }
    }

    #[test]
    fn pages_are_cut_across_lightsail_pages() {
        let ids = |range: core::ops::Range<usize>| range.map(|n| format!("item-{n}")).collect::<Vec<_>>();
        assert_eq!(pages(0, 0), vec![ids(0..5)]);
        assert_eq!(pages(0, 2), vec![ids(0..2), ids(2..4), ids(4..5)]);
        assert_eq!(pages(0, 3), vec![ids(0..3), ids(3..5)]);
        assert_eq!(pages(0, 5), vec![ids(0..5)]);
        assert_eq!(pages(4, 3), vec![ids(0..3), ids(3..4)], "the limit counts every page");
        assert_eq!(pages(3, 3), vec![ids(0..3)], "a limit reached on a page's end leaves no continuation");
        assert_eq!(pages(1, 0), vec![ids(0..1)]);
    }

    #[test]
    fn a_continuation_not_of_this_provider_is_refused() {
        for bad in ["", "x", "{}", r#"{"page": 1, "skip": 0, "returned": 0}"#, r#"{"skip": -1, "returned": 0}"#] {
            match Paging::new(0, 0, Some(bad)) {
                Err(ProviderError::InvalidInput(f)) => assert_eq!(f[0].property, "continuation", "{bad}"),
                Err(other) => panic!("{bad}: {other:?}"),
                Ok(_) => panic!("{bad} was taken"),
            }
        }
    }

    #[test]
    fn a_query_names_what_it_cannot_use() {
        let rules: &[(&str, Rule)] = &[("region", crate::validate::region)];
        assert!(query(r#"{"region": "eu-west-1"}"#, rules).is_ok());
        assert!(query("{}", rules).is_ok());
        let refused = |text: &str| match query(text, rules) {
            Err(ProviderError::InvalidInput(f)) => f.into_iter().map(|f| f.property).collect::<Vec<_>>(),
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(refused(r#"{"colour": "red"}"#), ["colour"]);
        assert_eq!(refused(r#"{"region": "nowhere-1"}"#), ["region"]);
        assert_eq!(refused(r#"{"region": 3}"#), ["region"]);
        assert_eq!(refused(&format!(r#"{{"region": "{}"}}"#, crate::UNKNOWN)), ["region"]);
        assert_eq!(refused("[]"), ["query"]);
    }
}
