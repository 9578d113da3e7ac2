//! The evidence behind each rep's `thoracic_rounding` verdict, for `analysis.json` and the
//! report: the two frames the measure compared (the rep's flattest comparable back, its
//! reference, and its worst back), the curve angle at each, their difference against the
//! threshold, and the measurement's own spread (± n°). Flagged or not, and "not assessable"
//! with the reason. It does not own the verdict ([`super::thoracic_rounding`]) nor the
//! pictures (`outputs::upper_back` crops the frames named here and draws the curve on them).

use serde::Serialize;

use super::thoracic_rounding::{firing_signal, rep_back, upright_flexion_deg, RepBack, Signal};
use super::{FaultInput, Finding, NotAssessable};
use crate::kinematics::back::{jitter_deg, BackSeries};
use crate::reps::Rep;

/// The folder, inside the clip's result folder, of the upper-back crops.
pub const CROPS_DIR: &str = "upper_back";

/// One frame the measure compared.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct ComparedFrame {
    pub frame: usize,
    pub time_s: f64,
    /// The upper-back curve angle there, as the fault reads it (the per-frame bend under its
    /// 9-frame running median), degrees.
    pub curve_deg: f64,
    /// The crop of the upper back with the traced edge and the fitted curve drawn on it,
    /// relative to the clip folder.
    pub file: String,
}

/// What the upper-back measure compared in one rep.
#[derive(Debug, Clone, PartialEq, Serialize, schemars::JsonSchema)]
pub struct UpperBackEvidence {
    pub rep: usize,
    /// `found`, `fine` or `not_assessable`.
    pub verdict: String,
    /// Why the rep was not assessable, when it was not.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reason: Option<String>,
    /// What the worst frame is compared with: `rep_reference` (the rep's flattest back at the
    /// same trunk tilt; the check's first signal, and the one shown when none fired),
    /// `standing` (the lifter's standing back) or `straight` (a straight back, 0°).
    pub compared_with: String,
    /// The reference frame: the rep's flattest comparable back, the standing frame nearest
    /// the standing curve, or (against a straight back) the rep's flattest back for
    /// comparison; and the worst frame (where the signal peaks).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference: Option<ComparedFrame>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub worst: Option<ComparedFrame>,
    /// The curve the worst frame is compared with: the reference frame's, the standing
    /// median, or 0°.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub reference_deg: Option<f64>,
    /// `worst.curve_deg − reference_deg`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub increase_deg: Option<f64>,
    /// The limit of that signal (`max_increase_deg`, or `max_curve_deg` against a straight
    /// back).
    pub threshold_deg: f64,
    /// The measurement's own spread, the "± n°" beside the angles: the fitted curve's
    /// frame-to-frame jitter over the rep's frames, a robust standard deviation from the
    /// second differences of consecutive per-frame bends (a steady movement leaves none; see
    /// [`crate::kinematics::back::jitter_deg`]). `None` with fewer than 7 fitted frames.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub spread_deg: Option<f64>,
}

/// The pair a signal compares, `(reference, worst)`: the frame where the signal peaks and
/// the rep's flattest back at its trunk tilt, or for [`Signal::Standing`] the upright frame
/// whose curve is nearest the standing one (`upright` lists the upright frames with their
/// curve). `None` when the rep's back was never fitted.
pub fn compared_frames(
    back: &RepBack,
    signal: Signal,
    upright: &[(usize, f64)],
) -> Option<(usize, usize)> {
    let worst = match signal {
        Signal::RepReference => back.peak_increase.or(back.peak_curve)?.0,
        Signal::Standing(_) | Signal::Curve => back.peak_curve?.0,
    };
    let reference = match signal {
        Signal::Standing(up) => {
            upright
                .iter()
                .min_by(|a, b| (a.1 - up).abs().total_cmp(&(b.1 - up).abs()))?
                .0
        }
        _ => back.reference.get(back.pos(worst)?).copied().flatten()?,
    };
    Some((reference, worst))
}

