//! The `[research]` section: how studies' datasets are served.

use serde::{Deserialize, Serialize};

/// Dataset download settings.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ResearchConfig {
    /// Study copies per page of a dataset download (1 to 10,000): the server holds one
    /// page in memory at a time, and a cut download resumes after the last whole page.
    pub dataset_page_copies: u32,
}

impl Default for ResearchConfig {
    fn default() -> Self {
        ResearchConfig {
            dataset_page_copies: 1000,
        }
    }
}
