//! `thoracic_rounding`: the upper back flexes (rounds) under the load.
//!
//! Definition: the upper-back curve angle is measured from the shape of the back, not from
//! the trunk line: a smooth curve is fitted to the dorsal edge of the person mask between
//! hip and the base of the neck and its bend over the upper back is taken per frame
//! ([`crate::kinematics::back`]). The flag is the increase of that bend over the lifter's own
//! flattest back in the same rep at a comparable posture (trunk angle within
//! `max_posture_gap_deg` and hip angle within `max_hip_gap_deg`: the set-up and the descent
//! are bent over like the pull, whereas the standing silhouette differs by the lumbar hollow),
//! held for `min_duration_s`. `value` is the increase; `absolute` is the curve angle at the
//! worst frame (a straight back line reads 0°). A rep whose bent-over curve itself exceeds
//! `max_curve_deg` with no increase over the limit is not assessable, with the curve in the
//! reason: a lifter who sets up rounded and stays so and a broad back read the same. Only
//! frames under load (from lift-off on) are judged; the set-up's frames serve as references.
//!
//! Source: coaching texts ("brace and keep the chest up", neutral spine under load); the 20°
//! of thoracic rounding is the user's request (13.5° of the outline, see `max_increase_deg`);
//! kyphosis norms (20–40° standing) from the spine literature.
//!
//! Config: `[faults.thoracic_rounding]` in `formcheck.toml`, this file's [`Config`].

use super::{confidence, finding, Fault, FaultInput, KeyRange, Verdict};
use crate::kinematics::back::NoFit;
use crate::kinematics::Joint;
use crate::reps::Rep;
use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Flag: the bent-over curve exceeds the rep's own flattest comparable back by more
    /// than this. Degrees of the back's outline, not of the spine: on the renders the outline
    /// bent 0.67° per degree of imposed thoracic flexion (the slope through the origin over
    /// the eight rounded renders: 18–30°, two bodies, three cameras, mirrored), so the
    /// user's 20° of thoracic rounding is 13.5° here.
    pub max_increase_deg: f64,
    /// Not assessable when the bent-over curve itself (0 = a straight back line) exceeds this
    /// with no increase over `max_increase_deg`.
    pub max_curve_deg: f64,
    pub min_confidence: f64,
    /// Fraction of the bent-over frames whose back contour must be traced.
    pub min_traced_fraction: f64,
    /// Frames count as bent over (judged) above this trunk angle.
    pub min_bent_trunk_deg: f64,
    /// A signal must stay over its limit this long (a single frame's curve jitters).
    pub min_duration_s: f64,
    /// The finding's window: the frames around the peak within this of the limit.
    pub hysteresis_deg: f64,
    /// The reference frames of a frame: the rep's bent-over frames whose trunk angle is
    /// within this of it (the silhouette's curve changes with the trunk's tilt).
    pub max_posture_gap_deg: f64,
    /// ... and whose hip angle is within this of it: at one trunk tilt the pull and the
    /// descent can differ in the knees and so in the pelvis, whose tilt moves the lower end
    /// of the measured span (on the clean renders this comparison alone read 5–11°).
    pub max_hip_gap_deg: f64,
    /// Also compare the bent-over back with the lifter's standing back. Off by default: the
    /// outline's curve differs between standing and bent over by the lumbar hollow (about
    /// 15–30° on the renders), not by the upper back.
    pub compare_with_standing: bool,
    /// Not assessable when the measure's own spread in the rep (the fitted curve's
    /// frame-to-frame jitter, the report's "± n°") is over this: the increase is a difference
    /// of two readings, ±1.4 spreads, and at half the limit that is ±0.7 of the limit itself.
    /// Renders 0.9–3.6°; a far, blurred back reads 8–11° (C03, A14).
    pub max_spread_deg: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            max_increase_deg: 13.5,
            max_curve_deg: 20.0,
            min_confidence: 0.5,
            min_traced_fraction: 0.5,
            min_bent_trunk_deg: 25.0,
            min_duration_s: 0.2,
            hysteresis_deg: 3.0,
            max_posture_gap_deg: 15.0,
            max_hip_gap_deg: 10.0,
            compare_with_standing: false,
            max_spread_deg: 6.75,
        }
    }
}

