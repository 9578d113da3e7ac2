//! Reps and phases: set-up, lift-off, bar at knee, lockout, descent, bar back on the floor.
//! Found from the vertical position of the bar (or the wrists standing in for it) and the
//! hips. Turning points come from a hysteresis (zig-zag) detector with a minimum travel
//! relative to the lifter's torso length, not from a speed gate: heavy deadlifts move at
//! 0.1–0.2 m/s. Clips that hold only part of a rep give partial reps with the phases present.
//!
//! A rise counts as a deadlift only when the bar stays below the shoulders at the top (arms
//! hanging: not a curl, a clean or a squat with the bar on the back) and the hips rise with it.

use serde::{Deserialize, Serialize};

pub mod bar_metrics;
pub mod config;
pub mod phase;

pub use bar_metrics::{rep_metrics, RepBarMetrics};
pub use phase::{phase_at, phase_spans, Phase};

use crate::bar::BarTrack;
use crate::kinematics::{Joint, Kinematics};
pub use config::RepsConfig;

/// Angles at one key moment of a rep (degrees, `None` = unknown).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct KeyAngles {
    pub trunk_angle_deg: Option<f64>,
    pub hip_angle_deg: Option<f64>,
    pub knee_angle_deg: Option<f64>,
    pub shin_angle_deg: Option<f64>,
}

/// One rep. Frames are `None` where that phase is not in the clip (partial reps).
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, schemars::JsonSchema)]
pub struct Rep {
    pub index: usize,
    pub start_frame: Option<usize>,
    pub liftoff_frame: Option<usize>,
    pub knee_frame: Option<usize>,
    pub lockout_frame: Option<usize>,
    pub end_frame: Option<usize>,
    pub concentric_s: Option<f64>,
    pub eccentric_s: Option<f64>,
    pub setup: KeyAngles,
    pub liftoff: KeyAngles,
    pub knee: KeyAngles,
    pub lockout: KeyAngles,
    /// Bar path and speed for this rep.
    pub bar: RepBarMetrics,
    /// Last frame of the lockout (the bar starts down after it); `None` without a descent.
    #[serde(default)]
    pub descent_frame: Option<usize>,
    /// Lowest bar point after the descent, also when the bar does not reach the floor.
    #[serde(default)]
    pub bottom_frame: Option<usize>,
    /// Lowest bar point before the pull, also when the bar is not on the floor there (a
    /// clip that starts mid-pull): where a partial rep's pull starts.
    #[serde(default)]
    pub low_frame: Option<usize>,
    /// Figures beyond what a deadlift can do (see [`implausible_figures`]): such a rep feeds
    /// no fault and no trend.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub implausible: Vec<String>,
}

/// Shoulder-to-hip-joint length as a share of standing height (Winter's anthropometric
/// tables: acromion 0.818 H, greater trochanter 0.530 H): turns the torso into a height.
pub const TORSO_SHARE_OF_HEIGHT: f64 = 0.29;

