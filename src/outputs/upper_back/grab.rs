//! Picks a few frames out of the input video, cropped, without a second pass over it: one
//! `ffmpeg` child takes up to [`CROPS_PER_CHILD`] of them, each as its own input that seeks
//! to the nearest keyframe before its frame and decodes from there (a GOP at most, not the
//! video up to it), so the cost is per crop, not per frame of the video, and memory is a few
//! crops (a child per crop spent 0.08 s of its 0.22 s starting up). Without `ffmpeg` the
//! OpenCV reader decodes from the start (exact, slower), once for all the crops.
//!
//! Frame index to time: the analysis numbers frames as the OpenCV reader decodes them, from
//! the video stream's first frame, with `time_s` from there. `ffmpeg -ss` counts from the
//! file's start (the earliest stream), so the video stream's own start is added; and it
//! keeps the first frame whose timestamp is at or after the seek point, so the seek aims a
//! quarter frame early. A test compares the picked frames with the reader's, pixel by pixel.

use std::path::Path;
use std::process::{Command, Stdio};

use opencv::core::{Mat, CV_8UC3};
use opencv::prelude::*;

use super::crop::Rect;
use crate::error::{Error, Result};
use crate::video::VideoReader;

/// One crop to pick: the frame's index and time (as the analysis numbered it) and where.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Wanted {
    pub frame: usize,
    pub time_s: f64,
    pub rect: Rect,
}

/// The crops of `wanted`, in order, from the upright frames of `input` (`fps` is the
/// analysis's).
pub fn grab_crops(input: &Path, ffmpeg: &Path, fps: f64, wanted: &[Wanted]) -> Result<Vec<Mat>> {
    if wanted.is_empty() {
        return Ok(Vec::new());
    }
    let start_s = video_start_offset_s(input, ffmpeg);
    let mut out = Vec::with_capacity(wanted.len());
    for group in wanted.chunks(CROPS_PER_CHILD) {
        let seeks: Vec<(f64, Rect)> = group
            .iter()
            .map(|w| (seek_time_s(w.time_s, start_s, fps), w.rect))
            .collect();
        match grab_with_ffmpeg(input, ffmpeg, &seeks) {
            Ok(m) => out.extend(m),
            // no ffmpeg program: the OpenCV reader does them all
            Err(GrabError::NotStarted) => return grab_with_opencv(input, wanted),
            Err(GrabError::Failed(reason)) => {
                let frames: Vec<String> = group.iter().map(|w| w.frame.to_string()).collect();
                return Err(Error::Output {
                    path: input.to_path_buf(),
                    reason: format!(
                        "picking frames {} for their crops: {reason}",
                        frames.join(", ")
                    ),
                });
            }
        }
    }
    Ok(out)
}

/// Crops one `ffmpeg` child picks: each is an input of its own (a decoder each), so a few.
pub const CROPS_PER_CHILD: usize = 4;

/// Where `ffmpeg -ss` must seek for the frame at `time_s`: the video stream's start
/// `start_s` after the file's, and a quarter frame early (it keeps the first frame at or
/// after the seek point; a rounding error must not skip to the next one).
pub fn seek_time_s(time_s: f64, start_s: f64, fps: f64) -> f64 {
    (time_s + start_s - 0.25 / fps.max(1.0)).max(0.0)
}

enum GrabError {
    NotStarted,
    Failed(String),
}

fn grab_with_ffmpeg(
    input: &Path,
    ffmpeg: &Path,
    seeks: &[(f64, Rect)],
) -> std::result::Result<Vec<Mat>, GrabError> {
    let failed = GrabError::Failed;
    let dir = tempfile::tempdir().map_err(|e| failed(e.to_string()))?;
    let file = |k: usize| dir.path().join(format!("{k}.bgr"));
    let mut cmd = Command::new(ffmpeg);
    cmd.args(["-v", "error", "-nostdin"]);
    for (seek_s, _) in seeks {
        cmd.args(["-ss", &format!("{seek_s:.6}"), "-i"]).arg(input);
    }
    for (k, (_, r)) in seeks.iter().enumerate() {
        cmd.args(["-map", &format!("{k}:v:0"), "-frames:v", "1"])
            // converted before the crop: on 4:2:0 frames `crop` would round x and y down to even
            .args([
                "-vf",
                &format!("format=bgr24,crop={}:{}:{}:{}", r.w, r.h, r.x, r.y),
            ])
            .args(["-f", "rawvideo", "-pix_fmt", "bgr24"])
            .arg(file(k));
    }
    let output = cmd
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|_| GrabError::NotStarted)?;
    let stderr = String::from_utf8_lossy(&output.stderr).trim().to_string();
    if !output.status.success() {
        return Err(failed(format!(
            "ffmpeg failed ({}): {stderr}",
            output.status
        )));
    }
    seeks
        .iter()
        .enumerate()
        .map(|(k, (_, r))| {
            let bytes = std::fs::read(file(k)).map_err(|e| failed(format!("{e}: {stderr}")))?;
            let mut image = Mat::new_rows_cols_with_default(r.h, r.w, CV_8UC3, 0.into())
                .map_err(|e| failed(e.message))?;
            let buf = image.data_bytes_mut().map_err(|e| failed(e.message))?;
            if bytes.len() != buf.len() {
                return Err(failed(format!(
                    "{} bytes for a {}x{} crop: {stderr}",
                    bytes.len(),
                    r.w,
                    r.h
                )));
            }
            buf.copy_from_slice(&bytes);
            Ok(image)
        })
        .collect()
}

