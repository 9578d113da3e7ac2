//! A rep's phases (set-up, pull, lockout, lowering) and which one a frame is in, from the
//! rep's own span ([`Rep::span`] with the set-up): one definition for every output, so the
//! video, the plots and the clips agree with the faults on where a rep begins and ends.

use super::Rep;

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

/// Phase spans of a rep: `(phase, first_frame, last_frame)`.
pub fn phase_spans(rep: &Rep) -> Vec<(Phase, usize, usize)> {
    let Some((first, last)) = rep.span(true) else {
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
        let Some((first, last)) = rep.span(true) else {
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
    fn a_rep_cut_during_the_descent_is_lowering_down_to_its_bottom() {
        // the clip ends before the bar is back on the floor: no end frame, a bottom frame
        let reps = vec![Rep {
            end_frame: None,
            descent_frame: Some(45),
            bottom_frame: Some(58),
            ..rep()
        }];
        assert_eq!(phase_at(&reps, 55), Some((0, Phase::Lowering)));
        assert_eq!(phase_at(&reps, 59), None);
    }
}
