//! The clip's timeline as the outputs see it: which faults are active, where the bar is, and
//! the names and units people read (a frame's rep and phase are the reps stage's,
//! [`crate::reps::phase_at`]). Shared by the annotated video,
//! the plots and the report, so they always agree.

use crate::analyze::ClipAnalysis;
use crate::faults::Finding;
use crate::reps::Rep;

/// Findings whose window covers `frame`; a window is shown for at least `min_frames` so a
/// one-frame fault is still readable in the video.
pub fn active_findings(findings: &[Finding], frame: usize, min_frames: usize) -> Vec<&Finding> {
    findings
        .iter()
        .filter(|f| {
            let end = f.end_frame.max(f.start_frame + min_frames);
            frame >= f.start_frame && frame <= end
        })
        .collect()
}

/// What a lifter calls a fault kind.
pub fn fault_title(kind: &str) -> String {
    crate::faults::title(kind)
}

/// A unit as printed after a number ("deg" becomes "°").
pub fn unit_suffix(unit: &str) -> String {
    match unit {
        "deg" | "degrees" | "°" => "°".into(),
        "" => String::new(),
        u => format!(" {u}"),
    }
}

/// "28.1°", "7.5 cm", "0.93 fraction".
pub fn with_unit(value: f64, unit: &str) -> String {
    let decimals = crate::faults::value_decimals(unit);
    format!("{value:.decimals$}{}", unit_suffix(unit))
}

/// "high", "medium" or "low" for a 0–1 confidence.
pub fn confidence_word(confidence: f64) -> &'static str {
    if confidence >= 0.75 {
        "high"
    } else if confidence >= 0.5 {
        "medium"
    } else {
        "low"
    }
}

/// Frame → time in seconds, from the kinematics' time axis when it has the frame.
pub fn frame_time_s(clip: &ClipAnalysis, frame: usize) -> f64 {
    clip.kinematics
        .time_s
        .get(frame)
        .copied()
        .unwrap_or(frame as f64 / clip.kinematics.fps.max(1e-6))
}

/// Largest value of `series` over frames `a..=b`.
pub fn max_over(series: &[Option<f64>], a: usize, b: usize) -> Option<f64> {
    series
        .iter()
        .skip(a)
        .take(b.saturating_sub(a) + 1)
        .flatten()
        .copied()
        .filter(|v| v.is_finite())
        .reduce(f64::max)
}

/// The bar's horizontal position at `frame`: cm from mid-foot, + in the facing direction.
pub fn bar_x_cm(clip: &ClipAnalysis, frame: usize) -> Option<f64> {
    clip.bar
        .x_cm_from_midfoot(frame, clip.kinematics.facing.sign())
}

/// Where the `bar_drift` fault measures a rep's drift from (the bar at
/// [`crate::faults::bar_drift::reference_frame`]: the last frame on the floor before
/// lift-off, else the set-up), cm from
/// mid-foot; mid-foot itself (0) when the rep has neither. `None` when the bar is not seen
/// there (the fault is then not assessed). The plots and the index use this so all three
/// agree.
pub fn drift_reference_cm(clip: &ClipAnalysis, rep: &Rep) -> Option<f64> {
    match crate::faults::bar_drift::reference_frame(rep, &clip.bar) {
        Some(f) => bar_x_cm(clip, f),
        None => Some(0.0),
    }
}

/// The rep's largest forward drift from [`drift_reference_cm`] held over the frames the fault
/// reads (the bar moving along the legs, not the lockout hold): the `bar_drift` fault's own
/// `value`.
pub fn drift_from_setup_cm(clip: &ClipAnalysis, rep: &Rep) -> Option<f64> {
    use crate::faults::bar_drift::{forward_of_reference_cm, held_drift};
    let (from, to) = rep.span(false)?;
    let facing = clip.kinematics.facing.sign();
    let rel = forward_of_reference_cm(rep, &clip.bar, facing, from, to)?;
    held_drift(&rel, from, to, clip.kinematics.fps).map(|(_, cm)| cm)
}

/// The rep's bar path relative to its set-up: (cm forward of [`drift_reference_cm`], cm
/// above the floor) per frame of the rep, every `step` frames; `None` where unknown.
pub fn rep_path_from_setup_cm(
    clip: &ClipAnalysis,
    rep: &Rep,
    max_points: usize,
) -> Vec<Option<(f64, f64)>> {
    let (Some((a, b)), Some(reference)) = (rep.span(true), drift_reference_cm(clip, rep)) else {
        return Vec::new();
    };
    let step = (b - a + 1).div_ceil(max_points.max(1)).max(1);
    (a..=b)
        .step_by(step)
        .map(|i| Some((bar_x_cm(clip, i)? - reference, clip.bar.height_cm(i)?)))
        .collect()
}

