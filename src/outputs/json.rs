//! `analysis.json`: the machine-readable summary (schema in `schema/analysis.schema.json`).

use std::io::Write;

use super::Exporter;
use crate::analyze::ClipAnalysis;
use crate::config::Config;

pub struct AnalysisJson;

impl Exporter for AnalysisJson {
    fn file_name(&self) -> &'static str {
        "analysis.json"
    }

    fn write(
        &self,
        clip: &ClipAnalysis,
        _config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        serde_json::to_writer_pretty(&mut *out, &clip.analysis)?;
        writeln!(out)
    }
}
