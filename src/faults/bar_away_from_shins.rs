//! `bar_away_from_shins`: at the set-up the bar sits out in front of the shins.
//!
//! Definition: at the set-up, the horizontal distance (cm, + in front) from the shin line
//! (ankle→knee keypoints, read at the bar's height) to the bar exceeds
//! `faults.bar_away_from_shins.max_bar_from_shin_cm`. The keypoints sit at the joint centres, ~4–5 cm behind the
//! front of the shin, so a bar touching the shin reads ~5 cm.
//!
//! The bar's height is read in cm above the floor (22.5 cm for a full plate on the floor) and
//! placed on the shin by anatomy ([`shin_fraction`]), not at the bar's height in the picture:
//! the plate stands half a metre nearer the camera than the lifter, so a camera above it sees
//! the hub below the lifter's ankle (A09), and the shin line read there is the ankle.
//!
//! Source: coaching texts ("bar over mid-foot, shins touching the bar" before the pull).
//!
//! Config: `[faults.bar_away_from_shins]` in `formcheck.toml`, this file's [`Config`].

use serde::{Deserialize, Serialize};

use super::setup::{setup_frames, setup_half_frames};
use super::{confidence, finding, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Bar ahead of the shin line at set-up, cm: over this it is too far out.
    pub max_bar_from_shin_cm: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_bar_from_shin_cm: 10.0,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_bar_from_shin_cm", 0.0, 100.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct BarAwayFromShins;

/// Ankle and knee joint heights above the floor, cm, of a 175 cm adult (Winter's
/// anthropometric tables: lateral malleolus 0.039, femoral condyles 0.285 of the height).
const ANKLE_HEIGHT_CM: f64 = 6.8;
const KNEE_HEIGHT_CM: f64 = 49.9;
/// A full-size (450 mm) plate's radius: the hub's height resting on the floor.
const FULL_PLATE_RADIUS_CM: f64 = 22.5;

/// Where a bar `height_cm` above the floor meets the shin, from the ankle (0) to the knee (1).
/// A 160–190 cm lifter moves a full plate's 22.5 cm by ±0.04 of the shin.
pub fn shin_fraction(height_cm: f64) -> f64 {
    ((height_cm - ANKLE_HEIGHT_CM) / (KNEE_HEIGHT_CM - ANKLE_HEIGHT_CM)).clamp(0.0, 1.0)
}

impl Fault for BarAwayFromShins {
    fn kind(&self) -> &'static str {
        "bar_away_from_shins"
    }

    fn title(&self) -> &'static str {
        "Bar too far from the shins at set-up"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        setup_frames(k, rep)
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.bar_away_from_shins;
        let k = input.kinematics;
        let Some(s) = rep.start_frame else {
            return Verdict::NotAssessable("the clip does not show the set-up".into());
        };
        let bar = input.bar;
        // without a floor line the bar rests on the floor at the set-up: a plate's radius up
        let resting_cm = bar.plate.as_ref().map_or(FULL_PLATE_RADIUS_CM, |p| {
            p.diameter_px * bar.scale.cm_per_px / 2.0
        });
        // bar ahead of the shin line (px, + = forward) in one frame
        let ahead_px = |i: usize| -> Option<f64> {
            let bx = bar.samples.get(i)?.x_px?;
            let (knee, ankle) = (k.at(Joint::Knee, i)?, k.at(Joint::Ankle, i)?);
            let t = shin_fraction(bar.height_cm(i).unwrap_or(resting_cm));
            let shin_x = ankle.0 + (knee.0 - ankle.0) * t;
            Some(k.facing.sign() * (bx - shin_x))
        };
        if ahead_px(s).is_none() {
            return Verdict::NotAssessable("bar, knee or ankle unknown at the set-up".into());
        }
        // plates hide the ankles at the set-up: their visibility decides
        let confidence =
            confidence(k, &[Joint::Knee, Joint::Ankle, Joint::Wrist], s, s) * bar.scale.confidence;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        // one frame's knee and ankle keypoints move by several pixels: the median over 0.2 s
        let Some(ahead) = super::median_around(k, s, setup_half_frames(k), ahead_px) else {
            return Verdict::NotAssessable("bar, knee or ankle unknown at the set-up".into());
        };
        let cm = ahead * bar.scale.cm_per_px;
        if cm <= cfg.max_bar_from_shin_cm {
            return Verdict::Fine;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            cm,
            cfg.max_bar_from_shin_cm,
            "cm",
            (s, s),
            confidence,
            "Bar too far from the shins: start with the bar over mid-foot, shins touching it.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    /// The bar `dx_px` ahead of mid-foot while the lifter sets up.
    fn setup_bar_ahead(dx_px: f64) -> Vec<Key> {
        let mut k = clean();
        k[0].wrist_dx = dx_px;
        k[1].wrist_dx = dx_px;
        k
    }

    /// Judged with the scale of a tracked plate: the body-size fallback (confidence 0.5)
    /// is too uncertain for centimetres at the set-up.
    fn run(keys: &[Key]) -> Verdict {
        let mut scene = Scene::new(keys);
        scene.bar.scale.confidence = 0.9;
        BarAwayFromShins.assess(&scene.input(), &scene.reps[0])
    }

    #[test]
    fn the_body_size_scale_is_too_uncertain_to_judge() {
        let v = assess_first_rep(&BarAwayFromShins, &clean(), None).1;
        assert!(matches!(v, Verdict::NotAssessable(_)), "{v:?}");
    }

    #[test]
    fn a_plate_on_the_floor_meets_the_shin_a_third_of_the_way_up() {
        assert!((shin_fraction(22.5) - 0.36).abs() < 0.01);
        assert_eq!(shin_fraction(0.0), 0.0);
        assert_eq!(shin_fraction(80.0), 1.0);
    }

    #[test]
    fn bar_over_mid_foot_is_fine() {
        assert_eq!(run(&clean()), Verdict::Fine);
    }

    #[test]
    fn bar_out_in_front_at_setup_is_found_in_cm() {
        let v = run(&setup_bar_ahead(70.0));
        let Verdict::Found(f) = v else {
            panic!("70 px (~30 cm) ahead of mid-foot, ~20 cm of the shin: {v:?}")
        };
        assert!(f.value > 12.0 && f.value < 30.0, "{f:?}");
        assert_eq!(f.unit, "cm");
    }
}
