//! The one error type of the crate: whole-file failures and export misuse.
//!
//! Problems with single entries are not errors: they are reported as
//! [`crate::InvalidEntry`] so the valid rest of a file can still be imported.

/// Result alias so every fallible function reads the same.
pub type Result<T> = std::result::Result<T, Error>;

/// Why a whole import or export failed; each message says what to do next.
#[derive(Debug, thiserror::Error)]
pub enum Error {
    /// Reading the input or writing the output failed at the operating-system level.
    #[error("could not read or write the data: {0}")]
    Io(#[from] std::io::Error),

    /// The file is not JSON at all, so no entry can be trusted.
    #[error(
        "the file is not valid JSON (line {line}, column {column}): {message}; \
         check that it is a complete FHIR JSON export"
    )]
    MalformedJson {
        /// 1-based line where parsing stopped.
        line: usize,
        /// 1-based column where parsing stopped.
        column: usize,
        /// What the JSON parser expected.
        message: String,
    },

    /// The JSON is fine but is neither an Observation nor a Bundle.
    #[error(
        "expected a FHIR Observation or Bundle, found {found}; \
         only Observations (alone or in a Bundle) can be imported"
    )]
    UnsupportedDocument {
        /// What the document turned out to be.
        found: String,
    },

    /// The CSV header lacks columns without which a row means nothing.
    #[error(
        "the CSV file lacks the required Darwin Core column(s) {}; \
         add them to the header line (names are case-sensitive)",
        missing.join(", ")
    )]
    MissingColumns {
        /// The required column names that are absent, in canonical order.
        missing: Vec<String>,
    },

    /// The CSV header itself is unusable (empty, duplicated names).
    #[error("the CSV header is unusable: {reason}")]
    BadHeader {
        /// What is wrong with the header.
        reason: String,
    },

    /// The CSV cannot be read further (the csv reader gave up).
    #[error("the CSV file cannot be read at line {line}: {message}")]
    MalformedCsv {
        /// 1-based line where reading stopped.
        line: u64,
        /// What the CSV reader reported.
        message: String,
    },

    /// A record handed to an exporter is not what that format can hold.
    #[error("cannot export this record: {reason}")]
    InvalidRecord {
        /// What is wrong with the record.
        reason: String,
    },

    /// A catch record has a term that the CSV writer has no column for.
    #[error(
        "the record has the Darwin Core term `{term}` but the CSV has no such column; \
         build the column list with dwc::columns_for so nothing is dropped"
    )]
    UnexportedTerm {
        /// The term without a column.
        term: String,
    },
}

impl Error {
    /// Stable snake_case code, so a CLI `--json` output and tests need not parse messages.
    pub fn code(&self) -> &'static str {
        match self {
            Error::Io(_) => "io",
            Error::MalformedJson { .. } => "malformed_json",
            Error::UnsupportedDocument { .. } => "unsupported_document",
            Error::MissingColumns { .. } => "missing_columns",
            Error::BadHeader { .. } => "bad_header",
            Error::MalformedCsv { .. } => "malformed_csv",
            Error::InvalidRecord { .. } => "invalid_record",
            Error::UnexportedTerm { .. } => "unexported_term",
        }
    }

    /// Turns a serde_json failure into the user-facing kind it really is.
    pub(crate) fn from_json(err: serde_json::Error) -> Self {
        if err.is_io() {
            return Error::Io(std::io::Error::other(err.to_string()));
        }
        Error::MalformedJson {
            line: err.line(),
            column: err.column(),
            message: strip_position(&err.to_string()),
        }
    }
}

/// serde_json appends " at line L column C"; the error carries those already.
fn strip_position(message: &str) -> String {
    match message.rfind(" at line ") {
        Some(i) => message[..i].to_owned(),
        None => message.to_owned(),
    }
}
