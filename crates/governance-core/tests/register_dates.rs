//! When a leaving takes effect (§65(2)): at the end of the business year, if notice came
//! at least the notice period before it, else at the end of the next one.
#![allow(clippy::unwrap_used, missing_docs)]

use datacoop_api::time::{format_micros, parse_micros};
use datacoop_governance_core::leaving_takes_effect;

fn effect(notice: &str, months: u32) -> String {
    let at = parse_micros(notice).unwrap() as u64;
    format_micros(leaving_takes_effect(at, months).unwrap() as i64)
}

#[test]
fn a_leaving_takes_effect_at_the_end_of_a_business_year_after_the_notice_period() {
    assert_eq!(effect("2027-03-01T09:00:00Z", 3), "2028-01-01T00:00:00Z");
    // Exactly three months before the year's end is in time; a moment later is not.
    assert_eq!(effect("2027-10-01T00:00:00Z", 3), "2028-01-01T00:00:00Z");
    assert_eq!(effect("2027-10-01T00:00:01Z", 3), "2029-01-01T00:00:00Z");
    assert_eq!(effect("2027-12-31T23:59:59Z", 3), "2029-01-01T00:00:00Z");
    // Statutes may ask for up to five years' notice.
    assert_eq!(effect("2027-01-01T00:00:00Z", 60), "2032-01-01T00:00:00Z");
    assert_eq!(effect("2027-01-01T00:00:01Z", 60), "2033-01-01T00:00:00Z");
    assert_eq!(effect("2027-06-15T12:00:00Z", 12), "2029-01-01T00:00:00Z");
    assert_eq!(effect("2026-12-31T00:00:00Z", 12), "2028-01-01T00:00:00Z");
}

#[test]
fn the_notice_period_is_within_the_law() {
    let mut r = datacoop_governance_core::Rules::default();
    assert_eq!(r.leaving_notice_months, 3);
    r.leaving_notice_months = 2;
    assert!(r.check().is_err());
    r.leaving_notice_months = 61;
    assert!(r.check().is_err());
    r.leaving_notice_months = 60;
    assert!(r.check().is_ok());
}