/// The frame nearest to `frame` (earlier first on a tie) within `max_frames` for which
/// `fitted` holds: with `pose.analysis_fps` the model skips frames, and the angle there is
/// gap-filled, with no contour of its own to show.
pub fn nearest_fitted(
    frame: usize,
    max_frames: usize,
    fitted: impl Fn(usize) -> bool,
) -> Option<usize> {
    (0..=max_frames).find_map(|d| {
        [frame.checked_sub(d), frame.checked_add(d)]
            .into_iter()
            .flatten()
            .find(|&f| fitted(f))
    })
}

/// The evidence for every rep. `back` is the per-frame fit (its raw bends give the spread),
/// `time_s` the frames' times, `max_snap_frames` how far a compared frame may move to a
/// frame with a fitted contour (the model's stride less one).
pub fn upper_back_evidence(
    input: &FaultInput,
    back: &BackSeries,
    time_s: &[f64],
    max_snap_frames: usize,
    found: &[Finding],
    not_assessable: &[NotAssessable],
) -> Vec<UpperBackEvidence> {
    const KIND: &str = "thoracic_rounding";
    let standing = upright_flexion_deg(input);
    let upright = upright_frames(input, back);
    input
        .reps
        .iter()
        .map(|rep| {
            let reason = not_assessable
                .iter()
                .find(|n| n.kind == KIND && n.rep.is_none_or(|r| r == rep.index))
                .map(|n| n.reason.clone());
            let verdict = if found.iter().any(|f| f.kind == KIND && f.rep == rep.index) {
                "found"
            } else if reason.is_some() {
                "not_assessable"
            } else {
                "fine"
            };
            let cfg = &input.config.thoracic_rounding;
            let rb = rep_back(input, rep);
            let signal = rb
                .as_ref()
                .and_then(|b| firing_signal(b, standing, cfg))
                .unwrap_or(Signal::RepReference);
            let pair = rb.as_ref().and_then(|b| {
                compared_pair(
                    input,
                    back,
                    time_s,
                    max_snap_frames,
                    rep,
                    b,
                    signal,
                    &upright,
                )
            });
            let (reference, worst) = match pair {
                Some((r, w)) => (Some(r), Some(w)),
                None => (None, None),
            };
            let reference_deg = match signal {
                Signal::RepReference => reference.as_ref().map(|r| r.curve_deg),
                Signal::Standing(up) => Some(up),
                Signal::Curve => Some(0.0),
            }
            .filter(|_| worst.is_some());
            let (compared_with, threshold_deg) = match signal {
                Signal::RepReference => ("rep_reference", cfg.max_increase_deg),
                Signal::Standing(_) => ("standing", cfg.max_increase_deg),
                Signal::Curve => ("straight", cfg.max_curve_deg),
            };
            UpperBackEvidence {
                rep: rep.index,
                verdict: verdict.into(),
                reason,
                compared_with: compared_with.into(),
                increase_deg: worst
                    .as_ref()
                    .zip(reference_deg)
                    .map(|(w, r)| w.curve_deg - r),
                reference_deg,
                reference,
                worst,
                threshold_deg,
                spread_deg: rep
                    .span(true)
                    .and_then(|(a, b)| jitter_deg(&back.raw_deg, a..=b)),
            }
        })
        .collect()
}

/// The clip's upright frames with a fitted contour, and their curve (as
/// [`upright_flexion_deg`] picks them).
fn upright_frames(input: &FaultInput, back: &BackSeries) -> Vec<(usize, f64)> {
    let a = &input.kinematics.angles;
    (0..input.kinematics.frames())
        .filter(|&i| {
            super::at(&a.trunk_angle_deg, i).is_some_and(|t| t.abs() < 15.0)
                && super::at(&a.hip_angle_deg, i).is_some_and(|h| h > 140.0)
                && back.raw_deg.get(i).copied().flatten().is_some()
        })
        .filter_map(|i| Some((i, super::at(input.thoracic_flexion_deg, i)?)))
        .collect()
}

