//! Form faults: one file per fault, each with its definition, source and config keys.
//! A fault either reports a [`Finding`] per rep, or says why it cannot be judged
//! ([`NotAssessable`]) instead of guessing.

use serde::{Deserialize, Serialize};

/// One fault found in one rep.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Finding {
    pub kind: String,
    pub rep: usize,
    pub value: f64,
    pub threshold: f64,
    pub unit: String,
    pub start_frame: usize,
    pub end_frame: usize,
    /// 0–1, from landmark visibility over the window.
    pub confidence: f64,
    pub cue: String,
}

/// A fault that could not be judged for a rep (or the whole clip when `rep` is `None`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct NotAssessable {
    pub kind: String,
    pub rep: Option<usize>,
    pub reason: String,
}

/// Everything a fault may look at.
pub struct FaultInput<'a> {
    pub kinematics: &'a crate::kinematics::Kinematics,
    pub bar: &'a crate::bar::BarTrack,
    pub reps: &'a [crate::reps::Rep],
    /// Upper-back flexion per frame (degrees), from the traced back shape.
    pub thoracic_flexion_deg: &'a [Option<f64>],
    pub view: &'a crate::analyze::ViewVerdict,
    pub config: &'a crate::config::Config,
}

/// Runs every registered fault.
pub fn assess(_input: &FaultInput) -> (Vec<Finding>, Vec<NotAssessable>) {
    (Vec::new(), Vec::new())
}
