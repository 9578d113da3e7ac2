//! The pipeline for one video, read top to bottom like a graph: the per-frame pass
//! ([`crate::pass`]: decode → pose + back contour, bar observations) → kinematics → bar track
//! → reps → view → faults → [`ClipAnalysis`]. Frames are streamed: only per-frame numbers are
//! kept, never images. No stage edits what an earlier one made.

use std::path::Path;

use serde::Serialize;

use crate::bar::BarTrack;
use crate::config::{Config, ModelKind};
use crate::error::Result;
use crate::faults::thoracic_evidence::{upper_back_evidence, UpperBackEvidence};
use crate::faults::{Finding, NotAssessable};
use crate::kinematics::back::{back_series, NoFit};
use crate::kinematics::{self, Facing, Kinematics, Side};
pub use crate::pass::{run_frames, FramePass, RunOptions, StageTiming, VideoSummary};
use crate::pose::PoseFrame;
use crate::reps::Rep;
use crate::view::ViewVerdict;

pub const SCHEMA_VERSION: u32 = 1;

#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct PoseSummary {
    pub model: ModelKind,
    pub side: Side,
    pub facing: Facing,
    /// Fraction of frames with a person found.
    pub detected_fraction: f64,
    /// Fraction of frames where the detector had to run (the track was lost).
    pub detector_fraction: f64,
    pub person_found: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub message: Option<String>,
}

/// `analysis.json`.
#[derive(Debug, Clone, Serialize, schemars::JsonSchema)]
pub struct Analysis {
    pub schema_version: u32,
    pub input: String,
    pub video: VideoSummary,
    pub pose: PoseSummary,
    pub view: ViewVerdict,
    pub bar: BarTrack,
    pub reps: Vec<Rep>,
    pub faults: Vec<Finding>,
    pub not_assessable: Vec<NotAssessable>,
    /// Per rep, what the upper-back measure compared (frames, angles, spread, crops).
    pub upper_back: Vec<UpperBackEvidence>,
    pub timing: StageTiming,
}

/// Everything known about one clip: the summary and the per-frame series behind it.
#[derive(Debug, Clone)]
pub struct ClipAnalysis {
    pub analysis: Analysis,
    pub poses: Vec<PoseFrame>,
    pub kinematics: Kinematics,
    pub bar: BarTrack,
    /// Upper-back flexion per frame (degrees), from the traced back shape.
    pub thoracic_flexion_deg: Vec<Option<f64>>,
    /// Why a traced frame's back has no curve (ragged, blurred), per frame.
    pub back_unfit: Vec<Option<NoFit>>,
    /// The back's fitted bend per frame, unsmoothed (its jitter is the measure's spread).
    pub back_raw_deg: Vec<Option<f64>>,
}

impl ClipAnalysis {
    /// What the faults see of this clip: for re-assessing a fault's reference (the plots,
    /// the evaluation) after the analysis.
    pub fn fault_input<'a>(&'a self, config: &'a Config) -> crate::faults::FaultInput<'a> {
        crate::faults::FaultInput {
            kinematics: &self.kinematics,
            bar: &self.bar,
            reps: &self.analysis.reps,
            thoracic_flexion_deg: &self.thoracic_flexion_deg,
            back_unfit: &self.back_unfit,
            back_raw_deg: &self.back_raw_deg,
            view: &self.analysis.view,
            damage: self.analysis.video.missing_frames(),
            config: &config.faults,
            min_reliable_rep_fraction: config.reliability.min_reliable_rep_fraction,
        }
    }
}

/// The whole analysis of one video: the per-frame pass, then the stages on its numbers.
pub fn analyze_video(
    path: &Path,
    config: &Config,
    options: &RunOptions,
    on_frame: &mut dyn FnMut(usize, usize),
) -> Result<ClipAnalysis> {
    let pass = run_frames(path, config, options, on_frame)?;
    Ok(analyze_frames(path, pass, config))
}

