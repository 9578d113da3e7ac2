//! formcheck: reviews side-view videos of barbell deadlifts.
//!
//! The pipeline, one module per stage with plain data between them:
//! [`video`] (decode) → [`pose`] (BlazePose) → [`kinematics`] (angles, filters, back shape) →
//! [`reps`] → [`faults`] → [`outputs`]. [`analyze::analyze_video`] runs it for one file and
//! reads like the graph; [`batch`] runs many.

pub mod analyze;
pub mod bar;
pub mod batch;
pub mod config;
pub mod config_ranges;
pub mod data_dir;
pub mod doctor;
pub mod error;
pub mod eval;
pub mod faults;
pub mod kinematics;
pub mod outputs;
pub mod pose;
pub mod posecache;
pub mod progress;
pub mod reps;
pub mod video;
pub mod view;
