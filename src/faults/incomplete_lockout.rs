//! `incomplete_lockout`: the rep ends without standing tall.
//!
//! Definition: over the lockout (lockout frame to the start of the descent) the largest hip angle
//! stays under `min_hip_angle_deg` or the largest knee angle under `min_knee_angle_deg` (180 =
//! straight). `value` is the angle that falls short most. A clip that ends, with no descent, while
//! the hips are still opening, or less than [`END_WINDOW_S`] after the top, has not shown the end
//! of the lockout: not assessable rather than incomplete; so with no descent are hips still opening
//! half a second after the bar's top (the bar's track put the top too early), and, in a rep whose
//! pull the clip does not show, hips already closing from the clip's first frames (the clip starts
//! in the descent). The hip limit counts only while the trunk stays forward of vertical by more
//! than [`UPRIGHT_TRUNK_DEG`]: hips that are not through leave the trunk leaning forward, while a
//! short hip angle under an upright trunk comes from the thigh line, whose knee end the plates hide
//! at the top (bent knees are the knee limit's to judge). The knee limit reads only frames whose
//! knee the near plate does not cover: at the top of a side-view pull the plate's disc usually
//! hides the near knee, and the model draws a hidden knee from the legs it guesses (B26 shrunk as
//! if filmed from further away read 145–158° through a lockout the clip as filmed reads at
//! 152–166°). The knee must be clear of the plate in at least half of the lockout's knee readings;
//! otherwise an upright trunk, or the hip angle, judges the rep alone.
//!
//! Source: coaching texts (the lockout is hips and knees fully extended, glutes squeezed).
//!
//! Config: `[faults.incomplete_lockout]` in `formcheck.toml`, this file's [`Config`].

use super::{
    confidence, finding, lockout_end, lockout_frames, max_in, Fault, FaultInput, KeyRange, Verdict,
};
use crate::kinematics::{Joint, Kinematics};
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub min_hip_angle_deg: f64,
    pub min_knee_angle_deg: f64,
    pub min_confidence: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            min_hip_angle_deg: 165.0,
            min_knee_angle_deg: 160.0,
            min_confidence: 0.5,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("min_hip_angle_deg", 90.0, 180.0),
    ("min_knee_angle_deg", 90.0, 180.0),
    ("min_confidence", 0.0, 1.0),
];

pub struct IncompleteLockout;

/// A trunk this close to vertical (deg forward) at the lockout has the hips through. From a
/// 1.6 m camera the model's hip angle read 164° at the top against a true 175°, with the
/// trunk at 3° (true 0.3°): the trunk line is the steadiest measure there.
const UPRIGHT_TRUNK_DEG: f64 = 10.0;

/// The end of a clip over which the hips are checked for still opening.
const END_WINDOW_S: f64 = 0.3;
/// Opening by more than this over that window, up to its last 0.1 s, is still rising.
const MIN_RISE_DEG: f64 = 3.0;
/// The hip angle wobbles by 1–3° frame to frame: the last reading may sit that far under the
/// window's largest, which must fall in its last `TAIL_S`.
const WOBBLE_DEG: f64 = 3.0;
const TAIL_S: f64 = 0.1;

/// The rise (degrees) of `series` over `from..=to` when it is still rising at `to`: its
/// largest known value falls within the last `tail_frames` known values, the last is within
/// `WOBBLE_DEG` of it, and it exceeds the window's smallest by more than `MIN_RISE_DEG` (the
/// rise).
fn still_rising(series: &[Option<f64>], from: usize, to: usize, tail_frames: usize) -> Option<f64> {
    let values: Vec<f64> = (from..=to).filter_map(|i| super::at(series, i)).collect();
    let last = *values.last()?;
    let max = values.iter().copied().fold(f64::MIN, f64::max);
    let min = values.iter().copied().fold(f64::MAX, f64::min);
    let tail = &values[values.len().saturating_sub(tail_frames.max(1))..];
    let peak_in_tail = tail.iter().any(|&v| v >= max);
    (peak_in_tail && last >= max - WOBBLE_DEG && max - min > MIN_RISE_DEG).then_some(max - min)
}

