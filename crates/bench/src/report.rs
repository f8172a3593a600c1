//! Figures as a readable table on stdout and, optionally, markdown appended to a file.

use anyhow::{Context, Result};
use std::io::Write;
use std::path::PathBuf;

/// One table of figures.
pub struct Table {
    title: String,
    headers: Vec<String>,
    rows: Vec<Vec<String>>,
    notes: Vec<String>,
}

impl Table {
    /// A table with these column headers.
    pub fn new(title: &str, headers: &[&str]) -> Self {
        Table {
            title: title.to_owned(),
            headers: headers.iter().map(|h| (*h).to_owned()).collect(),
            rows: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// Adds a row.
    pub fn row(&mut self, cells: Vec<String>) {
        self.rows.push(cells);
    }

    /// Adds a line printed under the table.
    pub fn note(&mut self, text: impl Into<String>) {
        self.notes.push(text.into());
    }

    /// Plain text, columns aligned.
    pub fn text(&self) -> String {
        let n = self.headers.len();
        let mut w: Vec<usize> = self.headers.iter().map(|h| h.chars().count()).collect();
        for r in &self.rows {
            for (i, c) in r.iter().enumerate().take(n) {
                w[i] = w[i].max(c.chars().count());
            }
        }
        let line = |cells: &[String]| -> String {
            cells
                .iter()
                .enumerate()
                .take(n)
                .map(|(i, c)| {
                    if i < 2 {
                        format!("{c:<width$}", width = w[i])
                    } else {
                        format!("{c:>width$}", width = w[i])
                    }
                })
                .collect::<Vec<_>>()
                .join("  ")
        };
        let mut s = format!("\n{}\n", self.title);
        s.push_str(&line(&self.headers));
        s.push('\n');
        s.push_str(&"-".repeat(w.iter().sum::<usize>() + 2 * n.saturating_sub(1)));
        s.push('\n');
        for r in &self.rows {
            s.push_str(&line(r));
            s.push('\n');
        }
        for note in &self.notes {
            s.push_str(note);
            s.push('\n');
        }
        s
    }

    /// Markdown.
    pub fn markdown(&self) -> String {
        let mut s = format!(
            "\n**{}**\n\n| {} |\n|",
            self.title,
            self.headers.join(" | ")
        );
        for i in 0..self.headers.len() {
            s.push_str(if i < 2 { "---|" } else { "---:|" });
        }
        s.push('\n');
        for r in &self.rows {
            s.push_str(&format!("| {} |\n", r.join(" | ")));
        }
        if !self.notes.is_empty() {
            s.push('\n');
            for note in &self.notes {
                s.push_str(note);
                s.push_str("\n\n");
            }
        }
        s
    }
}

/// Where the figures go.
pub struct Out {
    markdown: Option<PathBuf>,
}

impl Out {
    /// Prints to stdout; with a file, appends markdown to it as well.
    pub fn new(markdown: Option<PathBuf>) -> Self {
        Out { markdown }
    }

    /// Prints one table (and appends it as markdown).
    pub fn table(&self, t: &Table) -> Result<()> {
        print!("{}", t.text());
        self.append(&t.markdown())
    }

    fn append(&self, text: &str) -> Result<()> {
        if let Some(p) = &self.markdown {
            let mut f = std::fs::OpenOptions::new()
                .create(true)
                .append(true)
                .open(p)
                .with_context(|| format!("cannot append to {}", p.display()))?;
            f.write_all(text.as_bytes())?;
        }
        Ok(())
    }
}

/// `k` things in `secs` seconds, as a whole number per second.
pub fn per_second(k: usize, secs: f64) -> String {
    format!("{:.0}", k as f64 / secs.max(1e-9))
}

/// `12,345` style.
pub fn thousands(v: f64) -> String {
    let n = v.round() as i64;
    let s = n.abs().to_string();
    let mut out = String::new();
    for (i, ch) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    if n < 0 {
        format!("-{out}")
    } else {
        out
    }
}

/// Milliseconds with two decimals.
pub fn ms(d: std::time::Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}