/// What no deadlift rep can show: a peak concentric bar speed over
/// `reps.max_concentric_velocity_m_per_s` (2.5 m/s: faster than a snatch pull), a range of
/// motion over `reps.max_range_height_fraction` of the lifter's height (0.6: floor to
/// lockout is ~0.3–0.4), or the bar further from mid-foot than
/// `reps.max_bar_from_midfoot_height_fraction` of it (0.25: lifter and bar balance over the
/// feet). Such figures mean a cut clip, broken timestamps, or a lost bar or feet.
pub fn implausible_figures(
    rep: &Rep,
    lifter_height_cm: Option<f64>,
    cfg: &RepsConfig,
) -> Vec<String> {
    let mut out = Vec::new();
    if let Some(v) = rep.bar.peak_concentric_velocity_m_per_s {
        if v > cfg.max_concentric_velocity_m_per_s {
            out.push(format!(
                "peak bar velocity {v:.1} m/s (a deadlift stays under {:.1} m/s)",
                cfg.max_concentric_velocity_m_per_s
            ));
        }
    }
    if let (Some(rom), Some(h)) = (rep.bar.range_of_motion_cm, lifter_height_cm) {
        if rom > cfg.max_range_height_fraction * h {
            out.push(format!(
                "bar range of motion {rom:.0} cm (over {:.0} % of the lifter's ~{h:.0} cm height)",
                cfg.max_range_height_fraction * 100.0
            ));
        }
    }
    let ahead = rep.bar.max_forward_cm.unwrap_or(f64::NEG_INFINITY);
    let behind = rep.bar.max_backward_cm.unwrap_or(f64::NEG_INFINITY);
    if let Some(h) = lifter_height_cm {
        let limit = cfg.max_bar_from_midfoot_height_fraction * h;
        if ahead.max(behind) > limit {
            let (cm, side) = if ahead >= behind {
                (ahead, "ahead of")
            } else {
                (behind, "behind")
            };
            out.push(format!(
                "bar {cm:.0} cm {side} mid-foot (over {:.0} % of the lifter's ~{h:.0} cm height: \
                 no one balances a loaded bar that far from the feet)",
                cfg.max_bar_from_midfoot_height_fraction * 100.0
            ));
        }
    }
    out
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Turn {
    Low,
    High,
}

impl Rep {
    /// First and last frame of the rep in the clip: from lift-off (or the set-up, with
    /// `with_setup`; or the lowest point of a pull that starts mid-air; or the lockout) to the
    /// bar back on the floor (or the bottom of the descent, its start, or the lockout).
    pub fn span(&self, with_setup: bool) -> Option<(usize, usize)> {
        let setup = self.start_frame.filter(|_| with_setup);
        let from = setup
            .or(self.liftoff_frame)
            .or(self.low_frame)
            .or(self.lockout_frame)?;
        let to = self
            .end_frame
            .or(self.bottom_frame)
            .or(self.descent_frame)
            .or(self.lockout_frame)?;
        Some((from, to))
    }
}

/// Turning points of `h` (up positive) that reverse by at least `min_travel`: a zig-zag
/// detector. The unconfirmed last extreme is included, so a clip that ends at the top or on
/// the floor keeps that point.
fn turning_points(h: &[Option<f64>], min_travel: f64) -> Vec<(usize, Turn)> {
    let known: Vec<(usize, f64)> = h
        .iter()
        .enumerate()
        .filter_map(|(i, v)| v.map(|v| (i, v)))
        .collect();
    let Some(&(first, v0)) = known.first() else {
        return Vec::new();
    };
    let mut out = Vec::new();
    let (mut lo, mut hi) = ((first, v0), (first, v0));
    let mut dir: Option<Turn> = None; // the kind of extreme we are following
    for &(i, v) in &known[1..] {
        match dir {
            None => {
                if v < lo.1 {
                    lo = (i, v);
                }
                if v > hi.1 {
                    hi = (i, v);
                }
                if v - lo.1 >= min_travel {
                    out.push((lo.0, Turn::Low));
                    dir = Some(Turn::High);
                    hi = (i, v);
                } else if hi.1 - v >= min_travel {
                    out.push((hi.0, Turn::High));
                    dir = Some(Turn::Low);
                    lo = (i, v);
                }
            }
            Some(Turn::High) => {
                if v > hi.1 {
                    hi = (i, v);
                } else if hi.1 - v >= min_travel {
                    out.push((hi.0, Turn::High));
                    dir = Some(Turn::Low);
                    lo = (i, v);
                }
            }
            Some(Turn::Low) => {
                if v < lo.1 {
                    lo = (i, v);
                } else if v - lo.1 >= min_travel {
                    out.push((lo.0, Turn::Low));
                    dir = Some(Turn::High);
                    hi = (i, v);
                }
            }
        }
    }
    match dir {
        Some(Turn::High) => out.push((hi.0, Turn::High)),
        Some(Turn::Low) => out.push((lo.0, Turn::Low)),
        None => {}
    }
    out
}

/// The angles at `frame`.
pub fn key_angles(k: &Kinematics, frame: Option<usize>) -> KeyAngles {
    let Some(f) = frame else {
        return KeyAngles::default();
    };
    let a = &k.angles;
    let get = |s: &Vec<Option<f64>>| s.get(f).copied().flatten();
    KeyAngles {
        trunk_angle_deg: get(&a.trunk_angle_deg),
        hip_angle_deg: get(&a.hip_angle_deg),
        knee_angle_deg: get(&a.knee_angle_deg),
        shin_angle_deg: get(&a.shin_angle_deg),
    }
}

/// Bar height in px (up positive), per frame.
fn bar_height_px(bar: &BarTrack, n: usize) -> Vec<Option<f64>> {
    (0..n)
        .map(|i| bar.samples.get(i).and_then(|s| s.y_px).map(|y| -y))
        .collect()
}

/// Finds every rep (and partial rep) in the clip, with its bar figures and what is
/// implausible about them.
pub fn find_reps(kinematics: &Kinematics, bar: &BarTrack, cfg: &RepsConfig) -> Vec<Rep> {
    let mut reps = segment_reps(kinematics, bar, cfg);
    let lifter_height_cm = kinematics
        .torso_px()
        .map(|t| t * bar.scale.cm_per_px / TORSO_SHARE_OF_HEIGHT)
        .filter(|h| h.is_finite() && *h > 0.0);
    for rep in reps.iter_mut() {
        rep.bar = rep_metrics(bar, rep, kinematics);
        rep.implausible = implausible_figures(rep, lifter_height_cm, cfg);
    }
    reps
}

/// The reps and their phases from the bar height and the hips.
fn segment_reps(kinematics: &Kinematics, bar: &BarTrack, cfg: &RepsConfig) -> Vec<Rep> {
    let k = kinematics;
    let n = k.frames();
    let Some(torso) = k.torso_px() else {
        return Vec::new();
    };
    let h = bar_height_px(bar, n);
    let turns = turning_points(&h, cfg.min_travel_torso_fraction * torso);
    let hv = |i: usize| h[i].unwrap_or(f64::NAN);
    let y_of = |j: Joint, i: usize| k.at(j, i).map(|p| p.1);
    // A low point is the floor when the bar is below the knees there.
    let on_floor = |i: usize| match y_of(Joint::Knee, i) {
        Some(knee_y) => -hv(i) > knee_y,
        None => true,
    };
    let time = |i: usize| k.time_s.get(i).copied().unwrap_or(i as f64 / k.fps);
    let mut reps: Vec<Rep> = Vec::new();
    let mut last_end = 0usize;
    for (ti, &(p, turn)) in turns.iter().enumerate() {
        if turn != Turn::High {
            continue;
        }
        let before = ti
            .checked_sub(1)
            .map(|j| turns[j].0)
            .filter(|_| ti > 0 && turns[ti - 1].1 == Turn::Low);
        let after = turns.get(ti + 1).filter(|t| t.1 == Turn::Low).map(|t| t.0);
        // deadlift check: at the top the hands hang near the hips (not at the shoulders)
        let near = (0.3 * k.fps).round() as usize;
        // the value nearest to frame i (either side) within `near` frames
        let nearest = |i: usize, value: &dyn Fn(usize) -> Option<f64>| {
            (0..=near).find_map(|d| value(i + d).or_else(|| i.checked_sub(d).and_then(value)))
        };
        let hip_near = |i: usize| nearest(i, &|j| y_of(Joint::Hip, j));
        if let (Some(bar_y), Some(hip_y)) = (h[p].map(|x| -x), hip_near(p)) {
            if bar_y < hip_y - cfg.max_bar_above_hip_torso_fraction * torso {
                continue;
            }
        }
        if let (Some(v), Some(top_hip)) = (before, hip_near(p)) {
            if let Some(low_hip) = hip_near(v) {
                let trunk_near =
                    |i: usize| nearest(i, &|j| k.angles.trunk_angle_deg.get(j).copied().flatten());
                let trunk_rise_deg = match (trunk_near(v), trunk_near(p)) {
                    // bent forward at the bottom, nearer vertical (either way) at the top
                    (Some(low), Some(top)) => low - top.abs(),
                    _ => 0.0,
                };
                if low_hip - top_hip < cfg.min_hip_rise_torso_fraction * torso
                    && trunk_rise_deg < cfg.min_trunk_rise_deg
                {
                    continue;
                }
            }
        }
        // a pull ends standing: hips and knees extended at the top (where they are known: a
        // knee out of the frame does not veto)
        let top_max = |s: &Vec<Option<f64>>| {
            let w = near;
            let mut v: Vec<f64> = (p.saturating_sub(w)..=(p + w).min(n.saturating_sub(1)))
                .filter_map(|i| s.get(i).copied().flatten())
                .collect();
            (v.len() >= 2).then(|| {
                v.sort_by(f64::total_cmp);
                v[v.len() - 2] // the second highest: one stray reading does not decide
            })
        };
        if top_max(&k.angles.hip_angle_deg).is_some_and(|h| h < cfg.min_top_hip_deg)
            || top_max(&k.angles.knee_angle_deg).is_some_and(|h| h < cfg.min_top_knee_deg)
        {
            continue;
        }
        let band = cfg.phase_band_fraction;
        let (up_travel, down_travel) =
            (before.map(|v| hv(p) - hv(v)), after.map(|w| hv(p) - hv(w)));
        let travel = up_travel.or(down_travel).unwrap_or(0.0);
        let top = hv(p) - band * travel.max(down_travel.unwrap_or(0.0));
        let lo_bound = before.unwrap_or(last_end).max(last_end);
        // lift-off: the last frame on the floor before the top
        let floor_before = before.filter(|&v| on_floor(v)).map(hv);
        let liftoff = floor_before.and_then(|f| {
            (lo_bound..=p)
                .rev()
                .find(|&i| h[i].is_some_and(|x| x <= f + band * travel))
        });
        // the pull, from lift-off (or the lowest point) to the top
        if let Some(v) = liftoff.or(before) {
            let up_s = time(p) - time(v);
            if !(cfg.min_pull_s..=cfg.max_pull_s).contains(&up_s) {
                continue;
            }
        }
        // set-up: lowest hips in the set-up window before lift-off with the bar still down
        let start = liftoff.map(|l| {
            let window = (cfg.setup_window_s * k.fps).round() as usize;
            // the low turning point may sit late in the set-up (the wrists sag as the hips
            // rise), so the window reaches back past it, to the previous rep's end
            let from = l.saturating_sub(window).max(last_end);
            (from..=l)
                .filter(|&i| {
                    // wrists dip and sway while the lifter wedges in: a looser band
                    floor_before.is_some_and(|f| h[i].is_some_and(|x| x <= f + 3.0 * band * travel))
                })
                .max_by(|&a, &b| {
                    let ya = y_of(Joint::Hip, a).unwrap_or(f64::MIN);
                    let yb = y_of(Joint::Hip, b).unwrap_or(f64::MIN);
                    ya.total_cmp(&yb).then(b.cmp(&a))
                })
                .unwrap_or(l)
        });
        let lockout = (lo_bound..=p).find(|&i| h[i].is_some_and(|x| x >= top));
        let knee = lockout.and_then(|lk| {
            let from = liftoff.or(before).unwrap_or(lo_bound);
            (from..=lk).find(|&i| match (h[i], y_of(Joint::Knee, i)) {
                (Some(x), Some(knee_y)) => -x <= knee_y,
                _ => false,
            })
        });
        // knee found at the very first frame of a partial rep means we started above it
        let knee = knee.filter(|&f| liftoff.is_some() || f > lo_bound);
        let floor_after = after.filter(|&w| on_floor(w)).map(hv);
        let hi_bound = after.unwrap_or(n.saturating_sub(1));
        let descent = after.and_then(|_| {
            (p..=hi_bound)
                .rev()
                .find(|&i| h[i].is_some_and(|x| x >= top))
        });
        let end = floor_after.and_then(|f| {
            let dt = down_travel.unwrap_or(travel);
            (p..=hi_bound).find(|&i| h[i].is_some_and(|x| x <= f + band * dt))
        });
        let concentric_s = match (liftoff, lockout) {
            (Some(a), Some(b)) if b > a => Some(((time(b) - time(a)) * 1000.0).round() / 1000.0),
            _ => None,
        };
        let eccentric_s = match (descent, end) {
            (Some(a), Some(b)) if b > a => Some(((time(b) - time(a)) * 1000.0).round() / 1000.0),
            _ => None,
        };
        if let Some(e) = end.or(descent) {
            last_end = e;
        }
        reps.push(Rep {
            index: reps.len() + 1,
            start_frame: start,
            liftoff_frame: liftoff,
            knee_frame: knee,
            lockout_frame: lockout,
            end_frame: end,
            concentric_s,
            eccentric_s,
            setup: key_angles(k, start),
            liftoff: key_angles(k, liftoff),
            knee: key_angles(k, knee),
            lockout: key_angles(k, lockout),
            bar: RepBarMetrics::default(),
            descent_frame: descent,
            bottom_frame: after,
            low_frame: before,
            implausible: Vec::new(),
        });
    }
    reps
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::testkit::*;

    fn reps_of(keys: &[Key], n: usize) -> Vec<Rep> {
        let config = Config::default();
        let k = lifter(keys, n);
        let bar = bar_of(&k, &config);
        find_reps(&k, &bar, &config.reps)
    }

    #[test]
    fn one_full_rep_has_every_phase_in_order() {
        let reps = reps_of(&clean(), 126);
        assert_eq!(reps.len(), 1, "{reps:?}");
        let r = &reps[0];
        let f = [
            r.start_frame,
            r.liftoff_frame,
            r.knee_frame,
            r.lockout_frame,
            r.descent_frame,
            r.end_frame,
        ];
        assert!(f.iter().all(|x| x.is_some()), "{r:?}");
        let f: Vec<usize> = f.iter().flatten().copied().collect();
        assert!(f.windows(2).all(|w| w[0] <= w[1]), "{f:?}");
        // lift-off near frame 15, lockout near 65, back on the floor near 110
        assert!((13..=20).contains(&f[1]), "{f:?}");
        assert!((58..=66).contains(&f[3]), "{f:?}");
        assert!((104..=112).contains(&f[5]), "{f:?}");
        assert!(r.concentric_s.unwrap() > 1.0 && r.eccentric_s.unwrap() > 0.5);
        assert!(r.setup.trunk_angle_deg.unwrap() > 50.0);
        assert!(r.lockout.trunk_angle_deg.unwrap().abs() < 5.0);
    }

    #[test]
    fn two_reps_are_two() {
        let mut keys = clean();
        let second: Vec<Key> = clean()
            .into_iter()
            .skip(1)
            .map(|mut k| {
                k.frame += 125;
                k
            })
            .collect();
        keys.extend(second);
        let reps = reps_of(&keys, 251);
        assert_eq!(reps.len(), 2, "{reps:?}");
        assert!(reps[1].liftoff_frame.unwrap() > reps[0].end_frame.unwrap());
    }

    #[test]
    fn a_slow_pull_is_still_a_rep() {
        // the same rep stretched 4x: ~0.1 m/s, no speed gate
        let keys: Vec<Key> = clean()
            .into_iter()
            .map(|mut k| {
                k.frame *= 4;
                k
            })
            .collect();
        assert_eq!(reps_of(&keys, 501).len(), 1);
    }

    #[test]
    fn only_the_lift_up_gives_a_partial_rep() {
        // the clip stops at the lockout hold
        let reps = reps_of(&clean(), 75);
        assert_eq!(reps.len(), 1);
        let r = &reps[0];
        assert!(r.liftoff_frame.is_some() && r.lockout_frame.is_some());
        assert_eq!(r.end_frame, None);
        assert_eq!(r.eccentric_s, None);
    }

    #[test]
    fn starting_at_the_top_gives_a_rep_without_lift_off() {
        let keys: Vec<Key> = clean()
            .into_iter()
            .skip(3)
            .map(|mut k| {
                k.frame -= 65;
                k
            })
            .collect();
        let reps = reps_of(&keys, 61);
        assert_eq!(reps.len(), 1, "{reps:?}");
        assert_eq!(reps[0].liftoff_frame, None);
        assert!(reps[0].lockout_frame.is_some() && reps[0].end_frame.is_some());
    }

    #[test]
    fn a_stiff_legged_pull_with_level_hips_is_a_rep() {
        // hips at the same height at the top as bent over (the hip keypoint does not rise
        // when the knees stay straight: ~145° throughout), but the trunk comes up 60° → 0°
        let keys: Vec<Key> = clean()
            .into_iter()
            .map(|mut k| {
                k.hip.1 = 200.0;
                k
            })
            .collect();
        assert_eq!(reps_of(&keys, 126).len(), 1);
    }

    #[test]
    fn a_bent_over_row_is_no_rep() {
        // the bar travels up and down, but neither the hips nor the trunk move
        let keys: Vec<Key> = clean()
            .into_iter()
            .map(|mut k| {
                k.hip = (250.0, 250.0);
                k.trunk_deg = 60.0;
                k
            })
            .collect();
        assert!(reps_of(&keys, 126).is_empty());
    }

    #[test]
    fn a_rise_that_ends_bent_over_is_no_rep() {
        // the bar comes up a torso length but the hips stay folded at ~60°: a good-morning
        // shape or a pose error, not a deadlift's top
        let keys: Vec<Key> = clean()
            .into_iter()
            .map(|mut k| {
                k.trunk_deg = 70.0;
                k.hip.1 = 250.0;
                k
            })
            .collect();
        assert!(reps_of(&keys, 126).is_empty());
    }

    #[test]
    fn a_jump_of_the_keypoints_is_no_rep() {
        // the same rep with its pull squeezed into 0.2 s (6 frames): no lifter pulls that fast
        let mut keys = clean();
        for k in keys.iter_mut() {
            if k.frame > 15 {
                k.frame = 15 + ((k.frame - 15) as f64 * 0.12).round() as usize;
            }
        }
        keys.dedup_by_key(|k| k.frame);
        assert!(reps_of(&keys, 60).is_empty(), "{:?}", reps_of(&keys, 60));
    }

    #[test]
    fn figures_no_deadlift_shows_are_implausible() {
        let cfg = RepsConfig::default();
        let mut rep = Rep::default();
        rep.bar.peak_concentric_velocity_m_per_s = Some(8.4);
        rep.bar.range_of_motion_cm = Some(106.0);
        let why = implausible_figures(&rep, Some(170.0), &cfg);
        assert_eq!(why.len(), 2, "{why:?}");
        assert!(
            why[0].contains("8.4 m/s") && why[1].contains("106 cm"),
            "{why:?}"
        );
        rep.bar.peak_concentric_velocity_m_per_s = Some(0.9);
        rep.bar.range_of_motion_cm = Some(55.0);
        // a drifting bar 12 cm ahead, 3 cm behind at the set-up: a deadlift
        rep.bar.max_forward_cm = Some(12.0);
        rep.bar.max_backward_cm = Some(3.0);
        assert!(implausible_figures(&rep, Some(170.0), &cfg).is_empty());
        // 114 cm ahead of mid-foot (a camera cut to another shot of the feet)
        rep.bar.max_forward_cm = Some(114.0);
        rep.bar.max_backward_cm = Some(-89.0);
        let why = implausible_figures(&rep, Some(170.0), &cfg);
        assert!(
            why.len() == 1 && why[0].contains("114 cm ahead of"),
            "{why:?}"
        );
        rep.bar.max_forward_cm = Some(-30.0);
        rep.bar.max_backward_cm = Some(50.0);
        let why = implausible_figures(&rep, Some(170.0), &cfg);
        assert!(why.len() == 1 && why[0].contains("50 cm behind"), "{why:?}");
    }

    #[test]
    fn standing_still_is_no_rep() {
        let keys = vec![Key {
            frame: 0,
            hip: (300.0, 200.0),
            trunk_deg: 0.0,
            wrist_y: 215.0,
            wrist_dx: 0.0,
            neck_deg: 0.0,
        }];
        assert!(reps_of(&keys, 60).is_empty());
    }
}