/// The video stream's start after the file's (s), from `ffprobe` beside `ffmpeg`; 0 when it
/// cannot say (most files start both at 0).
fn video_start_offset_s(input: &Path, ffmpeg: &Path) -> f64 {
    let ffprobe = ffmpeg.with_file_name(
        ffmpeg
            .file_name()
            .map(|n| n.to_string_lossy().replace("ffmpeg", "ffprobe"))
            .unwrap_or_else(|| "ffprobe".into()),
    );
    let out = Command::new(ffprobe)
        .args(["-v", "error", "-select_streams", "v:0"])
        .args(["-show_entries", "stream=start_time:format=start_time"])
        .args(["-of", "default=nw=1"])
        .arg(input)
        .stdin(Stdio::null())
        .output();
    let Ok(out) = out else { return 0.0 };
    start_offset_from_probe(&String::from_utf8_lossy(&out.stdout))
}

/// ffprobe prints the stream's `start_time=` first, then the format's.
fn start_offset_from_probe(text: &str) -> f64 {
    let starts: Vec<f64> = text
        .lines()
        .filter_map(|l| l.trim().strip_prefix("start_time="))
        .filter_map(|v| v.parse::<f64>().ok())
        .collect();
    match starts.as_slice() {
        [stream, format, ..] if (stream - format).is_finite() => (stream - format).max(0.0),
        _ => 0.0,
    }
}

/// Every crop from one pass of the OpenCV reader up to the last wanted frame: the frames
/// between are decoded without converting them.
fn grab_with_opencv(input: &Path, wanted: &[Wanted]) -> Result<Vec<Mat>> {
    let mut reader = VideoReader::open(input)?;
    let last = wanted.iter().map(|w| w.frame).max().unwrap_or(0);
    let mut out: Vec<Option<Mat>> = vec![None; wanted.len()];
    for index in 0..=last {
        if !wanted.iter().any(|w| w.frame == index) {
            if reader.skip_frame()?.is_none() {
                break;
            }
            continue;
        }
        let Some(frame) = reader.next_frame()? else {
            break;
        };
        for (k, w) in wanted.iter().enumerate().filter(|(_, w)| w.frame == index) {
            let r = opencv::core::Rect::new(w.rect.x, w.rect.y, w.rect.w, w.rect.h);
            out[k] = Some(Mat::roi(&frame.image, r)?.try_clone()?);
        }
    }
    out.into_iter()
        .zip(wanted)
        .map(|(m, w)| {
            m.ok_or_else(|| Error::Output {
                path: input.to_path_buf(),
                reason: format!("frame {} is past the end of the video", w.frame),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_seek_aims_a_quarter_frame_early_after_the_video_streams_start() {
        assert!((seek_time_s(2.0, 0.0, 25.0) - 1.99).abs() < 1e-12);
        assert!((seek_time_s(2.0, 0.1, 25.0) - 2.09).abs() < 1e-12);
        assert_eq!(seek_time_s(0.0, 0.0, 30.0), 0.0);
    }

    #[test]
    fn the_video_streams_start_is_read_from_ffprobe() {
        let probe = "start_time=0.066733\nstart_time=0.000000\n";
        assert!((start_offset_from_probe(probe) - 0.066733).abs() < 1e-9);
        assert_eq!(
            start_offset_from_probe("start_time=N/A\nstart_time=0\n"),
            0.0
        );
        assert_eq!(start_offset_from_probe(""), 0.0);
    }
}