/// The valid range of each key of [`Config`].
const RANGES: &[KeyRange] = &[
    ("max_increase_deg", 0.0, 90.0),
    ("max_curve_deg", 0.0, 90.0),
    ("max_spread_deg", 0.0, 90.0),
    ("min_confidence", 0.0, 1.0),
    ("min_traced_fraction", 0.0, 1.0),
    ("min_bent_trunk_deg", 0.0, 90.0),
    ("min_duration_s", 0.0, 2.0),
    ("hysteresis_deg", 0.0, 20.0),
    ("max_posture_gap_deg", 1.0, 90.0),
    ("max_hip_gap_deg", 1.0, 90.0),
];

pub struct ThoracicRounding;

/// Degrees the back's outline bends per degree of thoracic flexion: the slope through the
/// origin of the measured increase against the imposed flexion over the eight rounded
/// renders (18–30°, two bodies, three cameras, each mirrored): 0.67. The default
/// `max_increase_deg` is the user's 20° times this; `formcheck eval` divides by it to judge
/// renders by their imposed flexion.
pub const OUTLINE_PER_THORACIC_DEG: f64 = 0.675;

/// The signal that decides a rep, in the order the fault tries them.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Signal {
    /// The increase over the rep's own flattest back at a comparable trunk tilt.
    RepReference,
    /// The increase over the lifter's standing back (its curve, degrees).
    Standing(f64),
    /// The bent-over curve itself (0° = a straight back).
    Curve,
}

/// The signal over its limit in `back`, if any: the increase over the rep's own back first,
/// then over the lifter's `standing` back (only with `compare_with_standing`), then the curve
/// itself.
pub fn firing_signal(back: &RepBack, standing: Option<f64>, cfg: &Config) -> Option<Signal> {
    let (increase, curve) = (back.peak_increase?.1, back.peak_curve?.1);
    if increase > cfg.max_increase_deg {
        Some(Signal::RepReference)
    } else if let Some(up) = standing
        .filter(|_| cfg.compare_with_standing)
        .filter(|up| curve - up > cfg.max_increase_deg)
    {
        Some(Signal::Standing(up))
    } else if curve > cfg.max_curve_deg {
        Some(Signal::Curve)
    } else {
        None
    }
}

/// Median flexion over the frames where the lifter stands upright; `None` without enough.
/// Upright: trunk within 15° of vertical and hips opened past 140° (a soft, incomplete
/// lockout at ~150° still shows the standing back shape; a squat bottom would not).
/// Reported beside the rep's own reference; the fault does not compare with it.
pub fn upright_flexion_deg(input: &FaultInput) -> Option<f64> {
    let k = input.kinematics;
    let mut v: Vec<f64> = (0..k.frames())
        .filter(|&i| {
            let trunk = super::at(&k.angles.trunk_angle_deg, i);
            let hip = super::at(&k.angles.hip_angle_deg, i);
            trunk.is_some_and(|t| t.abs() < 15.0) && hip.is_some_and(|h| h > 140.0)
        })
        .filter_map(|i| super::at(input.thoracic_flexion_deg, i))
        .collect();
    if v.len() < 5 {
        return None;
    }
    Some(crate::kinematics::filters::median_of(&mut v))
}