/// The frame a fault is worst at inside its window: where the series it measures peaks
/// (the back curve for rounding, the bar's forward position for drift, the lean-back for
/// lockout, …); the middle of the window for faults without one such series.
pub fn worst_frame(clip: &ClipAnalysis, f: &Finding) -> usize {
    let (a, b) = (f.start_frame, f.end_frame.max(f.start_frame));
    let angles = &clip.kinematics.angles;
    let at = |s: &[Option<f64>], i: usize| s.get(i).copied().flatten();
    let value = |i: usize| -> Option<f64> {
        match f.kind.as_str() {
            "thoracic_rounding" => at(&clip.thoracic_flexion_deg, i),
            "bar_drift" => bar_x_cm(clip, i),
            "neck_hyperextension" => at(&angles.neck_angle_deg, i),
            "lockout_hyperextension" => at(&angles.trunk_angle_deg, i).map(|t| -t),
            "hips_shoot_up" => at(&angles.trunk_angle_deg, i),
            _ => None,
        }
    };
    (a..=b)
        .filter_map(|i| Some((i, value(i)?)))
        .filter(|p| p.1.is_finite())
        .max_by(|x, y| x.1.total_cmp(&y.1))
        .map(|p| p.0)
        .unwrap_or((a + b) / 2)
}

/// Three different frames around a fault (before, at, after), in order, inside the clip's
/// `last` frame: `half` frames before the window and after it, moved apart where the clip's
/// ends would make two of them the same frame.
pub fn before_at_after(
    start: usize,
    end: usize,
    at: usize,
    half: usize,
    last: usize,
) -> [usize; 3] {
    let half = half.max(1);
    let at = at.clamp(start.min(last), end.max(start).min(last));
    if last < 2 {
        return [0, at.min(last), last];
    }
    let at = at.clamp(1, last - 1);
    let before = start.saturating_sub(half).min(at - 1);
    let after = (end.max(start) + half).min(last).max(at + 1);
    [before, at, after]
}

#[cfg(test)]
mod tests {

    #[test]
    fn fractions_keep_two_decimals() {
        // 0.93 against a 0.9 limit must not read "0.9 (limit 0.9)"
        assert_eq!(with_unit(0.934, "fraction"), "0.93 fraction");
        assert_eq!(with_unit(28.14, "deg"), "28.1°");
        assert_eq!(with_unit(7.46, "cm"), "7.5 cm");
    }

    use super::*;

    #[test]
    fn thumbnail_frames_are_three_different_frames_in_order() {
        // the window at the very start and end of the clip, and a one-frame window
        for (start, end, at, last) in [(0, 5, 0, 100), (95, 100, 100, 100), (50, 50, 50, 100)] {
            let [b, a, f] = before_at_after(start, end, at, 15, last);
            assert!(
                b < a && a < f && f <= last,
                "{start}-{end} at {at}: {b} {a} {f}"
            );
        }
        assert_eq!(before_at_after(40, 60, 52, 15, 200), [25, 52, 75]);
    }

    #[test]
    fn the_at_thumbnail_is_the_worst_frame_of_the_window() {
        let clip =
            crate::testkit::fixture::demo_clip(std::path::Path::new("x.mp4"), 640, 360, 30.0, 120);
        for f in &clip.analysis.faults {
            let at = worst_frame(&clip, f);
            assert!(at >= f.start_frame && at <= f.end_frame, "{}: {at}", f.kind);
            let series: Vec<Option<f64>> = match f.kind.as_str() {
                "thoracic_rounding" => clip.thoracic_flexion_deg.clone(),
                "bar_drift" => (0..clip.kinematics.frames())
                    .map(|i| bar_x_cm(&clip, i))
                    .collect(),
                _ => continue,
            };
            let peak = (f.start_frame..=f.end_frame)
                .filter_map(|i| series[i])
                .fold(f64::NEG_INFINITY, f64::max);
            assert_eq!(
                series[at],
                Some(peak),
                "{}: frame {at} is not the worst",
                f.kind
            );
            // a window off-centre around the peak: still the peak, not the middle
            let mut g = f.clone();
            (g.start_frame, g.end_frame) = (at - 2, at + 10);
            assert_eq!(worst_frame(&clip, &g), at, "{}", f.kind);
        }
    }

    #[test]
    fn the_drift_reference_is_the_faults_own() {
        use crate::faults::Fault;
        let config = crate::config::Config::default();
        let mut clip =
            crate::testkit::fixture::demo_clip(std::path::Path::new("x.mp4"), 640, 360, 30.0, 120);
        // the lifter sets up 3 cm in front of mid-foot: the fault measures from there
        let px = 3.0 / clip.bar.scale.cm_per_px;
        for s in clip.bar.samples.iter_mut() {
            s.x_px = s.x_px.map(|x| x + px);
        }
        let rep = clip.analysis.reps[1].clone();
        assert!((drift_reference_cm(&clip, &rep).unwrap() - 3.0).abs() < 0.05);
        let input = clip.fault_input(&config);
        let crate::faults::Verdict::Found(f) =
            crate::faults::bar_drift::BarDrift.assess(&input, &rep)
        else {
            panic!("the fixture's second rep drifts 8 cm")
        };
        let ours = drift_from_setup_cm(&clip, &rep).unwrap();
        // the fault rounds its value to 0.1
        assert!(
            (ours - f.value).abs() <= 0.05,
            "{ours} vs the fault's {}",
            f.value
        );
        assert!((ours - 8.0).abs() < 0.3, "{ours}");
    }

    #[test]
    fn names_and_units_read_well() {
        assert_eq!(fault_title("thoracic_rounding"), "Rounded upper back");
        assert_eq!(fault_title("some_new_fault"), "Some new fault");
        assert_eq!(with_unit(28.14, "deg"), "28.1°");
        assert_eq!(with_unit(7.5, "cm"), "7.5 cm");
    }
}
