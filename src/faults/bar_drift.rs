//! `bar_drift`: the bar swings forward, away from the legs, during the pull or the descent.
//!
//! Definition: the bar's horizontal position relative to mid-foot (heel/toe midpoint over the
//! stationary feet), + in the facing direction, in cm. Its largest forward excursion while
//! the bar moves along the legs — the pull from lift-off to the top, and the descent once the
//! bar is back below the height it passed the knee at on the way up — measured from where it
//! last rested on the floor before lift-off ([`reference_frame`]; over mid-foot when the
//! set-up is right, a bad set-up is `bar_away_from_shins`), held for [`HOLD_S`], must stay
//! under `max_forward_cm`. With no set-up in the clip, mid-foot itself is the reference. cm come
//! from the 450 mm plate when it is tracked, otherwise from the body-size fallback scale
//! (lower confidence: the wrists stand in for the bar then).
//!
//! Not read: the lockout hold and the descent down the thighs. There the bar rests on the
//! thighs, whose front stands ahead of the shins by the lifter's build: on the labelled real
//! clips the hold read 4.6–8.2 cm ahead of the set-up on good and faulted lifts alike (A02,
//! A16, B26, B27 as B04, B06), so a reading there cannot tell a drift from a thigh.
//!
//! Source: coaching texts ("keep the bar over mid-foot and on the shins/thighs all the way").
//!
//! Config: `[faults.bar_drift]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, Fault, FaultInput, KeyRange, Verdict};
use crate::bar::BarTrack;
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

/// A drift is a stretch of the bar's path, not one frame: the level the forward position holds
/// this long counts. A loaded bar does not go 5 cm forward and back within 0.1 s (1.5 m/s
/// sideways); one frame's peak is the tracker's (B11 mirrored: 5.1 cm on the top frame alone,
/// its neighbours under 5, the clip as filmed under 5 throughout).
pub const HOLD_S: f64 = 0.1;

/// The largest forward position from the reference (cm, `None` where not read) that the bar
/// holds for [`HOLD_S`] within `from..=to`, and where: the fault's `value`, and the report's
/// drift figure.
pub fn held_drift(
    rel_cm: &[Option<f64>],
    from: usize,
    to: usize,
    fps: f64,
) -> Option<(usize, f64)> {
    let half = ((HOLD_S * fps / 2.0).floor() as usize).max(1);
    super::held_max_in(rel_cm, from, to, half)
}

/// Height above its lowest point between the set-up and lift-off under which the bar still
/// rests on the floor (cm): about the hub's jitter at rest (a few mm), under what a drifting
/// bar has moved forward by as it rises (on the drift renders 1 cm forward 1.5 cm up).
const ON_FLOOR_CM: f64 = 0.5;

