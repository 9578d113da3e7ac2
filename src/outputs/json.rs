//! `analysis.json`: the machine-readable summary. Its JSON Schema is derived from the types
//! ([`schema`], with `schemars`) and shipped as `schema/analysis.schema.json`
//! (`cargo run --example write_schema`; a test keeps the two in step).

use std::io::Write;

use super::Exporter;
use crate::analyze::ClipAnalysis;
use crate::config::Config;

/// The JSON Schema of `analysis.json`, derived from [`crate::analyze::Analysis`].
pub fn schema() -> serde_json::Value {
    serde_json::to_value(schemars::schema_for!(crate::analyze::Analysis))
        .unwrap_or(serde_json::Value::Null)
}

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