/// Everything after the per-frame pass, one stage after the other, each reading what the
/// ones before it made: pure computation on per-frame data.
pub fn analyze_frames(path: &Path, pass: FramePass, config: &Config) -> ClipAnalysis {
    let started = std::time::Instant::now();
    let FramePass {
        video,
        poses,
        bar,
        timing,
    } = pass;
    let fps = video.info.fps;
    let stride = config.pose.model_stride(fps);

    let plate = bar.plate_discs();
    let facts: Vec<kinematics::FrameFacts> = poses
        .iter()
        .enumerate()
        .map(|(i, p)| kinematics::FrameFacts {
            model_ran: p.model_ran,
            plate: plate.get(i).copied().flatten(),
        })
        .collect();
    let kinematics = kinematics::from_landmarks(
        &poses.iter().map(|p| p.landmarks).collect::<Vec<_>>(),
        &facts,
        poses.iter().map(|p| p.time_s).collect(),
        fps,
        &filter_for_stride(&config.filter, stride, fps),
        &config.pose,
        &config.reliability,
    );
    let back = back_series(&poses.iter().map(|p| p.back.clone()).collect::<Vec<_>>());
    let thoracic_flexion_deg = crate::kinematics::filters::fill_gaps(&back.deg, stride - 1);
    let back_unfit = back.unfit.clone();
    let bar = crate::bar::track(bar, &kinematics, &config.bar, &config.filter);
    let reps = crate::reps::find_reps(&kinematics, &bar, &config.reps);
    let video = video.with_damage_check(&kinematics.time_s);
    let view = crate::view::check_view(
        &poses,
        video.info.height as f64,
        &kinematics,
        &reps,
        &config.view,
    );
    let fault_input = crate::faults::FaultInput {
        kinematics: &kinematics,
        bar: &bar,
        reps: &reps,
        thoracic_flexion_deg: &thoracic_flexion_deg,
        back_unfit: &back_unfit,
        back_raw_deg: &back.raw_deg,
        view: &view,
        damage: video.missing_frames(),
        config: &config.faults,
        min_reliable_rep_fraction: config.reliability.min_reliable_rep_fraction,
    };
    let (faults, not_assessable) = crate::faults::assess(&fault_input);
    let upper_back = upper_back_evidence(
        &fault_input,
        &back,
        &kinematics.time_s,
        stride - 1,
        &faults,
        &not_assessable,
    );

    let analysis = Analysis {
        schema_version: SCHEMA_VERSION,
        input: path.display().to_string(),
        video,
        pose: pose_summary(&poses, &kinematics, config.pose.model),
        view,
        bar: bar.clone(),
        reps,
        faults,
        not_assessable,
        upper_back,
        timing: StageTiming {
            reliability_ms: kinematics.reliability_ms,
            analysis_ms: started.elapsed().as_secs_f64() * 1000.0,
            ..timing
        },
    };
    ClipAnalysis {
        analysis,
        poses,
        kinematics,
        bar,
        thoracic_flexion_deg,
        back_unfit,
        back_raw_deg: back.raw_deg,
    }
}

/// How well the pose stage found the lifter, for `analysis.json`.
fn pose_summary(poses: &[PoseFrame], kinematics: &Kinematics, model: ModelKind) -> PoseSummary {
    let model_frames = poses.iter().filter(|p| p.model_ran).count().max(1) as f64;
    let found = poses.iter().filter(|p| p.landmarks.is_some()).count();
    let person_found = found > 0;
    PoseSummary {
        model,
        side: kinematics.side,
        facing: kinematics.facing,
        detected_fraction: found as f64 / model_frames,
        detector_fraction: poses.iter().filter(|p| p.detector_ran).count() as f64 / model_frames,
        person_found,
        message: (!person_found).then(|| "no person found in any frame".to_string()),
    }
}

/// The filter settings as they apply when the model ran on every `stride`th frame: the
/// skipped frames are not missing data, so the gap filling always spans them. (The outlier
/// window stays in frames: widened to keep its sample count it rejected real fast motion.)
fn filter_for_stride(
    filter: &crate::config::FilterConfig,
    stride: usize,
    fps: f64,
) -> crate::config::FilterConfig {
    let mut f = filter.clone();
    if stride > 1 {
        f.max_gap_s = filter.max_gap_s.max((stride as f64 - 0.5) / fps);
    }
    f
}