/// The frame the drift is measured from: the last one before lift-off with the bar still on
/// the floor (else the set-up's first frame). Not the set-up's first frame: lifters roll the
/// bar into place along the floor before they pull, and a tracker that finds the plate before
/// the pose may follow it there (C03: 36 cm along the floor before lift-off, read as a 48 cm
/// drift); a bar on the floor is not drifting from the legs. Not the rep's lift-off frame
/// either: that is found a band above the floor, when a drifting bar has already moved.
pub fn reference_frame(rep: &Rep, bar: &BarTrack) -> Option<usize> {
    let Some(liftoff) = rep.liftoff_frame else {
        return rep.start_frame;
    };
    let from = rep.start_frame.unwrap_or(liftoff).min(liftoff);
    (from..=liftoff)
        .filter_map(|i| bar.height_cm(i))
        .reduce(f64::min)
        .and_then(|floor| {
            (from..=liftoff)
                .rev()
                .find(|&i| bar.height_cm(i).is_some_and(|h| h <= floor + ON_FLOOR_CM))
        })
        .or(Some(liftoff))
}

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
        let Some(rel) = forward_of_reference_cm(rep, bar, facing, from, to) else {
            return Verdict::NotAssessable("the bar is not seen at the set-up".into());
        };
        let Some((peak, forward)) = held_drift(&rel, from, to, k.fps) else {
            let seen = (from..=to).any(|i| super::at(&rel, i).is_some());
            return Verdict::NotAssessable(if seen {
                format!(
                    "the bar is read on too few frames of this rep to hold a drift ({HOLD_S} s)"
                )
            } else {
                "the bar is not seen during the rep".into()
            });
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

/// Per frame up to `to`, the bar's position (cm, + in the facing direction) ahead of where the
/// rep's drift is measured from (the bar at [`reference_frame`], else mid-foot), on the
/// frames of `from..=to` the fault reads ([`moving_along_legs`]) and `None` elsewhere: what
/// the fault and the report's drift figure both read. `None` when the bar is not seen at the
/// reference frame.
pub fn forward_of_reference_cm(
    rep: &Rep,
    bar: &BarTrack,
    facing_sign: f64,
    from: usize,
    to: usize,
) -> Option<Vec<Option<f64>>> {
    let reference = match reference_frame(rep, bar) {
        Some(s) => bar.x_cm_from_midfoot(s, facing_sign)?,
        None => 0.0,
    };
    let read = moving_along_legs(rep, bar, from, to);
    Some(
        (0..=to)
            .map(|i| Some(bar.x_cm_from_midfoot(i, facing_sign)? - reference).filter(|_| read(i)))
            .collect(),
    )
}

/// The frames of `from..=to` where the bar moves along the legs: the pull up to the top
/// (`lockout_frame`), and after the hold (`descent_frame`) the frames where the bar is back
/// below its height at the knee on the way up (`knee_frame`). The report's drift figures read
/// the same frames.
pub fn moving_along_legs<'a>(
    rep: &Rep,
    bar: &'a BarTrack,
    from: usize,
    to: usize,
) -> impl Fn(usize) -> bool + 'a {
    let pull_end = rep.lockout_frame.unwrap_or(to).clamp(from, to);
    let descent = rep.descent_frame.unwrap_or(usize::MAX).max(pull_end);
    let knee_cm = rep.knee_frame.and_then(|kf| bar.height_cm(kf));
    move |i| {
        (from..=pull_end).contains(&i)
            || (i > descent
                && i <= to
                && knee_cm.is_some_and(|k| bar.height_cm(i).is_some_and(|h| h <= k)))
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

    /// The clean rep with the bar `dx` px forward over `start..=end` (keys added at both ends,
    /// on the clean rep's own path).
    fn forward_during(dx: f64, start: usize, end: usize) -> Vec<Key> {
        let base = clean();
        let at = |frame: usize, dx: f64| Key {
            wrist_dx: dx,
            ..pose_at(&base, frame)
        };
        let mut keys: Vec<Key> = base
            .iter()
            .copied()
            .filter(|k| k.frame < start || k.frame > end)
            .collect();
        keys.extend([
            at(start, 0.0),
            at(start + 3, dx),
            at(end - 3, dx),
            at(end, 0.0),
        ]);
        keys.sort_by_key(|k| k.frame);
        keys
    }

    #[test]
    fn one_frame_ahead_is_the_tracker_not_a_drift() {
        let mut scene = Scene::new(&clean());
        let rep = scene.reps[0].clone();
        let mid = (rep.liftoff_frame.unwrap() + rep.lockout_frame.unwrap()) / 2;
        let bump = |scene: &mut Scene, frames: std::ops::RangeInclusive<usize>| {
            for i in frames {
                let s = &mut scene.bar.samples[i];
                s.x_px = s.x_px.map(|x| x + 25.0);
            }
        };
        // ~11 cm ahead on one frame of the pull: 1.5 m/s sideways there and back
        bump(&mut scene, mid..=mid);
        assert_eq!(BarDrift.assess(&scene.input(), &rep), Verdict::Fine);
        // the same held for five frames is a drift
        bump(&mut scene, mid + 1..=mid + 4);
        let v = BarDrift.assess(&scene.input(), &rep);
        assert!(matches!(v, Verdict::Found(ref f) if f.value > 9.0), "{v:?}");
    }

    #[test]
    fn a_bar_ahead_in_the_lockout_hold_is_the_thighs_not_a_drift() {
        // 25 px (~11 cm) ahead while the lifter stands at the top (hold 65–80)
        let keys = forward_during(25.0, 66, 79);
        let (reps, verdict) = assess_first_rep(&BarDrift, &keys, None);
        assert!(
            reps[0].lockout_frame.is_some_and(|l| l <= 66),
            "{:?}",
            reps[0]
        );
        assert_eq!(verdict, Verdict::Fine);
    }

    #[test]
    fn a_bar_rolled_along_the_floor_before_lift_off_is_not_a_drift() {
        // the bar starts 25 px (~11 cm) behind and is rolled into place by frame 12, then a
        // vertical pull from there
        let base = clean();
        let mut keys: Vec<Key> = base.iter().copied().filter(|k| k.frame > 15).collect();
        let at = |frame: usize, dx: f64| Key {
            wrist_dx: dx,
            ..pose_at(&base, frame)
        };
        keys.extend([at(0, -25.0), at(6, -25.0), at(12, 0.0), at(15, 0.0)]);
        keys.sort_by_key(|k| k.frame);
        let (reps, verdict) = assess_first_rep(&BarDrift, &keys, None);
        assert!(reps[0].start_frame.is_some_and(|s| s < 6), "{:?}", reps[0]);
        assert_eq!(verdict, Verdict::Fine);
    }

    #[test]
    fn a_bar_ahead_below_the_knee_on_the_way_down_is_a_drift() {
        // the descent runs 80–110; the bar passes the knee height at 95
        let keys = forward_during(25.0, 97, 107);
        let Verdict::Found(f) = assess_first_rep(&BarDrift, &keys, None).1 else {
            panic!("a bar away from the shins on the way down is a drift")
        };
        assert!(f.start_frame >= 97 && f.end_frame <= 107, "{f:?}");
    }
}
