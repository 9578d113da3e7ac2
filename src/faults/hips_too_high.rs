//! `hips_too_high_at_setup`: a stiff-legged start: the hips start nearly as high as the
//! shoulders, so the back does all the work off the floor.
//!
//! Definition: at the set-up the hip height, as a fraction of the way from knee height to
//! shoulder height, is over `setup.max_hip_height_fraction`.
//!
//! Source: coaching texts (Starting Strength's set-up: hips between knees and shoulders).
//!
//! Config: `setup.max_hip_height_fraction`, `setup.min_confidence`.

use super::hips_too_low::measure;
use super::{finding, Fault, FaultInput, Verdict};
use crate::reps::Rep;

pub struct HipsTooHigh;

impl Fault for HipsTooHigh {
    fn kind(&self) -> &'static str {
        "hips_too_high_at_setup"
    }

    fn assess(&self, input: &FaultInput, rep: &Rep) -> Verdict {
        let max = input.config.setup.max_hip_height_fraction;
        match measure(input, rep) {
            Err(v) => *v,
            Ok((s, f, c)) if f > max => Verdict::Found(finding(
                self.kind(),
                rep,
                f,
                max,
                "fraction",
                (s, s),
                c,
                "Hips too high: bend the knees until the shins touch the bar, chest up, then push the floor away.",
            )),
            Ok(_) => Verdict::Fine,
        }
    }
}
