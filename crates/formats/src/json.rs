//! JSON text helpers that keep a record byte-faithful.
//!
//! FHIR gives meaning to the exact text of decimals (`1.50` keeps its
//! precision), so records are never re-serialised through a float: only the
//! whitespace between tokens is removed.

/// Removes insignificant whitespace from valid JSON text, leaving every token as written.
pub(crate) fn compact(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut in_string = false;
    let mut escaped = false;
    for c in json.chars() {
        if in_string {
            out.push(c);
            if escaped {
                escaped = false;
            } else if c == '\\' {
                escaped = true;
            } else if c == '"' {
                in_string = false;
            }
        } else if c == '"' {
            in_string = true;
            out.push(c);
        } else if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            out.push(c);
        }
    }
    out
}

/// Checks that bytes are one JSON object and returns its compact text.
pub(crate) fn compact_object(bytes: &[u8]) -> Result<String, String> {
    let raw: &serde_json::value::RawValue =
        serde_json::from_slice(bytes).map_err(|e| format!("not valid JSON: {e}"))?;
    let text = raw.get().trim_start();
    if !text.starts_with('{') {
        return Err("not a JSON object".to_owned());
    }
    Ok(compact(text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compact_keeps_strings_and_numbers() {
        let input = "{ \"a\" : \"x  y\\\" z\",\n \"b\": [1.50, 2 ] }";
        assert_eq!(compact(input), "{\"a\":\"x  y\\\" z\",\"b\":[1.50,2]}");
    }

    #[test]
    fn compact_object_rejects_arrays() {
        assert!(compact_object(b"[1]").is_err());
        assert!(compact_object(b"{\"a\":1}").is_ok());
    }
}