impl Fault for IncompleteLockout {
    fn kind(&self) -> &'static str {
        "incomplete_lockout"
    }

    fn title(&self) -> &'static str {
        "Incomplete lockout"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn frames_read(&self, k: &Kinematics, rep: &Rep) -> Option<(usize, usize, &'static str)> {
        lockout_frames(k, rep)
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.incomplete_lockout;
        let k = input.kinematics;
        let (Some(from), Some(to)) = (rep.lockout_frame, lockout_end(k, rep)) else {
            return Verdict::NotAssessable("the clip does not show the lockout".into());
        };
        let confidence = confidence(k, &[Joint::Shoulder, Joint::Hip, Joint::Knee], from, to);
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let upright = super::min_in(&k.angles.trunk_angle_deg, from, to)
            .is_some_and(|(_, t)| t <= UPRIGHT_TRUNK_DEG);
        let hip = max_in(&k.angles.hip_angle_deg, from, to)
            .map(|x| x.1)
            .filter(|_| !upright);
        let knee_angle = &k.angles.knee_angle_deg;
        let knee_seen: Vec<Option<f64>> = (0..=to)
            .map(|i| {
                let (x, y) = k.at(Joint::Knee, i)?;
                (!input.bar.plate_covers(i, x, y)).then_some(super::at(knee_angle, i)?)
            })
            .collect();
        // a knee clear of the plate in only a few frames (on its rim) is not the lockout's: the
        // plate must leave it clear in half the readings
        let count = |s: &[Option<f64>]| (from..=to).filter(|&i| super::at(s, i).is_some()).count();
        let knee_hidden = 2 * count(&knee_seen) < count(knee_angle);
        let knee = max_in(&knee_seen, from, to)
            .map(|x| x.1)
            .filter(|_| !knee_hidden);
        if knee.is_none() && hip.is_none() {
            return match (knee_hidden, upright) {
                // the hips are through; the plate hides whether the knees are
                (true, true) => Verdict::Fine,
                (true, false) => Verdict::NotAssessable(
                    "the near plate hides the knee at lockout and the hip angle is unknown".into(),
                ),
                (false, _) => {
                    Verdict::NotAssessable("hip and knee angles unknown at lockout".into())
                }
            };
        }
        let short = [
            hip.map(|h| (cfg.min_hip_angle_deg - h, h, cfg.min_hip_angle_deg)),
            knee.map(|kn| (cfg.min_knee_angle_deg - kn, kn, cfg.min_knee_angle_deg)),
        ]
        .into_iter()
        .flatten()
        .max_by(|a, b| a.0.total_cmp(&b.0));
        let Some((_, value, threshold)) = short.filter(|s| s.0 > 0.0) else {
            return Verdict::Fine;
        };
        // a rep whose pull the clip does not show starts at its top: hips already closing there
        // are the descent, and the lockout before it is not in the clip
        if rep.start_frame.is_none() && rep.liftoff_frame.is_none() {
            let window = (END_WINDOW_S * k.fps).round() as usize;
            let head = (TAIL_S * k.fps).round() as usize;
            let backwards: Vec<Option<f64>> = (from..=to.min(from + window))
                .rev()
                .map(|i| super::at(&k.angles.hip_angle_deg, i))
                .collect();
            let last = backwards.len().saturating_sub(1);
            if let Some(fall) = still_rising(&backwards, 0, last, head) {
                return Verdict::NotAssessable(format!(
                    "the clip starts at the top with the hips already closing (−{fall:.0}° in \
                     its first {END_WINDOW_S} s): the lockout is not in the clip"
                ));
            }
        }
        // without a descent the lockout is read up to the clip's end or for half a second
        // from the bar's top; hips still opening at its end have not reached the top there
        if rep.descent_frame.is_none() {
            let window = (END_WINDOW_S * k.fps).round() as usize;
            let clip_ends = to + 1 >= k.frames();
            // with less than a window of the top in the clip, a hold cannot be told from the
            // last of the pull (slowed footage opens the hips 2-3° in 0.3 s)
            if clip_ends && to - from < window {
                return Verdict::NotAssessable(format!(
                    "the clip ends {:.1} s after the top, too soon to show the lockout held",
                    (to - from) as f64 / k.fps
                ));
            }
            let tail = (TAIL_S * k.fps).round() as usize;
            let start = to.saturating_sub(window);
            if let Some(rise) = still_rising(&k.angles.hip_angle_deg, start, to, tail) {
                return Verdict::NotAssessable(if clip_ends {
                    format!(
                        "the clip ends while the hips are still extending (+{rise:.0}° in its \
                         last {END_WINDOW_S} s)"
                    )
                } else {
                    // the bar's top came before the lifter's (a tracker that left the bar,
                    // a far clip's plate lost against the legs)
                    format!(
                        "the hips are still extending half a second after the bar's top \
                         (+{rise:.0}° in {END_WINDOW_S} s): the lifter's top is not where the \
                         bar's track puts it"
                    )
                });
            }
        }
        Verdict::Found(finding(
            self.kind(),
            rep,
            value,
            threshold,
            "deg",
            (from, to),
            confidence,
            "Finish the rep: stand tall with hips and knees locked, glutes squeezed.",
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    /// The stick lifter stands at the top with the knees a little bent (its legs are 2 px
    /// short of reaching the hips straight: ~143° at the knee) and the hips open.
    fn run(min_hip_deg: f64, min_knee_deg: f64) -> Verdict {
        let mut scene = Scene::new(&clean());
        let cfg = &mut scene.config.faults.incomplete_lockout;
        (cfg.min_hip_angle_deg, cfg.min_knee_angle_deg) = (min_hip_deg, min_knee_deg);
        IncompleteLockout.assess(&scene.input(), &scene.reps[0])
    }

    #[test]
    fn a_top_within_the_limits_is_fine() {
        assert_eq!(run(140.0, 135.0), Verdict::Fine);
    }

    #[test]
    fn knees_short_of_straight_are_found() {
        let v = run(140.0, 160.0);
        let Verdict::Found(f) = v else {
            panic!("knees ~143° against 160°: {v:?}")
        };
        assert!((135.0..160.0).contains(&f.value), "{f:?}");
        assert_eq!(f.threshold, 160.0);
    }

    #[test]
    fn a_short_hip_angle_under_an_upright_trunk_is_the_thigh_line_not_the_hips() {
        // the stick lifter stands with the trunk vertical; its bent knees tilt the thigh, so
        // the hip angle is short of 179° while the hips are through
        assert_eq!(run(179.0, 135.0), Verdict::Fine);
    }

    /// The scene's bar (its wrists) made the hub of a plate wide enough to cover the knee at
    /// the top of the rep.
    fn plate_over_the_knee(scene: &mut Scene) {
        let top = scene.reps[0].lockout_frame.unwrap();
        let k = &scene.kinematics;
        let (kx, ky) = k.at(Joint::Knee, top).unwrap();
        let (wx, wy) = k.at(Joint::Wrist, top).unwrap();
        for s in &mut scene.bar.samples {
            s.source = crate::bar::BarSource::Plate;
        }
        scene.bar.plate = Some(crate::bar::PlateInfo {
            frame: 0,
            center_x_px: wx,
            center_y_px: wy,
            diameter_px: 2.2 * (kx - wx).hypot(ky - wy),
            axis_ratio: 1.0,
        });
    }

    #[test]
    fn a_knee_the_plate_hides_is_not_judged() {
        // the knees read ~143° against 160°, but behind the plate the model only guesses them
        let mut scene = Scene::new(&clean());
        scene.config.faults.incomplete_lockout.min_knee_angle_deg = 160.0;
        plate_over_the_knee(&mut scene);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert_eq!(v, Verdict::Fine, "upright trunk, knee behind the plate");
        // seen in the lockout's first frame only (no plate followed there): still hidden
        let top = scene.reps[0].lockout_frame.unwrap();
        scene.bar.samples[top].source = crate::bar::BarSource::Wrist;
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert_eq!(
            v,
            Verdict::Fine,
            "one frame clear of the plate is not the lockout"
        );
        // clear of the plate throughout: the knees are judged again
        for s in &mut scene.bar.samples {
            s.source = crate::bar::BarSource::Wrist;
        }
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(matches!(v, Verdict::Found(_)), "{v:?}");
        // the trunk forward at the top and the hip angle unknown: nothing left to judge
        let mut keys = clean();
        keys[3].trunk_deg = 25.0;
        keys[4].trunk_deg = 25.0;
        let mut scene = Scene::new(&keys);
        scene.config.faults.incomplete_lockout.min_knee_angle_deg = 160.0;
        plate_over_the_knee(&mut scene);
        scene.kinematics.angles.hip_angle_deg.fill(None);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(
            matches!(&v, Verdict::NotAssessable(r) if r.contains("plate hides the knee")),
            "{v:?}"
        );
    }

    #[test]
    fn a_clip_that_ends_just_after_the_top_has_not_shown_the_lockout() {
        // the rep's top moved to four frames before the end of the clip, with no descent:
        // the stick lifter is bent over there (short of both limits)
        let mut scene = Scene::new(&clean());
        let last = scene.kinematics.frames() - 1;
        scene.reps[0].descent_frame = None;
        scene.reps[0].lockout_frame = Some(last - 3);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(
            matches!(&v, Verdict::NotAssessable(r) if r.contains("too soon")),
            "{v:?}"
        );
        // shown for half a second, the same posture is judged
        scene.reps[0].lockout_frame = Some(last - 15);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(matches!(v, Verdict::Found(_)), "{v:?}");
    }

    #[test]
    fn hips_not_through_leave_the_trunk_forward_and_are_found() {
        let mut keys = clean();
        keys[3].trunk_deg = 25.0;
        keys[4].trunk_deg = 25.0;
        let mut scene = Scene::new(&keys);
        scene.config.faults.incomplete_lockout.min_knee_angle_deg = 135.0;
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        let Verdict::Found(f) = v else {
            panic!("trunk 25° forward at the top: {v:?}")
        };
        assert_eq!(f.threshold, 165.0);
        assert!(f.value < 165.0, "{f:?}");
    }

    fn series(v: &[f64]) -> Vec<Option<f64>> {
        v.iter().map(|&x| Some(x)).collect()
    }

    #[test]
    fn hips_still_opening_after_the_bars_top_are_not_its_lockout() {
        // the bar's top put at the knee (frame 40), no descent found: the half-second read as
        // the lockout is the rest of the pull, the hips opening all through it
        let mut scene = Scene::new(&clean());
        scene.reps[0].descent_frame = None;
        scene.reps[0].lockout_frame = Some(40);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(
            matches!(&v, Verdict::NotAssessable(r) if r.contains("still extending")),
            "{v:?}"
        );
        // from the real top on, the same rep without a descent is judged on its posture
        scene.reps[0].lockout_frame = Some(66);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(matches!(v, Verdict::Found(_)), "{v:?}");
    }

    #[test]
    fn a_clip_that_starts_as_the_hips_close_has_not_shown_the_lockout() {
        // the clip starts at the end of the hold (frame 80): the pull is not in it, the hips
        // close from the first frame read as the lockout
        let mut scene = Scene::new(&clean());
        let rep = &mut scene.reps[0];
        (rep.start_frame, rep.liftoff_frame, rep.knee_frame) = (None, None, None);
        rep.lockout_frame = Some(80);
        rep.descent_frame = Some(95);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(
            matches!(&v, Verdict::NotAssessable(r) if r.contains("already closing")),
            "{v:?}"
        );
        // starting within the hold, the same rep is judged on its posture
        scene.reps[0].lockout_frame = Some(66);
        scene.reps[0].descent_frame = Some(80);
        let v = IncompleteLockout.assess(&scene.input(), &scene.reps[0]);
        assert!(matches!(v, Verdict::Found(_)), "{v:?}");
    }

    #[test]
    fn hips_still_opening_at_the_end_are_still_rising() {
        let opening = series(&[139.0, 141.0, 143.0, 146.0, 149.0, 152.0, 153.0, 152.8]);
        assert!((still_rising(&opening, 0, 7, 3).unwrap() - 14.0).abs() < 1e-9);
        // the last frame's reading wobbles 2.6° down from the rise just before it
        let wobbling = series(&[142.5, 144.5, 146.5, 148.3, 151.3, 153.4, 152.9, 150.8]);
        assert!((still_rising(&wobbling, 0, 7, 3).unwrap() - 10.9).abs() < 1e-9);
        // held still: a plateau is a lockout, however short of straight
        let held = series(&[151.6, 152.4, 152.5, 152.0, 151.6, 151.6, 151.8]);
        assert_eq!(still_rising(&held, 0, 6, 3), None);
        // peaked and sinking back
        let sinking = series(&[146.0, 150.0, 154.5, 153.5, 151.0]);
        assert_eq!(still_rising(&sinking, 0, 4, 3), None);
    }
}
