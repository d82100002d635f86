//! Keyset pagination: opaque cursors and page limits.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use uuid::Uuid;

pub const DEFAULT_LIMIT: i64 = 50;
pub const MAX_LIMIT: i64 = 200;

/// An opaque position in a stable order: base64url of a small text key.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Cursor(String);

impl Cursor {
    pub fn encode(key: &str) -> String {
        URL_SAFE_NO_PAD.encode(key.as_bytes())
    }

    pub fn decode(s: &str) -> Result<Cursor, InvalidCursor> {
        URL_SAFE_NO_PAD
            .decode(s.as_bytes())
            .ok()
            .and_then(|b| String::from_utf8(b).ok())
            .map(Cursor)
            .ok_or(InvalidCursor)
    }

    pub fn key(&self) -> &str {
        &self.0
    }

    pub fn from_uuid(id: Uuid) -> String {
        Cursor::encode(&format!("id:{id}"))
    }

    pub fn uuid(&self) -> Result<Uuid, InvalidCursor> {
        self.0
            .strip_prefix("id:")
            .and_then(|s| s.parse().ok())
            .ok_or(InvalidCursor)
    }

    pub fn from_code(code: &str) -> String {
        Cursor::encode(&format!("code:{code}"))
    }

    pub fn code(&self) -> Result<String, InvalidCursor> {
        self.0
            .strip_prefix("code:")
            .map(str::to_string)
            .ok_or(InvalidCursor)
    }

    /// A position in an order by year (newest first), then id.
    pub fn from_year_id(year: i32, id: Uuid) -> String {
        Cursor::encode(&format!("year:{year}:{id}"))
    }

    pub fn year_id(&self) -> Result<(i32, Uuid), InvalidCursor> {
        self.0
            .strip_prefix("year:")
            .and_then(|s| s.split_once(':'))
            .and_then(|(y, id)| Some((y.parse().ok()?, id.parse().ok()?)))
            .ok_or(InvalidCursor)
    }

    pub fn from_i64(n: i64) -> String {
        Cursor::encode(&format!("n:{n}"))
    }

    pub fn i64(&self) -> Result<i64, InvalidCursor> {
        self.0
            .strip_prefix("n:")
            .and_then(|s| s.parse().ok())
            .ok_or(InvalidCursor)
    }
}

/// A cursor this API never gave out (400 `invalid_cursor`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("cursor is not one this API gave out")]
pub struct InvalidCursor;

/// `limit` (default 50, capped at 200) and an optional cursor.
#[derive(Debug, Clone)]
pub struct PageRequest {
    pub limit: i64,
    pub cursor: Option<Cursor>,
}

impl PageRequest {
    pub fn new(limit: Option<i64>, cursor: Option<&str>) -> Result<PageRequest, InvalidCursor> {
        let limit = limit.unwrap_or(DEFAULT_LIMIT).clamp(1, MAX_LIMIT);
        let cursor = cursor
            .filter(|c| !c.is_empty())
            .map(Cursor::decode)
            .transpose()?;
        Ok(PageRequest { limit, cursor })
    }

    /// How many rows to fetch: one more than the page, to know whether
    /// another page follows.
    pub fn fetch(&self) -> i64 {
        self.limit + 1
    }

    /// The page of `rows` (fetched with `fetch()`), with the cursor of its
    /// last row when another page follows.
    pub fn page<T>(&self, mut rows: Vec<T>, key: impl Fn(&T) -> String) -> Page<T> {
        let next_cursor = self.next_cursor(&mut rows, key);
        Page {
            items: rows,
            next_cursor,
        }
    }

    /// Rows were fetched with `limit + 1`: drop the extra and return the
    /// cursor of the last row kept when there is a next page.
    pub fn next_cursor<T>(&self, rows: &mut Vec<T>, key: impl Fn(&T) -> String) -> Option<String> {
        if rows.len() as i64 > self.limit {
            rows.truncate(self.limit as usize);
            rows.last().map(key)
        } else {
            None
        }
    }
}

/// One page of a collection, as a use case returns it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// The cursor of the next page; `None` on the last one.
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page {
            items: self.items.into_iter().map(f).collect(),
            next_cursor: self.next_cursor,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_defaults_and_caps() {
        assert_eq!(PageRequest::new(None, None).unwrap().limit, 50);
        assert_eq!(PageRequest::new(Some(1000), None).unwrap().limit, 200);
        assert_eq!(PageRequest::new(Some(0), None).unwrap().limit, 1);
    }

    #[test]
    fn cursor_round_trips_and_rejects_garbage() {
        let id = Uuid::now_v7();
        let c = Cursor::decode(&Cursor::from_uuid(id)).unwrap();
        assert_eq!(c.uuid().unwrap(), id);
        assert!(Cursor::decode("%%%").is_err());
        assert!(
            Cursor::decode(&Cursor::encode("n:5"))
                .unwrap()
                .uuid()
                .is_err()
        );
    }

    #[test]
    fn next_cursor_only_when_more_rows() {
        let p = PageRequest::new(Some(2), None).unwrap();
        let mut rows = vec![1, 2, 3];
        assert_eq!(
            p.next_cursor(&mut rows, |r| r.to_string()),
            Some("2".into())
        );
        assert_eq!(rows, vec![1, 2]);
        let mut rows = vec![1, 2];
        assert_eq!(p.next_cursor(&mut rows, |r| r.to_string()), None);
    }

    #[test]
    fn a_page_keeps_the_limit_and_names_the_next_cursor() {
        let p = PageRequest::new(Some(2), None).unwrap();
        assert_eq!(p.fetch(), 3);
        let page = p.page(vec![1, 2, 3], |r| r.to_string()).map(|r| r * 10);
        assert_eq!(page.items, vec![10, 20]);
        assert_eq!(page.next_cursor.as_deref(), Some("2"));
        assert_eq!(p.page(vec![1], |r| r.to_string()).next_cursor, None);
    }
}
