//! `bar_drift`: the bar swings forward, away from the legs, during the pull or the descent.
//!
//! Definition: the bar's horizontal position relative to mid-foot (heel/toe midpoint over the
//! stationary feet), + in the facing direction, in cm. Its largest forward excursion from
//! lift-off to the bar back on the floor, measured from where it sat at the set-up (over
//! mid-foot when the set-up is right: a bad set-up is `bar_away_from_shins`), must stay under
//! `max_forward_cm`. With no set-up in the clip, mid-foot itself is the reference. cm come
//! from the 450 mm plate when it is tracked, otherwise from the body-size fallback scale
//! (lower confidence: the wrists stand in for the bar then).
//!
//! Source: coaching texts ("keep the bar over mid-foot and on the shins/thighs all the way").
//!
//! Config: `[faults.bar_drift]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, max_in, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::Joint;
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub max_forward_cm: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_forward_cm: 5.0,
            min_confidence: 0.3,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[("max_forward_cm", 0.0, 100.0), ("min_confidence", 0.0, 1.0)];

pub struct BarDrift;

impl Fault for BarDrift {
    fn kind(&self) -> &'static str {
        "bar_drift"
    }

    fn title(&self) -> &'static str {
        "Bar drifts away from the legs"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.bar_drift;
        let k = input.kinematics;
        let bar = input.bar;
        let facing = k.facing.sign();
        let Some((from, to)) = rep.span(false) else {
            return Verdict::NotAssessable("the rep has no pull or descent in the clip".into());
        };
        if bar.midfoot_x_px.is_none() {
            return Verdict::NotAssessable(
                "mid-foot unknown: the feet are not seen in the clip".into(),
            );
        }
        if bar.scale.cm_per_px <= 0.0 {
            return Verdict::NotAssessable("no scale to turn pixels into cm".into());
        }
        let x: Vec<Option<f64>> = (0..k.frames())
            .map(|i| bar.x_cm_from_midfoot(i, facing))
            .collect();
        let reference = match rep.start_frame.or(rep.liftoff_frame) {
            Some(s) => super::at(&x, s),
            None => Some(0.0),
        };
        let Some(reference) = reference else {
            return Verdict::NotAssessable("the bar is not seen at the set-up".into());
        };
        let rel: Vec<Option<f64>> = x.iter().map(|v| v.map(|v| v - reference)).collect();
        let Some((peak, forward)) = max_in(&rel, from, to) else {
            return Verdict::NotAssessable("the bar is not seen during the rep".into());
        };
        // mid-foot is a median over the whole clip, so only the bar's visibility counts here;
        // the scale's confidence is 0.5 for the wrist stand-in scaled by body size
        let seen = confidence(k, &[Joint::Wrist], from, to);
        let confidence = seen * bar.scale.confidence;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        if forward <= cfg.max_forward_cm {
            return Verdict::Fine;
        }
        let over = |i: usize| super::at(&rel, i).is_some_and(|v| v > cfg.max_forward_cm);
        let (mut a, mut b) = (peak, peak);
        while a > from && over(a - 1) {
            a -= 1;
        }
        while b < to && over(b + 1) {
            b += 1;
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            forward,
            cfg.max_forward_cm,
            "cm",
            (a, b),
            confidence,
            "Bar drifts forward: keep it over mid-foot, dragging it up the shins and thighs; lats tight.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn run(keys: &[Key]) -> Verdict {
        assess_first_rep(&BarDrift, keys, None).1
    }

    #[test]
    fn vertical_bar_path_is_fine() {
        assert_eq!(run(&clean()), Verdict::Fine);
    }

    #[test]
    fn drifting_bar_is_found_in_cm() {
        // 25 px at ~0.44 cm/px (135 cm over the 310 px standing shoulder-to-ankle) ≈ 11 cm
        let Verdict::Found(f) = run(&drifting(25.0)) else {
            panic!()
        };
        assert!((f.value - 10.9).abs() < 1.0, "{f:?}");
        assert_eq!(f.unit, "cm");
    }
}
