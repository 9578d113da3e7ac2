//! `settings.toml`: the effective settings the clip was analysed with (the config file, the
//! built-in defaults and the command-line overrides, every key written out). It says which
//! thresholds produced the findings, re-runs the same analysis with `--config settings.toml`,
//! and lets a later run tell a result made with other settings from an up-to-date one
//! ([`crate::batch::is_up_to_date`]).

use std::io::Write;

use super::Exporter;
use crate::analyze::ClipAnalysis;
use crate::config::Config;

pub struct SettingsToml;

/// File name inside the clip folder.
pub const FILE: &str = "settings.toml";

/// The settings as written to [`FILE`].
pub fn settings_text(config: &Config) -> String {
    let body = toml::to_string(config).unwrap_or_default();
    format!(
        "# formcheck {}: the settings this result was made with\n{body}",
        env!("CARGO_PKG_VERSION")
    )
}

impl Exporter for SettingsToml {
    fn file_name(&self) -> &'static str {
        FILE
    }

    fn write(
        &self,
        _clip: &ClipAnalysis,
        config: &Config,
        out: &mut dyn Write,
    ) -> std::io::Result<()> {
        out.write_all(settings_text(config).as_bytes())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn written_settings_load_back_as_the_same_config() {
        let mut config = Config::default();
        config.faults.thoracic_rounding.max_increase_deg = 17.5;
        config.output.annotated_video = false;
        let text = settings_text(&config);
        let back = Config::from_toml(&text, std::path::Path::new(FILE)).unwrap();
        assert_eq!(back, config);
        assert!(text.contains("max_increase_deg = 17.5"), "{text}");
    }
}
