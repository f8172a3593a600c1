//! The neutral shape every importer produces and every exporter consumes.

use std::fmt;

/// One record ready to be encrypted and stored, whatever file it came from.
///
/// `category`, `type_code` and `effective_at` become the record's visible
/// metadata (what lists and consent filters see); `content` is what gets
/// encrypted. `label` is for the member's own screen and is never uploaded in
/// the clear by this crate.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportItem {
    /// Data category for consent filters, e.g. `health.vital-signs` or `catch.landing`.
    pub category: String,
    /// What was measured or caught, e.g. `loinc:8867-4` or `Gadus morhua`.
    pub type_code: String,
    /// When it happened, RFC 3339 in UTC (`2026-03-01T07:30:00Z`), so ranges sort as text.
    pub effective_at: Option<String>,
    /// Media type of `content`, so an exporter knows how to read it back.
    pub content_type: String,
    /// The record itself (one JSON object), the only part that is secret.
    pub content: Vec<u8>,
    /// Short human summary for listings, e.g. `Heart rate 72 /min`.
    pub label: String,
}

/// An entry of the input that cannot become a record, and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InvalidEntry {
    /// Where it is in the input: `entry[12]`, `resource` or `line 7`.
    pub position: String,
    /// What is wrong, phrased so the member can fix the file.
    pub reason: String,
}

impl fmt::Display for InvalidEntry {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.position, self.reason)
    }
}

/// The outcome of reading one file: what can be stored and what cannot.
///
/// The caller chooses: store `items` and show `invalid`, or (`--strict`)
/// store nothing unless [`ImportReport::is_clean`].
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct ImportReport {
    /// Valid records, in input order.
    pub items: Vec<ImportItem>,
    /// Rejected entries, in input order.
    pub invalid: Vec<InvalidEntry>,
}

impl ImportReport {
    /// True when every entry was valid, the condition for a `--strict` import.
    pub fn is_clean(&self) -> bool {
        self.invalid.is_empty()
    }

    /// Number of entries seen, so a summary can say "73 of 75 imported".
    pub fn total(&self) -> usize {
        self.items.len() + self.invalid.len()
    }

    pub(crate) fn reject(&mut self, position: impl Into<String>, reason: impl Into<String>) {
        self.invalid.push(InvalidEntry {
            position: position.into(),
            reason: reason.into(),
        });
    }
}

/// Shortens a label for one-line listings without cutting a character in half.
pub(crate) fn short_label(text: &str) -> String {
    const MAX_CHARS: usize = 80;
    let text = text.trim();
    if text.chars().count() <= MAX_CHARS {
        return text.to_owned();
    }
    let mut out: String = text.chars().take(MAX_CHARS - 1).collect();
    out.push('…');
    out
}
