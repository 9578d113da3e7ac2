//! Configuration: every threshold, filter setting and the model choice, read from
//! `formcheck.toml` (or `--config PATH`). Each stage defines its own section and its
//! defaults (`pose::PoseConfig`, `kinematics::FilterConfig`, …, each fault's `Config`); this
//! module puts them together, reads the file and checks every value against its range. The
//! shipped `formcheck.toml` documents the source of each default. Unknown keys and wrong
//! types are errors, never silently ignored.

use std::path::Path;

use serde::{Deserialize, Serialize};

pub use crate::bar::BarConfig;
use crate::error::{Error, Result};
pub use crate::faults::FaultsConfig;
pub use crate::kinematics::{FilterConfig, ReliabilityConfig};
pub use crate::pose::{ModelKind, PoseConfig};
pub use crate::reps::RepsConfig;
pub use crate::view::ViewConfig;

pub mod ranges;

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub pose: PoseConfig,
    pub filter: FilterConfig,
    pub reliability: ReliabilityConfig,
    pub view: ViewConfig,
    pub reps: RepsConfig,
    pub bar: BarConfig,
    /// `[faults.<kind>]`: each fault's own settings, defined in its file.
    pub faults: FaultsConfig,
    pub output: OutputConfig,
}

/// What is written besides the analysis.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OutputConfig {
    /// `annotated.mp4` is scaled down so its short side is at most this (px); 0 = the video's
    /// own size.
    pub annotated_max_short_side_px: u32,
    /// Write `annotated.mp4` and the fault thumbnails (a second decode, the drawing and an
    /// encode: about a third of a run). `--no-video` sets it to false.
    pub annotated_video: bool,
    /// Write one short H.264 clip per rep (`clips/rep2_rounded_upper_back.mp4`), cut from the
    /// input with ffmpeg. `--clips` sets it to true.
    pub rep_clips: bool,
}

impl Default for OutputConfig {
    fn default() -> Self {
        OutputConfig {
            annotated_max_short_side_px: 720,
            annotated_video: true,
            rep_clips: false,
        }
    }
}

impl Config {
    /// Parses TOML text; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &Path) -> Result<Self> {
        if let Some(reason) = moved_section(text) {
            return Err(Error::Config {
                path: origin.to_path_buf(),
                reason,
            });
        }
        let config: Config = toml::from_str(text).map_err(|e| Error::Config {
            path: origin.to_path_buf(),
            reason: one_line(&e.to_string()),
        })?;
        config
            .validate()
            .and_then(|_| ranges::check(&config))
            .map_err(|reason| Error::Config {
                path: origin.to_path_buf(),
                reason,
            })?;
        Ok(config)
    }

    /// Reads and parses a config file.
    pub fn load(path: &Path) -> Result<Self> {
        let text = std::fs::read_to_string(path).map_err(|e| Error::Config {
            path: path.to_path_buf(),
            reason: e.to_string(),
        })?;
        Self::from_toml(&text, path)
    }

    /// Range checks that types alone cannot express.
    pub fn validate(&self) -> std::result::Result<(), String> {
        let f = &self.filter;
        if !(0.0..=1.0).contains(&f.min_visibility) {
            return Err(format!(
                "filter.min_visibility must be in 0..1, got {}",
                f.min_visibility
            ));
        }
        if f.butterworth_cutoff_hz.is_nan() || f.butterworth_cutoff_hz <= 0.0 {
            return Err("filter.butterworth_cutoff_hz must be > 0".into());
        }
        if f.butterworth_order == 0
            || !f.butterworth_order.is_multiple_of(2)
            || f.butterworth_order > 8
        {
            return Err(format!("filter.butterworth_order must be 2, 4, 6 or 8 (zero-phase doubles a half-order pass), got {}", f.butterworth_order));
        }
        if f.hampel_window_frames < 3 {
            return Err("filter.hampel_window_frames must be >= 3".into());
        }
        for (key, fps) in [
            ("analysis_fps", self.pose.analysis_fps),
            ("mask_fps", self.pose.mask_fps),
        ] {
            if !(fps == 0.0 || (5.0..=240.0).contains(&fps)) {
                return Err(format!(
                    "pose.{key} must be 0 (every frame) or 5..240, got {fps}"
                ));
            }
        }
        let lag = self.pose.hip_tracking_lag_frames;
        if !(0.0..=5.0).contains(&lag) {
            return Err(format!(
                "pose.hip_tracking_lag_frames must be in 0..5, got {lag}"
            ));
        }
        if self.bar.plate_diameter_cm.is_nan() || self.bar.plate_diameter_cm <= 5.0 {
            return Err("bar.plate_diameter_cm must be > 5".into());
        }
        Ok(())
    }
}

/// The fault sections of the layout before `[faults.<kind>]`, and where they went.
const MOVED_SECTIONS: &[(&str, &str)] = &[
    ("thoracic_rounding", "[faults.thoracic_rounding]"),
    ("hips_shoot_up", "[faults.hips_shoot_up]"),
    ("lockout_hyperextension", "[faults.lockout_hyperextension]"),
    ("bar_drift", "[faults.bar_drift]"),
    (
        "setup",
        "[faults.hips_too_low_at_setup], [faults.hips_too_high_at_setup] and [faults.bar_away_from_shins]",
    ),
    ("neck", "[faults.neck_hyperextension]"),
    ("jerk", "[faults.bar_jerked_off_floor]"),
    ("lockout", "[faults.incomplete_lockout]"),
];

/// A config written for the old layout gets told where its section went, not only that
/// the key is unknown.
fn moved_section(text: &str) -> Option<String> {
    let table: toml::Table = toml::from_str(text).ok()?;
    MOVED_SECTIONS
        .iter()
        .find(|(old, _)| table.contains_key(*old))
        .map(|(old, new)| format!("section [{old}] is now {new}"))
}

/// TOML errors span several lines; we promise one-line errors.
fn one_line(s: &str) -> String {
    s.split('\n')
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('|'))
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn empty_file_gives_defaults() {
        let c = Config::from_toml("", Path::new("x.toml")).unwrap();
        assert_eq!(c, Config::default());
        assert_eq!(c.faults.thoracic_rounding.max_increase_deg, 13.5);
    }

    #[test]
    fn unknown_key_is_an_error() {
        let e = Config::from_toml(
            "[faults.bar_drift]\nmax_forward_cmm = 3\n",
            Path::new("x.toml"),
        )
        .unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.contains("x.toml") && msg.contains("max_forward_cmm"),
            "{msg}"
        );
        assert!(!msg.contains('\n'));
    }

    #[test]
    fn wrong_type_is_an_error() {
        let e = Config::from_toml(
            "[faults.bar_drift]\nmax_forward_cm = \"five\"\n",
            Path::new("x.toml"),
        )
        .unwrap_err();
        assert!(e.to_string().contains("x.toml"));
    }

    #[test]
    fn a_fault_section_of_the_old_layout_names_its_new_place() {
        let e = Config::from_toml("[setup]\nmin_confidence = 0.4\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("[faults.hips_too_low_at_setup]"), "{e}");
        let e = Config::from_toml("[jerk]\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(e.contains("[faults.bar_jerked_off_floor]"), "{e}");
    }

    #[test]
    fn shipped_config_matches_defaults() {
        let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("formcheck.toml");
        let c = Config::load(&path).unwrap();
        assert_eq!(
            c,
            Config::default(),
            "formcheck.toml and the defaults in config.rs disagree"
        );
    }
}