/// The two compared frames of `rep`, each moved to the nearest frame with a fitted contour.
#[allow(clippy::too_many_arguments)]
fn compared_pair(
    input: &FaultInput,
    back: &BackSeries,
    time_s: &[f64],
    max_snap_frames: usize,
    rep: &Rep,
    rb: &RepBack,
    signal: Signal,
    upright: &[(usize, f64)],
) -> Option<(ComparedFrame, ComparedFrame)> {
    let (reference, worst) = compared_frames(rb, signal, upright)?;
    let fitted = |f: usize| back.raw_deg.get(f).copied().flatten().is_some();
    let frame = |f: usize, which: &str| -> Option<ComparedFrame> {
        let f = nearest_fitted(f, max_snap_frames, fitted)?;
        Some(ComparedFrame {
            frame: f,
            time_s: time_s.get(f).copied().unwrap_or(0.0),
            curve_deg: super::at(input.thoracic_flexion_deg, f)?,
            file: format!("{CROPS_DIR}/rep{}_{which}.jpg", rep.index),
        })
    };
    Some((frame(reference, "reference")?, frame(worst, "worst")?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testkit::*;

    fn rep_back_of(bent: Vec<usize>, curve: Vec<Option<f64>>) -> RepBack {
        // the reference of every frame: the flattest of all
        let flat = bent
            .iter()
            .zip(&curve)
            .filter_map(|(&f, c)| Some((f, (*c)?)))
            .min_by(|a, b| a.1.total_cmp(&b.1))
            .map(|p| p.0);
        let n = bent.len();
        RepBack {
            traced_fraction: 1.0,
            ragged_fraction: 0.0,
            blurred_fraction: 0.0,
            increase_deg: vec![None; n],
            standing_increase_deg: vec![None; n],
            reference: vec![flat; n],
            peak_increase: None,
            peak_curve: None,
            bent,
            curve_deg: curve,
        }
    }

    #[test]
    fn the_compared_frames_are_the_increase_peak_and_its_reference() {
        let mut back = rep_back_of(
            (10..20).collect(),
            (0..10).map(|i| Some(i as f64)).collect(),
        );
        back.peak_increase = Some((17, 7.0));
        back.peak_curve = Some((19, 9.0));
        let rep = Signal::RepReference;
        assert_eq!(compared_frames(&back, rep, &[]), Some((10, 17)));
        // the standing signal: the curve's peak against the upright frame nearest standing
        let upright = [(2, 3.0), (3, 5.5), (120, 9.0)];
        assert_eq!(
            compared_frames(&back, Signal::Standing(6.0), &upright),
            Some((3, 19))
        );
        assert_eq!(compared_frames(&back, Signal::Standing(6.0), &[]), None);
        // against a straight back: the curve's peak, the rep's flattest back beside it
        assert_eq!(compared_frames(&back, Signal::Curve, &[]), Some((10, 19)));
        // no increase measured: the curve's own peak
        back.peak_increase = None;
        assert_eq!(compared_frames(&back, rep, &[]), Some((10, 19)));
        // never fitted: nothing to show
        back.peak_curve = None;
        assert_eq!(compared_frames(&back, rep, &[]), None);
        // a peak outside the bent-over frames has no reference
        back.peak_increase = Some((40, 3.0));
        assert_eq!(compared_frames(&back, rep, &[]), None);
    }

    #[test]
    fn a_compared_frame_moves_to_the_nearest_fitted_frame() {
        let fitted = |f: usize| f.is_multiple_of(3);
        assert_eq!(nearest_fitted(9, 2, fitted), Some(9));
        assert_eq!(nearest_fitted(10, 2, fitted), Some(9));
        assert_eq!(nearest_fitted(11, 2, fitted), Some(12));
        assert_eq!(nearest_fitted(0, 0, |f| f == 0), Some(0));
        assert_eq!(nearest_fitted(10, 0, fitted), None);
        assert_eq!(nearest_fitted(1, 5, |_| false), None);
    }

    /// A scene whose pull (before the lockout at frame 50) rounds to `pull`° and whose descent
    /// is flat at −4°, with per-frame jitter of `jitter`° on the raw bend.
    fn scene_and_series(pull: f64, jitter: f64) -> (Scene, BackSeries) {
        let mut scene = Scene::new(&clean());
        let n = scene.kinematics.frames();
        scene.flexion = (0..n)
            .map(|i| Some(if i < 50 { pull } else { -4.0 }))
            .collect();
        // alternating ±jitter about the smoothed value: its MAD is `jitter`
        let raw = (0..n)
            .map(|i| scene.flexion[i].map(|v| v + if i % 2 == 0 { jitter } else { -jitter }))
            .collect();
        let series = BackSeries {
            raw_deg: raw,
            deg: scene.flexion.clone(),
            unfit: vec![None; n],
        };
        (scene, series)
    }

    #[test]
    fn a_flagged_rep_shows_its_two_frames_their_difference_and_the_spread() {
        let (scene, series) = scene_and_series(18.0, 0.5);
        let input = scene.input();
        let (found, not) = crate::faults::assess(&input);
        let times: Vec<f64> = (0..series.raw_deg.len()).map(|i| i as f64 / 30.0).collect();
        let ev = upper_back_evidence(&input, &series, &times, 0, &found, &not);
        assert_eq!(ev.len(), scene.reps.len());
        let e = &ev[0];
        assert_eq!(e.verdict, "found");
        let (r, w) = (e.reference.as_ref().unwrap(), e.worst.as_ref().unwrap());
        assert!(r.frame >= 50 && w.frame < 50, "{e:?}");
        assert_eq!((r.curve_deg, w.curve_deg), (-4.0, 18.0));
        assert_eq!(e.compared_with, "rep_reference");
        assert_eq!(e.reference_deg, Some(-4.0));
        assert_eq!(e.increase_deg, Some(22.0));
        assert_eq!(e.threshold_deg, 13.5);
        // alternating ±0.5°: every second difference is 1°
        assert!(
            (e.spread_deg.unwrap() - 1.4826 / 1.5f64.sqrt()).abs() < 1e-9,
            "{e:?}"
        );
        assert_eq!(w.file, "upper_back/rep1_worst.jpg");
        assert!((w.time_s - w.frame as f64 / 30.0).abs() < 1e-12);
    }

    #[test]
    fn a_rep_not_flagged_or_not_assessable_still_says_so() {
        let (scene, series) = scene_and_series(10.0, 0.0);
        let input = scene.input();
        let times = vec![0.0; series.raw_deg.len()];
        let ev = upper_back_evidence(&input, &series, &times, 0, &[], &[]);
        assert_eq!(ev[0].verdict, "fine");
        assert_eq!(ev[0].increase_deg, Some(14.0));
        assert_eq!(ev[0].spread_deg, Some(0.0));
        let not = [NotAssessable {
            kind: "thoracic_rounding".into(),
            rep: Some(1),
            reason: "the back's outline is ragged".into(),
        }];
        let ev = upper_back_evidence(&input, &series, &times, 0, &[], &not);
        assert_eq!(ev[0].verdict, "not_assessable");
        assert_eq!(
            ev[0].reason.as_deref(),
            Some("the back's outline is ragged")
        );
        // no contour fitted anywhere: no frames to show, and no spread
        let none = BackSeries {
            raw_deg: vec![None; series.raw_deg.len()],
            ..series
        };
        let ev = upper_back_evidence(&input, &none, &times, 2, &[], &[]);
        assert!(ev[0].reference.is_none() && ev[0].worst.is_none() && ev[0].spread_deg.is_none());
    }
}
