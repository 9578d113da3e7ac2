//! Outputs: one file per format behind one small trait (as hyperfine's `export/` does).
//! Adding a format is one new file and one line in [`exporters`].

pub mod csv;
pub mod json;

use std::io::Write;
use std::path::Path;

use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};

/// Writes one output file for one analysed clip.
pub trait Exporter: Sync {
    /// File name inside the clip's output folder.
    fn file_name(&self) -> &'static str;
    fn write(
        &self,
        clip: &ClipAnalysis,
        config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()>;
}

/// The per-clip data files, in the order they are written.
pub fn exporters() -> Vec<Box<dyn Exporter>> {
    vec![Box::new(json::AnalysisJson), Box::new(csv::FramesCsv)]
}

/// Writes every exporter's file into `dir`.
pub fn write_all(clip: &ClipAnalysis, config: &Config, dir: &Path) -> Result<()> {
    for exporter in exporters() {
        let path = dir.join(exporter.file_name());
        let file = std::fs::File::create(&path).map_err(|e| Error::Output {
            path: path.clone(),
            reason: e.to_string(),
        })?;
        let mut w = std::io::BufWriter::new(file);
        exporter
            .write(clip, config, &mut w)
            .and_then(|_| w.flush())
            .map_err(|e| Error::Output {
                path: path.clone(),
                reason: e.to_string(),
            })?;
    }
    Ok(())
}

/// `Some(v)` as text with `decimals`, `None` as an empty cell.
pub fn cell(v: Option<f64>, decimals: usize) -> String {
    match v {
        Some(x) if x.is_finite() => format!("{x:.decimals$}"),
        _ => String::new(),
    }
}