/// What the upper back did in one rep's bent-over frames.
#[derive(Debug, Clone, PartialEq)]
pub struct RepBack {
    /// The bent-over frames of the rep (trunk past `min_bent_trunk_deg`), in order.
    pub bent: Vec<usize>,
    /// Share of `bent` with a fitted curve; of the bent frames whose outline was read (the
    /// mask's frames), the shares too ragged and too blurred for one.
    pub traced_fraction: f64,
    pub ragged_fraction: f64,
    pub blurred_fraction: f64,
    /// Per bent frame (same order): the curve, and its increase over the flattest comparable
    /// frame of the rep (`None` where untraced).
    pub curve_deg: Vec<Option<f64>>,
    pub increase_deg: Vec<Option<f64>>,
    /// Per bent frame: the curve less the lifter's standing curve (`None` without one).
    pub standing_increase_deg: Vec<Option<f64>>,
    /// Per bent frame: the reference frame its increase is measured from.
    pub reference: Vec<Option<usize>>,
    /// The increase and the curve held for `min_duration_s` (the highest level the signal
    /// keeps that long), and the frame where each is reached.
    pub peak_increase: Option<(usize, f64)>,
    pub peak_curve: Option<(usize, f64)>,
}

impl RepBack {
    /// The position in `bent` of a frame.
    pub fn pos(&self, frame: usize) -> Option<usize> {
        self.bent.binary_search(&frame).ok()
    }
}

/// The highest level `v` holds over `n` readings, and where (the entry of that run where it
/// is largest). The readings may straddle a gap, within at most `2n` entries from the first
/// to the last: a frame whose outline was blurred or ragged is a gap of a few frames, not the
/// end of a posture (on the renders one blurred frame mid-pull split the held rounding in
/// two), but a run that ends in a gap has not been seen held.
fn sustained_peak(v: &[Option<f64>], n: usize) -> Option<(usize, f64)> {
    let n = n.max(1);
    let mut best: Option<(usize, f64)> = None;
    for w in (0..v.len()).filter(|&w| v[w].is_some()) {
        let known: Vec<(usize, f64)> = (w..v.len().min(w + 2 * n))
            .filter_map(|i| Some((i, v[i]?)))
            .take(n)
            .collect();
        if known.len() < n {
            continue;
        }
        let low = known.iter().map(|k| k.1).fold(f64::INFINITY, f64::min);
        if best.is_none_or(|b| low > b.1) {
            let at = known.iter().max_by(|a, b| a.1.total_cmp(&b.1)).unwrap().0;
            best = Some((at, low));
        }
    }
    best
}

