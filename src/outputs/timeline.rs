//! The clip's timeline as the outputs see it: which rep and phase each frame is in, which
//! faults are active, and the names and units people read. Shared by the annotated video,
//! the plots and the report, so they always agree.

use crate::analyze::ClipAnalysis;
use crate::faults::Finding;
use crate::reps::Rep;

/// A phase of a rep, in the order they happen.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Phase {
    Setup,
    Pull,
    Lockout,
    Lowering,
}

impl Phase {
    pub fn label(self) -> &'static str {
        match self {
            Phase::Setup => "set-up",
            Phase::Pull => "pull",
            Phase::Lockout => "lockout",
            Phase::Lowering => "lowering",
        }
    }
}

/// First and last frame of a rep (inclusive), from whichever phase frames it has.
pub fn rep_span(rep: &Rep) -> Option<(usize, usize)> {
    let frames = [
        rep.start_frame,
        rep.liftoff_frame,
        rep.knee_frame,
        rep.lockout_frame,
        rep.end_frame,
    ];
    let first = frames.iter().flatten().min().copied()?;
    let last = frames.iter().flatten().max().copied()?;
    Some((first, last))
}

/// Phase spans of a rep: `(phase, first_frame, last_frame)`.
pub fn phase_spans(rep: &Rep) -> Vec<(Phase, usize, usize)> {
    let Some((first, last)) = rep_span(rep) else {
        return Vec::new();
    };
    let liftoff = rep.liftoff_frame.unwrap_or(first);
    let lockout = rep.lockout_frame.unwrap_or(last);
    let mut spans = Vec::new();
    if liftoff > first {
        spans.push((Phase::Setup, first, liftoff));
    }
    if lockout > liftoff {
        spans.push((Phase::Pull, liftoff, lockout));
    }
    if last > lockout {
        spans.push((Phase::Lowering, lockout, last));
    }
    spans
}

/// Index into `reps` and phase at `frame`, if the frame is inside a rep.
pub fn phase_at(reps: &[Rep], frame: usize) -> Option<(usize, Phase)> {
    for (i, rep) in reps.iter().enumerate() {
        let Some((first, last)) = rep_span(rep) else {
            continue;
        };
        if frame < first || frame > last {
            continue;
        }
        if let Some(l) = rep.lockout_frame {
            if frame.abs_diff(l) <= 2 {
                return Some((i, Phase::Lockout));
            }
        }
        for (phase, a, b) in phase_spans(rep) {
            if frame >= a && frame <= b {
                return Some((i, phase));
            }
        }
        return Some((i, Phase::Pull));
    }
    None
}

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

/// "28.1°", "7.5 cm".
pub fn with_unit(value: f64, unit: &str) -> String {
    format!("{value:.1}{}", unit_suffix(unit))
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

/// Vertical bar velocity (m/s, + up) at each frame, central difference over ±`half` frames.
pub fn bar_velocity_m_per_s(clip: &ClipAnalysis, half: usize) -> Vec<Option<f64>> {
    let n = clip.kinematics.frames().min(clip.bar.samples.len());
    (0..n)
        .map(|i| {
            let a = i.saturating_sub(half);
            let b = (i + half).min(n.saturating_sub(1));
            if b <= a {
                return None;
            }
            let (ha, hb) = (clip.bar.height_cm(a)?, clip.bar.height_cm(b)?);
            let dt = frame_time_s(clip, b) - frame_time_s(clip, a);
            (dt > 0.0).then(|| (hb - ha) / 100.0 / dt)
        })
        .collect()
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

#[cfg(test)]
mod tests {
    use super::*;

    fn rep() -> Rep {
        Rep {
            index: 1,
            start_frame: Some(10),
            liftoff_frame: Some(20),
            knee_frame: Some(30),
            lockout_frame: Some(40),
            end_frame: Some(60),
            ..Rep::default()
        }
    }

    #[test]
    fn phases_follow_the_rep_frames() {
        let reps = vec![rep()];
        assert_eq!(phase_at(&reps, 5), None);
        assert_eq!(phase_at(&reps, 12), Some((0, Phase::Setup)));
        assert_eq!(phase_at(&reps, 25), Some((0, Phase::Pull)));
        assert_eq!(phase_at(&reps, 41), Some((0, Phase::Lockout)));
        assert_eq!(phase_at(&reps, 50), Some((0, Phase::Lowering)));
        assert_eq!(phase_at(&reps, 61), None);
    }

    #[test]
    fn names_and_units_read_well() {
        assert_eq!(fault_title("thoracic_rounding"), "Rounded upper back");
        assert_eq!(fault_title("some_new_fault"), "Some new fault");
        assert_eq!(with_unit(28.14, "deg"), "28.1°");
        assert_eq!(with_unit(7.5, "cm"), "7.5 cm");
    }
}
