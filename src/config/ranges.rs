//! Valid ranges of every numeric config key, checked against the parsed config so a value
//! that would hang or exhaust memory (NaN, infinities, negative limits, zero or huge windows,
//! more model threads than cores) is refused up front with one line naming the file, key,
//! value and range. The shipped `formcheck.toml` documents each range as `valid: MIN..MAX`
//! next to its key (a test keeps the two in step, and one that every numeric key of the
//! default config has a range, so a new key cannot slip through unchecked).

use super::Config;

/// The upper end of a range.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Max {
    Value(f64),
    /// The machine's cores (model threads).
    Cores,
}

/// `(key, min, max)`, both ends inclusive, of every stage section; each fault keeps its
/// own (see [`ranges`]).
pub const RANGES: &[(&str, f64, Max)] = &[
    ("pose.min_detection_score", 0.0, Max::Value(1.0)),
    ("pose.min_pose_score", 0.0, Max::Value(1.0)),
    ("pose.threads", 0.0, Max::Cores),
    (
        "pose.hip_forward_offset_torso_fraction",
        0.0,
        Max::Value(0.5),
    ),
    ("pose.analysis_fps", 0.0, Max::Value(240.0)),
    ("pose.still_speed_torso_per_s", 0.0, Max::Value(10.0)),
    ("pose.mask_fps", 0.0, Max::Value(240.0)),
    ("pose.hip_tracking_lag_frames", 0.0, Max::Value(5.0)),
    ("filter.min_visibility", 0.0, Max::Value(1.0)),
    ("filter.hampel_window_frames", 3.0, Max::Value(301.0)),
    ("filter.hampel_n_sigma", 0.5, Max::Value(20.0)),
    ("filter.max_gap_s", 0.0, Max::Value(5.0)),
    ("filter.butterworth_cutoff_hz", 0.1, Max::Value(60.0)),
    ("filter.butterworth_order", 2.0, Max::Value(8.0)),
    ("reliability.min_score", 0.0, Max::Value(1.0)),
    ("reliability.segment_tolerance", 0.05, Max::Value(1.0)),
    ("reliability.segment_limit", 0.1, Max::Value(3.0)),
    (
        "reliability.max_joint_speed_torso_per_s",
        1.0,
        Max::Value(50.0),
    ),
    (
        "reliability.max_joint_accel_torso_per_s2",
        10.0,
        Max::Value(2000.0),
    ),
    ("reliability.jitter_px", 0.0, Max::Value(20.0)),
    ("reliability.visibility_zero", 0.0, Max::Value(1.0)),
    ("reliability.visibility_full", 0.0, Max::Value(1.0)),
    ("reliability.torso_px_zero", 1.0, Max::Value(500.0)),
    ("reliability.torso_px_full", 1.0, Max::Value(500.0)),
    ("reliability.min_ankle_below_hip_leg", 0.0, Max::Value(1.0)),
    (
        "reliability.min_reliable_rep_fraction",
        0.0,
        Max::Value(1.0),
    ),
    ("view.max_shoulder_separation_ratio", 0.0, Max::Value(5.0)),
    ("view.max_hip_separation_ratio", 0.0, Max::Value(5.0)),
    ("view.min_person_fraction", 0.0, Max::Value(1.0)),
    ("view.min_torso_px", 5.0, Max::Value(1000.0)),
    ("reps.min_travel_torso_fraction", 0.0, Max::Value(5.0)),
    ("reps.phase_band_fraction", 0.0, Max::Value(0.5)),
    ("reps.setup_window_s", 0.0, Max::Value(30.0)),
    (
        "reps.max_bar_above_hip_torso_fraction",
        0.0,
        Max::Value(5.0),
    ),
    ("reps.min_hip_rise_torso_fraction", 0.0, Max::Value(5.0)),
    ("reps.min_trunk_rise_deg", 0.0, Max::Value(90.0)),
    ("reps.min_pull_s", 0.05, Max::Value(5.0)),
    ("reps.max_pull_s", 1.0, Max::Value(600.0)),
    ("reps.min_top_hip_deg", 90.0, Max::Value(180.0)),
    ("reps.min_top_knee_deg", 90.0, Max::Value(180.0)),
    (
        "reps.max_concentric_velocity_m_per_s",
        0.5,
        Max::Value(10.0),
    ),
    ("reps.max_range_height_fraction", 0.2, Max::Value(2.0)),
    (
        "reps.max_bar_from_midfoot_height_fraction",
        0.1,
        Max::Value(1.0),
    ),
    ("bar.plate_diameter_cm", 5.0, Max::Value(100.0)),
    ("bar.min_plate_axis_ratio", 0.0, Max::Value(1.0)),
    ("bar.fallback_shoulder_to_ankle_cm", 50.0, Max::Value(250.0)),
    (
        "output.annotated_max_short_side_px",
        16.0,
        Max::Value(4320.0),
    ),
];

/// The machine's cores.
pub fn cores() -> usize {
    std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
}

/// A range as the user reads it: `0..1`, `0..cores (2 here)`.
pub fn describe(min: f64, max: Max) -> String {
    match max {
        Max::Value(m) => format!("{min}..{m}"),
        Max::Cores => format!("{min}..cores ({} here)", cores()),
    }
}

