//! A study's terms: what the researcher asks for and promises, as the member reads them
//! before consenting. The terms travel as the exact JSON bytes the researcher's client
//! wrote; their SHA-256 is what a resolution approves and a consent receipt names, so
//! nobody re-encodes them.

use crate::{Mismatch, Purpose};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;
use utoipa::ToSchema;

/// The languages every study summarises itself in; a member reads theirs.
pub const LANGUAGES: [&str; 4] = ["en", "de", "fr", "es"];

/// Longest title, characters.
pub const MAX_TITLE: usize = 200;
/// Longest summary per language, characters.
pub const MAX_SUMMARY: usize = 4_000;
/// Most data categories one study asks for.
pub const MAX_CATEGORIES: usize = 32;
/// Largest terms document, bytes.
pub const MAX_TERMS_BYTES: usize = 64 * 1024;

/// What a study asks of its participants and promises them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct StudyTerms {
    /// The study's title.
    pub title: String,
    /// A plain-language summary per language (`en`, `de`, `fr`, `es` at least).
    pub summaries: BTreeMap<String, String>,
    /// What the research is, in the terms GA4GH DUO matches against.
    pub purpose: Purpose,
    /// The data categories asked for (e.g. `health.vital-signs`, `catch.landing`).
    pub categories: Vec<String>,
    /// Record types within those categories (none: every type).
    #[serde(default)]
    pub types: Vec<String>,
    /// The first day of data covered (none: from the beginning).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2020-01-01")]
    pub data_from: Option<Day>,
    /// The last day of data covered (none: up to the consent, or on if future data).
    #[serde(default)]
    #[schema(value_type = Option<String>, example = "2026-12-31")]
    pub data_until: Option<Day>,
    /// Records added while a consent is active are shared too.
    pub future_data: bool,
    /// The last day of the study: consents end at the end of it (UTC).
    #[schema(value_type = String, example = "2027-12-31")]
    pub ends_on: Day,
    /// What the member's client removes before anything leaves it.
    pub deidentification: Deidentification,
}

/// How dates are kept in the study's copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DateLevel {
    /// Dates and times as recorded.
    Exact,
    /// Every date moved by one random offset per participant and study (intervals kept).
    Shifted,
    /// Month and year only.
    MonthYear,
    /// Year only; ages over 89 as 90+.
    Year,
}

/// The de-identification level of a study's copy.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct Deidentification {
    /// How dates are kept.
    pub dates: DateLevel,
    /// Free text (notes, narrative) is kept; otherwise dropped.
    #[serde(default)]
    pub keep_free_text: bool,
    /// References to practitioners are kept; otherwise dropped.
    #[serde(default)]
    pub keep_practitioners: bool,
    /// Decimal places kept of catch locations (none: as recorded; 1 is about 11 km).
    #[serde(default)]
    pub location_decimals: Option<u8>,
}

/// A calendar day, `YYYY-MM-DD` (UTC).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Day {
    year: i32,
    month: u8,
    day: u8,
}

impl Day {
    /// Parses `YYYY-MM-DD`.
    pub fn parse(text: &str) -> Option<Day> {
        let b = text.as_bytes();
        if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
            return None;
        }
        let num = |r: std::ops::Range<usize>| -> Option<u32> {
            let s = text.get(r)?;
            s.bytes()
                .all(|c| c.is_ascii_digit())
                .then(|| s.parse().ok())?
        };
        let (year, month, day) = (num(0..4)?, num(5..7)?, num(8..10)?);
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
        let days = match month {
            1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
            4 | 6 | 9 | 11 => 30,
            2 if leap => 29,
            2 => 28,
            _ => return None,
        };
        if !(1970..=9999).contains(&year) || day == 0 || day > days {
            return None;
        }
        Some(Day {
            year: year as i32,
            month: month as u8,
            day: day as u8,
        })
    }

    /// The start of the day, unix microseconds.
    pub fn start_micros(&self) -> u64 {
        // Days from civil (Howard Hinnant's algorithm).
        let y = i64::from(self.year) - i64::from(self.month <= 2);
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = i64::from(self.month);
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(self.day) - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        let days = era * 146_097 + doe - 719_468;
        (days.max(0) as u64) * 86_400_000_000
    }

    /// The day `n` days later (earlier if negative), if still within 1970 to 9999.
    pub fn plus_days(&self, n: i32) -> Option<Day> {
        let days = (self.start_micros() / 86_400_000_000) as i64 + i64::from(n);
        // Civil from days (Howard Hinnant's algorithm).
        let z = days + 719_468;
        let era = z.div_euclid(146_097);
        let doe = z - era * 146_097;
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let day = doy - (153 * mp + 2) / 5 + 1;
        let month = if mp < 10 { mp + 3 } else { mp - 9 };
        let year = yoe + era * 400 + i64::from(month <= 2);
        Day::parse(&format!("{year:04}-{month:02}-{day:02}"))
    }

    /// The last microsecond of the day: an end date ends at the end of its day.
    pub fn end_micros(&self) -> u64 {
        self.start_micros() + 86_400_000_000 - 1
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:04}-{:02}-{:02}", self.year, self.month, self.day)
    }
}

