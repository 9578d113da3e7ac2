//! Per-rep clips (`--clips`, `output.rep_clips`): one short H.264 video per rep in `clips/`,
//! named after the rep's worst fault (`rep2_rounded_upper_back.mp4`, or `rep1.mp4` for a clean
//! rep), so a coach can send the one rep that matters. Cut from the input video itself (not
//! the annotated one) by ffmpeg, re-encoded with libx264 so the cut lands on the rep's frames
//! rather than on the nearest key frame. Owns naming and cutting; the reps come from the
//! analysis.

use std::path::Path;
use std::process::Command;

use super::{summary, timeline};
use crate::analyze::ClipAnalysis;
use crate::error::{Error, Result};
use crate::reps::Rep;

pub const CLIPS_DIR: &str = "clips";
/// Lead-in before the rep's first frame and run-out after its last, so the set-up and the
/// bar back on the floor are in the clip.
pub const MARGIN_S: f64 = 0.2;

/// One clip written.
#[derive(Debug, Clone, serde::Serialize)]
pub struct RepClip {
    pub rep: usize,
    /// `clips/rep2_rounded_upper_back.mp4`, relative to the clip folder.
    pub file: String,
    pub start_s: f64,
    pub duration_s: f64,
}

/// `rep2_rounded_upper_back.mp4`: the rep and its worst finding (furthest over its threshold).
pub fn clip_name(clip: &ClipAnalysis, rep: &Rep) -> String {
    let worst = clip
        .analysis
        .faults
        .iter()
        .filter(|f| f.rep == rep.index)
        .max_by(|a, b| summary::severity(a).total_cmp(&summary::severity(b)));
    match worst {
        Some(f) => format!(
            "rep{}_{}.mp4",
            rep.index,
            slug(&timeline::fault_title(&f.kind))
        ),
        None => format!("rep{}.mp4", rep.index),
    }
}

/// "Rounded upper back" → "rounded_upper_back".
fn slug(title: &str) -> String {
    let mut out = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            out.push(c.to_ascii_lowercase());
        } else if !out.ends_with('_') {
            out.push('_');
        }
    }
    out.trim_matches('_').to_string()
}

/// Start and duration (s) of a rep's clip: its first to its last frame (one frame's time
/// included), [`MARGIN_S`] either side, inside the video.
pub fn clip_window_s(clip: &ClipAnalysis, rep: &Rep) -> Option<(f64, f64)> {
    let (a, b) = rep.span(true)?;
    let fps = clip.analysis.video.info.fps.max(1e-6);
    let end_of_video = clip.analysis.video.decoded_frames as f64 / fps;
    let start = (timeline::frame_time_s(clip, a) - MARGIN_S).max(0.0);
    let end = (timeline::frame_time_s(clip, b) + 1.0 / fps + MARGIN_S).min(end_of_video);
    (end > start).then_some((start, end - start))
}

/// Writes a clip per rep into `dir/clips/`; a rep whose cut fails is a warning, not a failure.
pub fn write_rep_clips(
    clip: &ClipAnalysis,
    dir: &Path,
    ffmpeg: &Path,
) -> (Vec<RepClip>, Vec<String>) {
    let folder = dir.join(CLIPS_DIR);
    let mut clips = Vec::new();
    let mut warnings = Vec::new();
    if clip.analysis.reps.is_empty() {
        return (clips, warnings);
    }
    if let Err(e) = std::fs::create_dir_all(&folder) {
        warnings.push(format!("rep clips not written: {}: {e}", folder.display()));
        return (clips, warnings);
    }
    for rep in &clip.analysis.reps {
        let Some((start_s, duration_s)) = clip_window_s(clip, rep) else {
            continue;
        };
        let name = clip_name(clip, rep);
        match cut(
            ffmpeg,
            Path::new(&clip.analysis.input),
            &folder.join(&name),
            start_s,
            duration_s,
        ) {
            Ok(()) => clips.push(RepClip {
                rep: rep.index,
                file: format!("{CLIPS_DIR}/{name}"),
                start_s,
                duration_s,
            }),
            Err(e) => warnings.push(format!("clip of rep {} not written: {e}", rep.index)),
        }
    }
    (clips, warnings)
}

/// `ffmpeg -ss START -i INPUT -t DURATION`, libx264 (yuv420p, even size, `+faststart`, no
/// sound): with the seek before the input and a re-encode, ffmpeg cuts at the exact frame.
fn cut(ffmpeg: &Path, input: &Path, out: &Path, start_s: f64, duration_s: f64) -> Result<()> {
    let output = Command::new(ffmpeg)
        .args(["-nostdin", "-v", "error", "-y", "-ss"])
        .arg(format!("{start_s:.3}"))
        .arg("-i")
        .arg(input)
        .arg("-t")
        .arg(format!("{duration_s:.3}"))
        .args([
            "-an",
            "-vf",
            "scale=trunc(iw/2)*2:trunc(ih/2)*2",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-crf",
            "23",
            "-pix_fmt",
            "yuv420p",
            "-movflags",
            "+faststart",
        ])
        .arg(out)
        .output()
        .map_err(|e| Error::Output {
            path: out.to_path_buf(),
            reason: format!("cannot run ffmpeg: {e}"),
        })?;
    if output.status.success() {
        return Ok(());
    }
    let _ = std::fs::remove_file(out);
    let stderr = String::from_utf8_lossy(&output.stderr);
    Err(Error::Output {
        path: out.to_path_buf(),
        reason: format!(
            "ffmpeg failed: {}",
            stderr.lines().last().unwrap_or("no message")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clip_is_named_after_its_reps_worst_fault() {
        let clip = crate::testkit::fixture::demo_clip(Path::new("x.mp4"), 640, 360, 30.0, 120);
        let reps = &clip.analysis.reps;
        // rep 2: bar drift 8/5 is further over than rounding 26/20
        assert_eq!(clip_name(&clip, &reps[0]), "rep1_hips_shoot_up_first.mp4");
        assert_eq!(
            clip_name(&clip, &reps[1]),
            "rep2_bar_drifts_away_from_the_legs.mp4"
        );
        let mut clean = reps[0].clone();
        clean.index = 3;
        assert_eq!(clip_name(&clip, &clean), "rep3.mp4");
        // rep 2 starts 2 s in; rep 1 starts 0.17 s in, so its lead-in stops at 0
        let (start, duration) = clip_window_s(&clip, &reps[1]).unwrap();
        let (a, b) = reps[1].span(true).unwrap();
        assert!((start - (a as f64 / 30.0 - MARGIN_S)).abs() < 1e-9);
        let end = ((b + 1) as f64 / 30.0 + MARGIN_S).min(4.0);
        assert!((start + duration - end).abs() < 1e-9);
        assert_eq!(clip_window_s(&clip, &reps[0]).unwrap().0, 0.0);
    }
}
