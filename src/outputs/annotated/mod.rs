//! `annotated.mp4`: every input frame, same size, fps and orientation, with the analysis
//! drawn on it: the near-side skeleton, the trunk line and the live trunk/hip/knee angles,
//! the traced back and its flexion, the bar hub and its trail for the current rep, the
//! mid-foot line, the rep and phase, and a banner while a fault is active. Also grabs the
//! report's thumbnails (before/at/after each fault, and a cover for the batch index) in the
//! same pass. Frames are streamed: decoded, drawn in place and handed to the encoder one at
//! a time.
//!
//! This file is the flow: open the encoder (`encoder`: which one, the pipe to it), draw each
//! frame (`painter`: one function per overlay layer) and keep the report's pictures
//! (`thumbnails`).

mod encoder;
mod painter;
mod thumbnails;

use std::path::Path;

use opencv::prelude::*;

pub use encoder::{x264_preset, Encoder, EncoderChoice};
use painter::Painter;
pub use thumbnails::Thumb;

use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::video::scaled::ScaledFrames;
use crate::video::VideoReader;

/// `Media::encoder` when the video was switched off.
pub const OFF: &str = "off";

/// File names inside the clip folder.
pub const VIDEO_FILE: &str = "annotated.mp4";
pub const COVER_FILE: &str = "thumb.jpg";
pub const THUMBS_DIR: &str = "thumbs";

/// What the video pass produced, for the report.
#[derive(Debug, Clone, Default)]
pub struct Media {
    /// `annotated.mp4` when written.
    pub video_file: Option<String>,
    /// How it was encoded, in words.
    pub encoder: String,
    /// Browsers can play it (H.264).
    pub h264: bool,
    pub frames_written: usize,
    pub thumbs: Vec<Thumb>,
    pub cover_file: Option<String>,
    pub warnings: Vec<String>,
    /// The per-rep clips (`--clips`), when written.
    pub rep_clips: Vec<super::clips::RepClip>,
    /// The upper-back crops written (`outputs::upper_back`, with or without the video).
    pub upper_back_crops: Vec<String>,
}

impl Media {
    /// No video, by choice (`output.annotated_video = false`, `--no-video`).
    pub fn off() -> Self {
        Media {
            encoder: OFF.into(),
            ..Media::default()
        }
    }

    /// No video: the report says why.
    pub fn failed(warning: String) -> Self {
        Media {
            encoder: "none".into(),
            warnings: vec![warning],
            ..Media::default()
        }
    }
}

/// Writes `annotated.mp4` (and the thumbnails) into `dir` with `encoder`, at the size the
/// config asks for.
pub fn write_annotated(
    clip: &ClipAnalysis,
    config: &Config,
    dir: &Path,
    encoder: &Encoder,
) -> Result<Media> {
    write_annotated_with(
        clip,
        dir,
        encoder,
        config.output.annotated_max_short_side_px,
    )
}

/// The encoded size: the video's own, scaled down so the short side is at most
/// `max_short_side_px` (0 = no limit), even for yuv420p.
pub fn output_size(width: i32, height: i32, max_short_side_px: u32) -> (i32, i32) {
    let short = width.min(height);
    if max_short_side_px == 0 || short <= max_short_side_px as i32 {
        return (width, height);
    }
    let scale = max_short_side_px as f64 / short as f64;
    let even = |v: i32| ((v as f64 * scale / 2.0).round() as i32 * 2).max(2);
    (even(width), even(height))
}

/// Writes `annotated.mp4` (and the thumbnails) into `dir` with the given encoder.
pub fn write_annotated_with(
    clip: &ClipAnalysis,
    dir: &Path,
    encoder: &Encoder,
    max_short_side_px: u32,
) -> Result<Media> {
    let input = Path::new(&clip.analysis.input);
    let info = VideoReader::open(input)?.info().clone();
    let (width, height) = output_size(info.width, info.height, max_short_side_px);
    let mut frames = ScaledFrames::open(input, width, height, &encoder.ffmpeg)?;
    let out_path = dir.join(VIDEO_FILE);
    let mut warnings = Vec::new();
    let (mut sink, encoder, h264) =
        encoder::open_sink(&out_path, width, height, info.fps, encoder, &mut warnings)?;
    let (thumbs, cover_frame) = thumbnails::planned_thumbs(clip);
    let wanted = thumbnails::files_by_frame(&thumbs, cover_frame);
    if !thumbs.is_empty() {
        std::fs::create_dir_all(dir.join(THUMBS_DIR)).map_err(|e| Error::Output {
            path: dir.join(THUMBS_DIR),
            reason: e.to_string(),
        })?;
    }
    let painter = Painter::new(clip, width, height, width as f64 / info.width.max(1) as f64);
    let mut written = 0;
    let mut saved = Vec::new();
    let fail = |reason: String| Error::Output {
        path: out_path.clone(),
        reason,
    };
    while let Some((index, mut image)) = frames.next_frame()? {
        if !image.is_continuous() {
            image = image.try_clone()?;
        }
        painter.draw(&mut image, index)?;
        if let Some(files) = wanted.get(&index) {
            for file in files {
                thumbnails::save_thumbnail(&image, &dir.join(file))?;
                saved.push(file.clone());
            }
        }
        if let Err(e) = sink.write(image) {
            // the encoder died: its own message says why
            let finished = sink.finish().err().unwrap_or_default();
            return Err(fail(format!(
                "encoding frame {index} failed: {e} {finished}"
            )));
        }
        written += 1;
    }
    sink.finish().map_err(fail)?;
    frames.finish()?;
    if written != clip.analysis.video.decoded_frames {
        warnings.push(format!(
            "the second decoding pass gave {written} frames, the analysis saw {}",
            clip.analysis.video.decoded_frames
        ));
    }
    Ok(Media {
        video_file: Some(VIDEO_FILE.into()),
        encoder,
        h264,
        frames_written: written,
        thumbs: thumbs
            .into_iter()
            .filter(|t| saved.contains(&t.file))
            .collect(),
        cover_file: saved
            .iter()
            .any(|f| f == COVER_FILE)
            .then(|| COVER_FILE.to_string()),
        warnings,
        rep_clips: Vec::new(),
        upper_back_crops: Vec::new(),
    })
}