impl Serialize for Day {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for Day {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        Day::parse(&text)
            .ok_or_else(|| serde::de::Error::custom(format!("{text:?} is not a date (YYYY-MM-DD)")))
    }
}

impl StudyTerms {
    /// Parses terms as submitted and checks them; the error says what to change.
    pub fn from_bytes(bytes: &[u8]) -> Result<StudyTerms, String> {
        if bytes.len() > MAX_TERMS_BYTES {
            return Err(format!(
                "the terms are {} bytes; at most {MAX_TERMS_BYTES} are accepted",
                bytes.len()
            ));
        }
        let terms: StudyTerms =
            serde_json::from_slice(bytes).map_err(|e| format!("the terms do not parse: {e}"))?;
        terms.check()?;
        Ok(terms)
    }

    /// The terms as the bytes the researcher's client submits.
    pub fn to_bytes(&self) -> Vec<u8> {
        serde_json::to_vec_pretty(self).unwrap_or_default()
    }

    /// What a study's terms must satisfy.
    pub fn check(&self) -> Result<(), String> {
        let title = self.title.trim();
        if title.is_empty() || title.chars().count() > MAX_TITLE {
            return Err(format!(
                "a study needs a title of 1 to {MAX_TITLE} characters"
            ));
        }
        for lang in LANGUAGES {
            match self.summaries.get(lang).map(|s| s.trim()) {
                Some(s) if !s.is_empty() => {}
                _ => {
                    return Err(format!(
                        "a study needs a plain-language summary in each of {}; {lang} is missing",
                        LANGUAGES.join(", ")
                    ))
                }
            }
        }
        if let Some((lang, _)) = self
            .summaries
            .iter()
            .find(|(l, s)| s.chars().count() > MAX_SUMMARY || !is_language(l))
        {
            return Err(format!(
                "the summary in {lang:?} is too long (at most {MAX_SUMMARY} characters) or \
                 {lang:?} is not a two-letter language code"
            ));
        }
        if self.categories.is_empty() || self.categories.len() > MAX_CATEGORIES {
            return Err(format!(
                "a study asks for 1 to {MAX_CATEGORIES} data categories"
            ));
        }
        if let Some(c) = self
            .categories
            .iter()
            .chain(&self.types)
            .find(|c| !is_code(c))
        {
            return Err(format!(
                "{c:?} is not a category or type code (letters, digits, '.', '-', '_')"
            ));
        }
        if let (Some(from), Some(until)) = (self.data_from, self.data_until) {
            if from > until {
                return Err(format!(
                    "the data period starts ({from}) after it ends ({until})"
                ));
            }
        }
        if self.purpose.region.trim().is_empty() || self.purpose.months == 0 {
            return Err("the purpose names where the data is used and for how many months".into());
        }
        if self
            .deidentification
            .location_decimals
            .is_some_and(|d| d > 6)
        {
            return Err("locations are rounded to at most 6 decimal places".into());
        }
        Ok(())
    }

    /// The summary in `lang`, else in English.
    pub fn summary(&self, lang: &str) -> &str {
        self.summaries
            .get(lang)
            .or_else(|| self.summaries.get("en"))
            .map(String::as_str)
            .unwrap_or_default()
    }

    /// Whether the study covers a record of this category and type, effective at this
    /// time (unix microseconds; none: undated).
    pub fn covers(&self, category: &str, type_code: &str, effective_micros: Option<u64>) -> bool {
        if !self.categories.iter().any(|c| c == category) {
            return false;
        }
        if !self.types.is_empty() && !self.types.iter().any(|t| t == type_code) {
            return false;
        }
        match effective_micros {
            Some(t) => {
                self.data_from.is_none_or(|d| t >= d.start_micros())
                    && self.data_until.is_none_or(|d| t <= d.end_micros())
            }
            None => self.data_from.is_none() && self.data_until.is_none(),
        }
    }

    /// Whether the study fits a member's standing preferences, and why not.
    pub fn fits(
        &self,
        preferences: &crate::DataUse,
        diseases: &impl crate::Diseases,
    ) -> Vec<Mismatch> {
        crate::fits(preferences, &self.purpose, diseases)
    }
}

fn is_language(l: &str) -> bool {
    l.len() == 2 && l.bytes().all(|c| c.is_ascii_lowercase())
}

fn is_code(c: &str) -> bool {
    !c.is_empty()
        && c.len() <= 64
        && c.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"._-".contains(&b))
}
