//! The report's pictures, grabbed from the annotated frames in the video pass: before, at
//! and after each fault (at = the fault's worst frame), and a cover for the batch index.

use std::collections::BTreeMap;
use std::path::Path;

use opencv::core::{Mat, Size};
use opencv::imgproc;
use opencv::prelude::*;

use super::THUMBS_DIR;
use crate::analyze::ClipAnalysis;
use crate::error::Result;
use crate::outputs::timeline;

/// One thumbnail of a fault: `which` is "before", "at" or "after".
#[derive(Debug, Clone, serde::Serialize)]
pub struct Thumb {
    /// Index into `analysis.faults`.
    pub finding: usize,
    pub which: &'static str,
    pub frame: usize,
    /// Relative to the clip folder.
    pub file: String,
}

/// Which frames to keep as pictures, and under which file names.
pub(super) fn planned_thumbs(clip: &ClipAnalysis) -> (Vec<Thumb>, usize) {
    let a = &clip.analysis;
    let last = a.video.decoded_frames.max(1) - 1;
    let half_s = (a.video.info.fps * 0.5).round() as usize;
    let mut thumbs = Vec::new();
    for (k, f) in a.faults.iter().enumerate() {
        // "at" is the fault's worst frame; before and after are always other frames
        let at = timeline::worst_frame(clip, f);
        let [before, at, after] =
            timeline::before_at_after(f.start_frame, f.end_frame, at, half_s, last);
        for (which, frame) in [("before", before), ("at", at), ("after", after)] {
            thumbs.push(Thumb {
                finding: k,
                which,
                frame: frame.min(last),
                file: format!("{THUMBS_DIR}/fault{}_{which}.jpg", k + 1),
            });
        }
    }
    let cover = a
        .reps
        .first()
        .and_then(|r| r.knee_frame.or(r.liftoff_frame).or(r.lockout_frame))
        .unwrap_or(last / 2)
        .min(last);
    (thumbs, cover)
}

/// The thumbnail files to save at each frame (several may share a frame).
pub(super) fn files_by_frame(thumbs: &[Thumb], cover_frame: usize) -> BTreeMap<usize, Vec<String>> {
    let mut wanted: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for t in thumbs {
        wanted.entry(t.frame).or_default().push(t.file.clone());
    }
    wanted
        .entry(cover_frame)
        .or_default()
        .push(super::COVER_FILE.into());
    wanted
}

/// A JPEG at most 480 px wide.
pub(super) fn save_thumbnail(image: &Mat, path: &Path) -> Result<()> {
    let w = image.cols().max(1);
    let scale = (480.0 / w as f64).min(1.0);
    let mut small = Mat::default();
    let size = Size::new(
        ((w as f64 * scale).round() as i32).max(1),
        ((image.rows() as f64 * scale).round() as i32).max(1),
    );
    imgproc::resize(image, &mut small, size, 0.0, 0.0, imgproc::INTER_AREA)?;
    crate::outputs::write_jpeg(&small, path, 85)
}