/// The upper back over one rep's bent-over frames; `None` when the rep has no span.
pub fn rep_back(input: &FaultInput, rep: &Rep) -> Option<RepBack> {
    let cfg = &input.config.thoracic_rounding;
    let k = input.kinematics;
    let (from, to) = rep.span(true)?;
    let trunk = |i: usize| super::at(&k.angles.trunk_angle_deg, i);
    let hip = |i: usize| super::at(&k.angles.hip_angle_deg, i);
    let bent: Vec<usize> = (from..=to)
        .filter(|&i| trunk(i).is_some_and(|t| t > cfg.min_bent_trunk_deg))
        .collect();
    let curve_deg: Vec<Option<f64>> = bent
        .iter()
        .map(|&i| super::at(input.thoracic_flexion_deg, i))
        .collect();
    let n = bent.len().max(1) as f64;
    let traced_fraction = curve_deg.iter().flatten().count() as f64 / n;
    let unfit = |i: usize| input.back_unfit.get(i).copied().flatten();
    let read = bent
        .iter()
        .filter(|&&i| super::at(input.back_raw_deg, i).is_some() || unfit(i).is_some())
        .count()
        .max(1) as f64;
    let unfit_fraction =
        |why: NoFit| bent.iter().filter(|&&i| unfit(i) == Some(why)).count() as f64 / read;
    let (ragged_fraction, blurred_fraction) = (
        unfit_fraction(NoFit::Ragged),
        unfit_fraction(NoFit::Blurred),
    );
    // the reference of a frame: the flattest back among the rep's frames at a comparable
    // tilt (a low percentile, not the minimum, so one low outlier does not inflate the rest)
    let reference: Vec<Option<usize>> = bent
        .iter()
        .map(|&i| {
            let ti = trunk(i)?;
            let hi = hip(i);
            let mut near: Vec<(usize, f64)> = bent
                .iter()
                .zip(&curve_deg)
                .filter_map(|(&j, c)| Some((j, (*c)?)))
                .filter(|&(j, _)| {
                    trunk(j).is_some_and(|tj| (tj - ti).abs() <= cfg.max_posture_gap_deg)
                        // without a hip angle (legs out of the picture) the trunk alone
                        && match (hi, hip(j)) {
                            (Some(hi), Some(hj)) => (hj - hi).abs() <= cfg.max_hip_gap_deg,
                            (Some(_), None) => false,
                            (None, _) => true,
                        }
                })
                .collect();
            if near.is_empty() {
                return None;
            }
            near.sort_by(|a, b| a.1.total_cmp(&b.1));
            Some(near[(near.len() - 1) / 10].0)
        })
        .collect();
    let increase_deg: Vec<Option<f64>> = curve_deg
        .iter()
        .zip(&reference)
        .map(|(c, r)| Some((*c)? - super::at(input.thoracic_flexion_deg, (*r)?)?))
        .collect();
    let standing = upright_flexion_deg(input);
    let standing_increase_deg = curve_deg.iter().map(|c| Some((*c)? - standing?)).collect();
    let frames = (cfg.min_duration_s * k.fps).round() as usize;
    // the back is judged under load, from lift-off on: before it the lifter reaches down and
    // grips the bar, arms and shoulder blades moving over the outline (those frames still
    // serve as references for the same posture under load)
    let loaded_from = rep.span(false).map_or(from, |(lift, _)| lift);
    let loaded = |v: &[Option<f64>]| -> Vec<Option<f64>> {
        v.iter()
            .zip(&bent)
            .map(|(x, &i)| x.filter(|_| i >= loaded_from))
            .collect()
    };
    let peak = |v: &[Option<f64>]| sustained_peak(&loaded(v), frames).map(|(p, x)| (bent[p], x));
    Some(RepBack {
        peak_increase: peak(&increase_deg),
        peak_curve: peak(&curve_deg),
        bent,
        traced_fraction,
        ragged_fraction,
        blurred_fraction,
        curve_deg,
        increase_deg,
        standing_increase_deg,
        reference,
    })
}