/// Every numeric leaf of the config as `(dotted key, value)`.
pub fn numeric_keys(config: &Config) -> Vec<(String, f64)> {
    let mut out = Vec::new();
    if let Ok(toml::Value::Table(t)) = toml::Value::try_from(config) {
        leaves("", &t, &mut out);
    }
    out
}

fn leaves(prefix: &str, table: &toml::map::Map<String, toml::Value>, out: &mut Vec<(String, f64)>) {
    for (k, v) in table {
        let key = if prefix.is_empty() {
            k.clone()
        } else {
            format!("{prefix}.{k}")
        };
        match v {
            toml::Value::Integer(i) => out.push((key, *i as f64)),
            toml::Value::Float(f) => out.push((key, *f)),
            toml::Value::Table(t) => leaves(&key, t, out),
            _ => {}
        }
    }
}

/// Every key's range: the stages' [`RANGES`] and each fault's own, under `faults.<kind>.`.
pub fn ranges() -> Vec<(String, f64, Max)> {
    let stages = RANGES
        .iter()
        .map(|&(k, min, max)| (k.to_string(), min, max));
    let faults = crate::faults::registry().into_iter().flat_map(|f| {
        f.config_ranges()
            .iter()
            .map(move |&(k, min, max)| (format!("faults.{}.{k}", f.kind()), min, Max::Value(max)))
            .collect::<Vec<_>>()
    });
    stages.chain(faults).collect()
}

/// The first numeric key outside its range, as one line: `key = value is outside its valid
/// range MIN..MAX`. Keys without a range pass here (the tests catch them).
pub fn check(config: &Config) -> Result<(), String> {
    let ranges = ranges();
    for (key, value) in numeric_keys(config) {
        let Some(&(_, min, max)) = ranges.iter().find(|(k, _, _)| *k == key) else {
            continue;
        };
        let hi = match max {
            Max::Value(m) => m,
            Max::Cores => cores() as f64,
        };
        if !(value >= min && value <= hi) {
            let shown = if value.abs() >= 1e15 {
                format!("{value:e}")
            } else {
                format!("{value}")
            };
            return Err(format!(
                "{key} = {shown} is outside its valid range {}",
                describe(min, max)
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_numeric_key_of_the_default_config_has_a_range() {
        let keys = numeric_keys(&Config::default());
        assert!(keys.len() > 40, "{keys:?}");
        let ranges = ranges();
        let missing: Vec<_> = keys
            .iter()
            .filter(|(k, _)| !ranges.iter().any(|(r, _, _)| r == k))
            .map(|(k, _)| k.as_str())
            .collect();
        assert!(
            missing.is_empty(),
            "numeric keys without a range in config_ranges.rs: {missing:?}"
        );
        let stale: Vec<_> = ranges
            .iter()
            .filter(|(r, _, _)| !keys.iter().any(|(k, _)| k == r))
            .map(|(r, _, _)| r.as_str())
            .collect();
        assert!(
            stale.is_empty(),
            "ranges for keys the config no longer has: {stale:?}"
        );
        assert_eq!(check(&Config::default()), Ok(()));
    }

    #[test]
    fn the_shipped_config_documents_each_range() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("formcheck.toml");
        let text = std::fs::read_to_string(path).unwrap();
        let ranges = ranges();
        let mut section = String::new();
        let mut documented = 0;
        for line in text.lines() {
            let line = line.trim();
            if let Some(s) = line.strip_prefix('[') {
                section = s.trim_end_matches(']').to_string();
                continue;
            }
            let Some((key, _)) = line.split_once('=') else {
                continue;
            };
            if line.starts_with('#') {
                continue;
            }
            let key = format!("{section}.{}", key.trim());
            if let Some(&(_, min, max)) = ranges.iter().find(|(k, _, _)| *k == key) {
                let want = match max {
                    Max::Value(m) => format!("valid: {min}..{m}"),
                    Max::Cores => format!("valid: {min}..cores"),
                };
                assert!(
                    line.contains(&want),
                    "formcheck.toml: {key} should say '{want}': {line}"
                );
                documented += 1;
            }
        }
        assert_eq!(documented, ranges.len());
    }

    #[test]
    fn nan_infinite_negative_and_huge_values_are_refused() {
        let mut c = Config::default();
        c.faults.bar_drift.max_forward_cm = f64::INFINITY;
        let e = check(&c).unwrap_err();
        assert!(
            e.contains("faults.bar_drift.max_forward_cm = inf") && e.contains("0..100"),
            "{e}"
        );
        let mut c = Config::default();
        c.faults.thoracic_rounding.max_increase_deg = f64::NAN;
        assert!(check(&c).unwrap_err().contains("NaN"));
        let mut c = Config::default();
        c.faults.bar_drift.max_forward_cm = -1.0;
        assert!(check(&c).is_err());
        let mut c = Config::default();
        c.filter.hampel_window_frames = 4_000_000_000;
        assert!(check(&c).unwrap_err().contains("hampel_window_frames"));
        let mut c = Config::default();
        c.pose.threads = 100_000;
        assert!(check(&c).unwrap_err().contains("cores"));
        let mut c = Config::default();
        c.pose.threads = cores();
        assert_eq!(check(&c), Ok(()));
    }
}
