//! The integration tests, one module per area, in one test binary (ripgrep's layout): one
//! link of OpenCV and ONNX Runtime instead of one per file. Tests that need `../shared`
//! skip with a message without it, and fail instead with `FORMCHECK_REQUIRE_SHARED=1` (CI).

mod batchkit;
mod common;

mod bad_inputs;
mod bar_synthetic;
mod batch_paths;
mod batch_signals;
mod config_ranges;
mod faults_synthetic;
mod golden_pose;
mod install;
mod mirror_invariance;
mod odd_inputs;
mod pipeline_real;
mod report_annotated;
mod report_chromium;
mod report_clips;
mod report_demo;
mod report_escaping;
mod report_index;
mod report_plots;
mod report_schema;
mod report_upper_back;
mod resume;
mod shards;