impl Fault for ThoracicRounding {
    fn kind(&self) -> &'static str {
        "thoracic_rounding"
    }

    fn title(&self) -> &'static str {
        "Rounded upper back"
    }

    fn config_ranges(&self) -> &'static [KeyRange] {
        RANGES
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let cfg = &input.config.thoracic_rounding;
        let k = input.kinematics;
        let Some((from, to)) = rep.span(true) else {
            return Verdict::NotAssessable("the rep has no pull or descent in the clip".into());
        };
        let Some(back) = rep_back(input, rep) else {
            return Verdict::NotAssessable("the rep has no pull or descent in the clip".into());
        };
        if back.bent.is_empty() {
            return Verdict::NotAssessable("the lifter is never bent over in this rep".into());
        }
        if back.traced_fraction < cfg.min_traced_fraction {
            // the cause named is the larger of the two, when it spoils a quarter of the
            // frames read (a rejected frame also leaves the frames around it unread)
            let (blurred, ragged) = (back.blurred_fraction, back.ragged_fraction);
            let why = if blurred >= ragged && blurred >= 0.25 {
                format!(
                    "the back's edge is blurred (the person mask's outline at its 0.35 and 0.65 \
                     levels bends differently by over {:.0}°: a far or soft picture, or a dark \
                     shirt before a dark background) in {:.0}% of the bent-over frames read; a \
                     curve was fitted in only {:.0}% of the bent-over frames",
                    crate::kinematics::back::MAX_BAND_BEND_DEG,
                    blurred * 100.0,
                    back.traced_fraction * 100.0
                )
            } else if ragged >= 0.25 {
                format!(
                    "the back's outline is ragged (loose clothing, hair or something in front \
                     of it) in {:.0}% of the bent-over frames read; a curve was fitted in only \
                     {:.0}% of the bent-over frames",
                    ragged * 100.0,
                    back.traced_fraction * 100.0
                )
            } else {
                format!(
                    "the back contour was traced in only {:.0}% of the bent-over frames",
                    back.traced_fraction * 100.0
                )
            };
            return Verdict::NotAssessable(why);
        }
        if let Some(spread) = crate::kinematics::back::jitter_deg(input.back_raw_deg, from..=to) {
            if spread > cfg.max_spread_deg {
                return Verdict::NotAssessable(format!(
                    "the back's outline jitters ±{spread:.1}° from frame to frame in this rep \
                     (over {:.1}°): too noisy to tell an increase of {:.1}°",
                    cfg.max_spread_deg, cfg.max_increase_deg
                ));
            }
        }
        let (Some((inc_at, increase)), Some((curve_at, curve))) =
            (back.peak_increase, back.peak_curve)
        else {
            return Verdict::NotAssessable("no back shape held in the bent-over frames".into());
        };
        let confidence =
            confidence(k, &[Joint::Shoulder, Joint::Hip], from, to) * back.traced_fraction;
        if let Some(v) = super::low_confidence(confidence, cfg.min_confidence) {
            return v;
        }
        let curve_of = |f: usize| back.pos(f).and_then(|p| back.curve_deg[p]);
        let (peak, value, threshold, series, measure) =
            match firing_signal(&back, upright_flexion_deg(input), cfg) {
                Some(Signal::RepReference) => {
                    let reference = back
                        .pos(inc_at)
                        .and_then(|p| back.reference[p])
                        .and_then(curve_of)
                        .unwrap_or(0.0);
                    (
                        inc_at,
                        increase,
                        cfg.max_increase_deg,
                        &back.increase_deg,
                        format!(
                            "increase of the upper-back curve over the lifter's flattest back in \
                             this rep at the same trunk tilt ({reference:.0}°)"
                        ),
                    )
                }
                Some(Signal::Standing(up)) => (
                    curve_at,
                    curve - up,
                    cfg.max_increase_deg,
                    &back.standing_increase_deg,
                    format!(
                        "increase of the upper-back curve over the lifter's standing back \
                         ({up:.0}°)"
                    ),
                ),
                // The curve alone is the body's build as much as its posture: flat-backed
                // renders of a broad male and of an older, heavier one read 23-32° where the
                // first body reads -12 to 1°, so without an increase within the rep it is
                // shown (the evidence pictures), not judged.
                Some(Signal::Curve) => {
                    return Verdict::NotAssessable(format!(
                        "the upper back's outline is curved {curve:.0}° (over {:.0}°) from the \
                         set-up on, with no increase over its flattest back in the rep \
                         ({increase:.0}°): the outline cannot tell a back rounded from the \
                         floor from a broad or muscular one (see the pictures)",
                        cfg.max_curve_deg
                    ))
                }
                None => return Verdict::Fine,
            };
        // the window: the bent-over frames around the peak within the hysteresis of the limit
        let over = |p: usize| series[p].is_some_and(|v| v > threshold - cfg.hysteresis_deg);
        let p = back.pos(peak).unwrap_or(0);
        let (mut a, mut b) = (p, p);
        while a > 0 && back.bent[a - 1] + 1 == back.bent[a] && over(a - 1) {
            a -= 1;
        }
        while b + 1 < back.bent.len() && back.bent[b] + 1 == back.bent[b + 1] && over(b + 1) {
            b += 1;
        }
        let mut f = finding(
            self.kind(),
            rep,
            value,
            threshold,
            "deg",
            (back.bent[a], back.bent[b]),
            confidence,
            "Upper back rounds: brace before the pull and keep the chest up, shoulder blades set.",
        );
        let absolute = curve_of(peak).unwrap_or(curve);
        f.absolute = Some((absolute * 10.0).round() / 10.0);
        f.measure = Some(measure);
        Verdict::Found(f)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    /// Assesses the first rep with the curve angle `standing` while upright and `bent`
    /// while bent over (trunk > 20°).
    fn run_on(keys: &[Key], standing: Option<f64>, bent: f64) -> Verdict {
        let mut scene = Scene::new(keys);
        scene.set_flexion_by_posture(standing, bent);
        ThoracicRounding.assess(&scene.input(), &scene.reps[0])
    }

    fn run(standing: Option<f64>, bent: f64) -> Verdict {
        run_on(&clean(), standing, bent)
    }

    #[test]
    fn a_clip_starting_mid_pull_is_judged_from_its_first_frames() {
        // the clip opens with the bar at the knee (no set-up, no lift-off): the bent-over
        // frames before the lockout are still judged
        let keys: Vec<Key> = clean()
            .into_iter()
            .skip(2)
            .map(|mut k| {
                k.frame -= 40;
                k
            })
            .collect();
        // (a back curved 40° from its first frame has no flatter back to grow from: read, and
        // not assessable for the curve alone)
        assert!(matches!(run_on(&keys, Some(12.0), 40.0),
            Verdict::NotAssessable(why) if why.contains("curved 40°")));
        assert_eq!(run_on(&keys, Some(12.0), 5.0), Verdict::Fine);
    }

    #[test]
    fn flat_back_is_fine() {
        // a real lifter: the standing silhouette reads ~12° (arms over the back), a flat
        // back bent over ~2°
        assert_eq!(run(Some(12.0), 2.0), Verdict::Fine);
    }

    /// The curve `pull` over the bent-over frames before the lockout (frame 50) and `descent`
    /// after it (the same trunk tilts, 56–60°).
    fn run_pull_descent(pull: f64, descent: f64) -> Verdict {
        let mut scene = Scene::new(&clean());
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| Some(if i < 50 { pull } else { descent }))
            .collect();
        ThoracicRounding.assess(&scene.input(), &scene.reps[0])
    }

    #[test]
    fn an_increase_over_the_reps_own_flat_back_is_found_with_its_value_and_curve() {
        // the pull rounds to 18° (under the curve limit), the descent is flat at −4°
        match run_pull_descent(18.0, -4.0) {
            Verdict::Found(f) => {
                assert!((f.value - 22.0).abs() < 0.01, "{f:?}");
                assert_eq!(f.absolute, Some(18.0));
                assert_eq!(f.threshold, 13.5);
                assert!(f.measure.unwrap().contains("flattest back"));
            }
            v => panic!("{v:?}"),
        }
        assert_eq!(run_pull_descent(9.0, -4.0), Verdict::Fine);
    }

    #[test]
    fn only_the_back_under_load_is_judged() {
        // the back reads 18° while the lifter reaches down to the bar (before lift-off) and
        // −4° from lift-off on: nothing under load rounds
        let mut scene = Scene::new(&clean());
        let liftoff = scene.reps[0].liftoff_frame.unwrap();
        assert!(liftoff > 8, "{liftoff}");
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| Some(if i < liftoff { 18.0 } else { -4.0 }))
            .collect();
        assert_eq!(
            ThoracicRounding.assess(&scene.input(), &scene.reps[0]),
            Verdict::Fine
        );
        // the same 18° held on past lift-off is found
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| Some(if i < liftoff + 12 { 18.0 } else { -4.0 }))
            .collect();
        assert!(matches!(
            ThoracicRounding.assess(&scene.input(), &scene.reps[0]),
            Verdict::Found(_)
        ));
    }

    #[test]
    fn a_back_read_too_noisily_is_not_assessable_with_its_spread() {
        // the rounded pull of the test above, each frame ±8° off in turn: the spread (±8°)
        // is over half the limit, so the increase cannot be told from the noise
        let mut scene = Scene::new(&clean());
        scene.flexion = (0..scene.kinematics.frames())
            .map(|i| {
                let jitter = if i % 2 == 0 { 8.0 } else { -8.0 };
                Some(if i < 50 { 18.0 } else { -4.0 } + jitter)
            })
            .collect();
        match ThoracicRounding.assess(&scene.input(), &scene.reps[0]) {
            Verdict::NotAssessable(why) => assert!(why.contains("jitters ±"), "{why}"),
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn a_held_level_survives_a_short_gap_but_not_a_run_into_one() {
        let v = |x: &[f64]| -> Vec<Option<f64>> {
            x.iter().map(|&x| (!x.is_nan()).then_some(x)).collect()
        };
        let nan = f64::NAN;
        // 20° read six times over eight entries, a two-entry gap in it: held
        let gap = v(&[0.0, 20.0, 21.0, nan, nan, 22.0, 20.0, 20.0, 20.0, 0.0]);
        assert_eq!(sustained_peak(&gap, 6), Some((5, 20.0)));
        // four readings at the end of the rep after a long gap are not six
        let edge = v(&[
            0.0, 0.0, 0.0, 0.0, 0.0, 0.0, nan, nan, nan, 20.0, 20.0, 20.0, 20.0,
        ]);
        assert_eq!(sustained_peak(&edge, 6).map(|p| p.1), Some(0.0));
        // six readings spread over more than twelve entries are not a held posture
        let sparse = v(&[
            20.0, nan, nan, 20.0, nan, nan, 20.0, nan, nan, 20.0, nan, nan, 20.0,
        ]);
        assert_eq!(sustained_peak(&sparse, 6), None);
    }

    #[test]
    fn a_single_frame_spike_is_not_a_rounded_back() {
        let mut scene = Scene::new(&clean());
        scene.set_flexion_by_posture(Some(10.0), 2.0);
        scene.flexion[20] = Some(40.0);
        assert_eq!(
            ThoracicRounding.assess(&scene.input(), &scene.reps[0]),
            Verdict::Fine
        );
    }

    #[test]
    fn a_ragged_or_blurred_outline_is_not_assessable_with_the_reason() {
        for (why_not, word) in [(NoFit::Ragged, "ragged"), (NoFit::Blurred, "blurred")] {
            let mut scene = Scene::new(&clean());
            scene.set_flexion_by_posture(Some(10.0), 2.0);
            for i in 0..50 {
                scene.flexion[i] = None;
                scene.unfit[i] = Some(why_not);
            }
            match ThoracicRounding.assess(&scene.input(), &scene.reps[0]) {
                Verdict::NotAssessable(why) => assert!(why.contains(word), "{why}"),
                v => panic!("{v:?}"),
            }
        }
    }

    #[test]
    fn a_curve_over_its_limit_without_an_increase_is_not_assessable_with_the_curve() {
        // standing 12°, bent 24°: no increase within the rep; round from the set-up, or broad
        match run(Some(12.0), 24.0) {
            Verdict::NotAssessable(why) => {
                assert!(why.contains("curved 24°"), "{why}");
                assert!(why.contains("broad or muscular"), "{why}");
                assert!(!why.contains("  "), "one line, no runs of spaces: {why}");
            }
            v => panic!("{v:?}"),
        }
    }

    #[test]
    fn without_standing_frames_the_rep_is_still_read() {
        assert!(
            matches!(run(None, 25.0), Verdict::NotAssessable(why) if why.contains("curved 25°"))
        );
        assert_eq!(run(None, 10.0), Verdict::Fine);
    }
}
