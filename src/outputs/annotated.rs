//! `annotated.mp4`: every input frame, same size, fps and orientation, with the analysis
//! drawn on it: the near-side skeleton, the trunk line and the live trunk/hip/knee angles,
//! the traced back and its flexion, the bar hub and its trail for the current rep, the
//! mid-foot line, the rep and phase, and a banner while a fault is active. Also grabs the
//! report's thumbnails (before/at/after each fault, and a cover for the batch index) in the
//! same pass. Frames are streamed: decoded, drawn in place and handed to the encoder one at
//! a time.
//!
//! Encoder: Debian's `ffmpeg` (libx264, yuv420p, +faststart: plays in browsers and phones),
//! fed raw frames on a pipe by a writer thread (I420 when the size is even, BGR otherwise).
//! Without `ffmpeg` on the PATH (or with `FORMCHECK_ENCODER=opencv`), OpenCV's FFmpeg writer
//! with `avc1`, and if even that cannot open, `mp4v` (MPEG-4 Part 2, which browsers do not
//! play) with a warning that says so. Text is drawn from cached glyphs ([`super::glyphs`]).

use std::collections::BTreeMap;
use std::io::Write;
use std::path::Path;
use std::process::{Child, Command, Stdio};

use opencv::core::{Mat, Point, Rect, Scalar, Size, Vector};
use opencv::imgproc::{self, FONT_HERSHEY_SIMPLEX, LINE_AA};
use opencv::prelude::*;
use opencv::videoio::VideoWriter;

use super::glyphs::{GlyphCache, TextStyle};
use super::timeline;
use super::Encoder;
use crate::analyze::ClipAnalysis;
use crate::config::Config;
use crate::error::{Error, Result};
use crate::kinematics::Joint;
use crate::video::decode::PREFETCH_FRAMES;
use crate::video::scaled::{ReapOnDrop, ScaledFrames};
use crate::video::VideoReader;

/// `Media::encoder` when the video was switched off.
pub const OFF: &str = "off";

/// File names inside the clip folder.
pub const VIDEO_FILE: &str = "annotated.mp4";
pub const COVER_FILE: &str = "thumb.jpg";
pub const THUMBS_DIR: &str = "thumbs";

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

/// Where frames go.
enum Sink {
    /// Frames go to a thread that converts them (I420 for even sizes, see
    /// [`crate::video::scaled`]) and writes them to ffmpeg, so drawing and encoding overlap.
    Ffmpeg {
        child: ReapOnDrop,
        frames: std::sync::mpsc::SyncSender<Mat>,
        writer: std::thread::JoinHandle<std::result::Result<(), String>>,
    },
    OpenCv(VideoWriter),
}

/// Whether frames of this size can travel as I420 (it needs even sizes).
fn sends_yuv(width: i32, height: i32) -> bool {
    width % 2 == 0 && height % 2 == 0
}

/// x264 preset by frame size: the video pass counts against the real-time target. On two
/// cores, 720p from I420 takes 1.8 CPU-s with `ultrafast` against 2.9 with `superfast` for an
/// 11 s clip (files ~1.5 vs ~0.8 MB): overlays are flat colours and text, which survive either.
pub fn x264_preset(width: i32, height: i32) -> &'static str {
    let pixels = width as i64 * height as i64;
    if pixels >= 1280 * 720 {
        "ultrafast"
    } else if pixels > 854 * 480 {
        "superfast"
    } else {
        "veryfast"
    }
}

fn start_ffmpeg(
    ffmpeg: &Path,
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
) -> std::io::Result<Child> {
    Command::new(ffmpeg)
        .args(["-hide_banner", "-loglevel", "error", "-y", "-f", "rawvideo"])
        .args([
            "-pix_fmt",
            if sends_yuv(width, height) {
                "yuv420p"
            } else {
                "bgr24"
            },
            "-s",
            &format!("{width}x{height}"),
        ])
        .args(["-r", &format!("{fps:.6}"), "-i", "-", "-an"])
        .args(["-vf", "pad=ceil(iw/2)*2:ceil(ih/2)*2"])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            x264_preset(width, height),
            "-crf",
            "23",
        ])
        .args(["-pix_fmt", "yuv420p", "-movflags", "+faststart"])
        .arg(path)
        .stdin(Stdio::piped())
        .stdout(Stdio::null())
        .stderr(Stdio::piped())
        .spawn()
}

fn start_opencv(
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
    warnings: &mut Vec<String>,
) -> Result<(Sink, String, bool)> {
    for (code, name, h264) in [
        ("avc1", "OpenCV FFmpeg writer, H.264 (avc1)", true),
        ("mp4v", "OpenCV FFmpeg writer, MPEG-4 Part 2 (mp4v)", false),
    ] {
        let c: Vec<char> = code.chars().collect();
        let fourcc = VideoWriter::fourcc(c[0], c[1], c[2], c[3])?;
        let writer = VideoWriter::new_with_backend(
            path,
            opencv::videoio::CAP_FFMPEG,
            fourcc,
            fps,
            Size::new(width, height),
            true,
        );
        if let Ok(w) = writer {
            if w.is_opened().unwrap_or(false) {
                if !h264 {
                    warnings.push("H.264 is not available: annotated.mp4 is MPEG-4 Part 2 (mp4v), which most browsers will not play; install ffmpeg".into());
                }
                return Ok((Sink::OpenCv(w), name.into(), h264));
            }
        }
    }
    Err(Error::Output {
        path: path.to_path_buf(),
        reason: "no video encoder: ffmpeg is missing and OpenCV can open neither avc1 nor mp4v"
            .into(),
    })
}

/// Which encoder to try first.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EncoderChoice {
    /// `ffmpeg` when it starts, else OpenCV's writer.
    Auto,
    /// OpenCV's writer only (what a machine without `ffmpeg` gets).
    OpenCv,
}

impl EncoderChoice {
    /// `opencv` (any case) forces OpenCV's writer; anything else is [`Auto`](Self::Auto)
    /// (the value of `FORMCHECK_ENCODER`, read by `main`).
    pub fn parse(value: &str) -> Self {
        if value.eq_ignore_ascii_case("opencv") {
            EncoderChoice::OpenCv
        } else {
            EncoderChoice::Auto
        }
    }
}

/// Opens the encoder: ffmpeg when present, OpenCV's writer otherwise (with a warning).
fn open_sink(
    path: &Path,
    width: i32,
    height: i32,
    fps: f64,
    encoder: &Encoder,
    warnings: &mut Vec<String>,
) -> Result<(Sink, String, bool)> {
    if encoder.choice == EncoderChoice::Auto {
        match start_ffmpeg(&encoder.ffmpeg, path, width, height, fps) {
            Ok(mut child) => {
                if let Some(stdin) = child.stdin.take() {
                    let (frames, rx) = std::sync::mpsc::sync_channel::<Mat>(PREFETCH_FRAMES);
                    let yuv = sends_yuv(width, height);
                    let writer = std::thread::spawn(move || {
                        let mut stdin = std::io::BufWriter::with_capacity(1 << 20, stdin);
                        let mut planes = Mat::default();
                        for frame in rx {
                            let bytes = if yuv {
                                imgproc::cvt_color_def(
                                    &frame,
                                    &mut planes,
                                    imgproc::COLOR_BGR2YUV_I420,
                                )
                                .map_err(|e| e.message)?;
                                planes.data_bytes()
                            } else {
                                frame.data_bytes()
                            }
                            .map_err(|e| e.message)?;
                            stdin.write_all(bytes).map_err(|e| e.to_string())?;
                        }
                        stdin.flush().map_err(|e| e.to_string())
                    });
                    return Ok((
                        Sink::Ffmpeg {
                            child: ReapOnDrop::new(child),
                            frames,
                            writer,
                        },
                        format!(
                            "ffmpeg libx264 ({}, CRF 23, yuv420p, faststart)",
                            x264_preset(width, height)
                        ),
                        true,
                    ));
                }
                let _ = child.kill();
            }
            Err(e) => warnings.push(format!(
                "'{}' could not be started ({e}): fell back to OpenCV's video writer",
                encoder.ffmpeg.display()
            )),
        }
    } else {
        warnings.push("encoder set to OpenCV's video writer (FORMCHECK_ENCODER=opencv)".into());
    }
    start_opencv(path, width, height, fps, warnings)
}

impl Sink {
    fn write(&mut self, frame: Mat) -> std::result::Result<(), String> {
        match self {
            // a closed channel means the writer stopped: `finish` says why
            Sink::Ffmpeg { frames, .. } => frames
                .send(frame)
                .map_err(|_| "the encoder stopped".to_string()),
            Sink::OpenCv(w) => w.write(&frame).map_err(|e| e.message),
        }
    }

    fn finish(self) -> std::result::Result<(), String> {
        match self {
            Sink::Ffmpeg {
                child,
                frames,
                writer,
            } => {
                drop(frames);
                // joining closes ffmpeg's stdin (the writer owns it), so ffmpeg can finish
                let written = writer
                    .join()
                    .unwrap_or_else(|_| Err("the encoder thread panicked".into()));
                let out = child
                    .into_inner()
                    .wait_with_output()
                    .map_err(|e| e.to_string())?;
                if !out.status.success() {
                    let err = String::from_utf8_lossy(&out.stderr);
                    return Err(format!(
                        "ffmpeg failed ({}): {}",
                        out.status,
                        err.lines().last().unwrap_or("")
                    ));
                }
                written
            }
            Sink::OpenCv(mut w) => w.release().map_err(|e| e.message),
        }
    }
}

/// Which frames to keep as pictures, and under which file names.
fn planned_thumbs(clip: &ClipAnalysis) -> (Vec<Thumb>, usize) {
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
        open_sink(&out_path, width, height, info.fps, encoder, &mut warnings)?;
    let (thumbs, cover_frame) = planned_thumbs(clip);
    let mut wanted: BTreeMap<usize, Vec<String>> = BTreeMap::new();
    for t in &thumbs {
        wanted.entry(t.frame).or_default().push(t.file.clone());
    }
    wanted
        .entry(cover_frame)
        .or_default()
        .push(COVER_FILE.into());
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
                save_thumbnail(&image, &dir.join(file))?;
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
    })
}

/// A JPEG at most 480 px wide.
fn save_thumbnail(image: &Mat, path: &Path) -> Result<()> {
    let w = image.cols().max(1);
    let scale = (480.0 / w as f64).min(1.0);
    let mut small = Mat::default();
    let size = Size::new(
        ((w as f64 * scale).round() as i32).max(1),
        ((image.rows() as f64 * scale).round() as i32).max(1),
    );
    imgproc::resize(image, &mut small, size, 0.0, 0.0, imgproc::INTER_AREA)?;
    let params = Vector::from_slice(&[opencv::imgcodecs::IMWRITE_JPEG_QUALITY, 85]);
    let ok = opencv::imgcodecs::imwrite(path.to_string_lossy().as_ref(), &small, &params)?;
    if ok {
        Ok(())
    } else {
        Err(Error::Output {
            path: path.to_path_buf(),
            reason: "OpenCV could not write the JPEG".into(),
        })
    }
}

/// BGR colours (same hues as the plots).
const WHITE: (f64, f64, f64) = (245.0, 245.0, 245.0);
const BLACK: (f64, f64, f64) = (20.0, 20.0, 20.0);
const TRUNK: (f64, f64, f64) = (230.0, 150.0, 40.0);
const HIP: (f64, f64, f64) = (60.0, 60.0, 235.0);
const KNEE: (f64, f64, f64) = (60.0, 200.0, 60.0);
const BACK: (f64, f64, f64) = (230.0, 110.0, 200.0);
const BAR: (f64, f64, f64) = (0.0, 215.0, 255.0);
const MIDFOOT: (f64, f64, f64) = (255.0, 255.0, 0.0);
const FAULT: (f64, f64, f64) = (40.0, 40.0, 200.0);

fn bgr(c: (f64, f64, f64)) -> Scalar {
    Scalar::new(c.0, c.1, c.2, 0.0)
}

fn pt(p: (f64, f64)) -> Point {
    Point::new(p.0.round() as i32, p.1.round() as i32)
}

/// `colour` blended over `rect` of the frame with `alpha`, in place on the frame's bytes
/// (8-bit fixed point): OpenCV's `addWeighted` with a fill image allocated per box took ~3 ms
/// a frame for two full-width fault banners at 720p.
fn blend_box(img: &mut Mat, rect: Rect, colour: (f64, f64, f64), alpha: f64) -> Result<()> {
    let r = rect & Rect::new(0, 0, img.cols(), img.rows());
    if r.width <= 0 || r.height <= 0 {
        return Ok(());
    }
    let cols = img.cols() as usize;
    if img.typ() != opencv::core::CV_8UC3 || !img.is_continuous() {
        let mut roi = Mat::roi_mut(img, r)?;
        let fill = Mat::new_rows_cols_with_default(r.height, r.width, roi.typ(), bgr(colour))?;
        let mut blended = Mat::default();
        opencv::core::add_weighted(&roi, 1.0 - alpha, &fill, alpha, 0.0, &mut blended, -1)?;
        return Ok(blended.copy_to(&mut roi)?);
    }
    let keep = ((1.0 - alpha.clamp(0.0, 1.0)) * 256.0).round() as u32;
    let add =
        [colour.0, colour.1, colour.2].map(|c| (c.clamp(0.0, 255.0) * (256 - keep) as f64) as u32);
    let bytes = img.data_bytes_mut()?;
    for y in r.y as usize..(r.y + r.height) as usize {
        let row =
            &mut bytes[(y * cols + r.x as usize) * 3..(y * cols + (r.x + r.width) as usize) * 3];
        for px in row.chunks_exact_mut(3) {
            for (v, a) in px.iter_mut().zip(add) {
                *v = ((*v as u32 * keep + a) >> 8) as u8;
            }
        }
    }
    Ok(())
}

/// Draws one frame's overlay; sizes scale with the frame so 480p and 4K both read well.
struct Painter<'a> {
    clip: &'a ClipAnalysis,
    width: i32,
    height: i32,
    /// 1.0 at 540 px on the short side.
    scale: f64,
    /// Output px per analysed px (the video may be written smaller than it was analysed).
    to_out: f64,
    min_fault_frames: usize,
    glyphs: GlyphCache,
}

impl<'a> Painter<'a> {
    fn new(clip: &'a ClipAnalysis, width: i32, height: i32, to_out: f64) -> Self {
        let short = width.min(height).max(1) as f64;
        Painter {
            clip,
            width,
            height,
            scale: (short / 540.0).max(0.45),
            to_out,
            min_fault_frames: (clip.kinematics.fps * 0.7).round() as usize,
            glyphs: GlyphCache::default(),
        }
    }

    /// An analysed-frame position in output pixels.
    fn out(&self, p: (f64, f64)) -> (f64, f64) {
        (p.0 * self.to_out, p.1 * self.to_out)
    }

    /// The traced back nearest to `frame` (the model may have skipped it, see
    /// `pose.analysis_fps`), so the trace does not flicker.
    fn back_near(&self, frame: usize) -> Option<&crate::pose::back_contour::BackProfile> {
        let poses = &self.clip.poses;
        let skipped = |i: usize| poses.get(i).is_some_and(|p| !p.model_ran);
        let mut i = frame;
        while skipped(i) && i > 0 {
            i -= 1;
        }
        poses.get(i).and_then(|p| p.back.as_ref())
    }

    fn px(&self, v: f64) -> i32 {
        ((v * self.scale).round() as i32).max(1)
    }

    fn line(
        &self,
        img: &mut Mat,
        a: (f64, f64),
        b: (f64, f64),
        colour: (f64, f64, f64),
        width: f64,
    ) -> Result<()> {
        imgproc::line(img, pt(a), pt(b), bgr(colour), self.px(width), LINE_AA, 0)?;
        Ok(())
    }

    /// Text with a dark outline, readable on any background. `at` is the baseline start.
    fn text(
        &self,
        img: &mut Mat,
        s: &str,
        at: (f64, f64),
        size: f64,
        colour: (f64, f64, f64),
    ) -> Result<()> {
        let style = TextStyle {
            font_scale: 0.55 * size * self.scale,
            stroke_px: self.px(1.5 * size),
            outline_px: self.px(2.0),
            colour: bgr(colour),
            outline_colour: bgr(BLACK),
        };
        self.glyphs.draw(img, s, pt(at), &style)
    }

    fn text_size(&self, s: &str, size: f64) -> (i32, i32) {
        let mut base = 0;
        let fs = 0.55 * size * self.scale;
        imgproc::get_text_size(s, FONT_HERSHEY_SIMPLEX, fs, self.px(1.5 * size), &mut base)
            .map(|s| (s.width, s.height + base))
            .unwrap_or((0, 0))
    }

    /// A filled box, blended over the frame.
    fn panel(&self, img: &mut Mat, rect: Rect, colour: (f64, f64, f64), alpha: f64) -> Result<()> {
        blend_box(img, rect, colour, alpha)
    }

    fn draw(&self, img: &mut Mat, frame: usize) -> Result<()> {
        let clip = self.clip;
        let k = &clip.kinematics;
        let at = |j: Joint| {
            if frame < k.frames() {
                k.at(j, frame).map(|p| self.out(p))
            } else {
                None
            }
        };
        let angle = |s: &[Option<f64>]| s.get(frame).copied().flatten();
        let a = &k.angles;

        // mid-foot vertical line (dashed), from the floor up
        if let Some(mx) = clip.bar.midfoot_x_px.map(|x| x * self.to_out) {
            let bottom = clip
                .bar
                .floor_y_px
                .map(|y| y * self.to_out)
                .unwrap_or(self.height as f64);
            let dash = 14.0 * self.scale;
            let mut y = bottom;
            while y > 0.0 {
                self.line(img, (mx, y), (mx, (y - dash).max(0.0)), MIDFOOT, 1.5)?;
                y -= 2.0 * dash;
            }
            self.text(
                img,
                "mid-foot",
                (mx + 6.0 * self.scale, bottom - 6.0 * self.scale),
                0.8,
                MIDFOOT,
            )?;
        }

        // skeleton of the joints used (near side)
        use Joint::*;
        for (p, q) in [
            (Ear, Shoulder),
            (Shoulder, Elbow),
            (Elbow, Wrist),
            (Hip, Knee),
            (Knee, Ankle),
            (Ankle, Heel),
            (Heel, FootIndex),
            (Ankle, FootIndex),
        ] {
            if let (Some(a), Some(b)) = (at(p), at(q)) {
                self.line(img, a, b, WHITE, 3.0)?;
            }
        }
        // trunk line, extended past the shoulder, and the vertical it is measured from
        if let (Some(h), Some(s)) = (at(Hip), at(Shoulder)) {
            let ext = (s.0 + (s.0 - h.0) * 0.15, s.1 + (s.1 - h.1) * 0.15);
            self.line(img, h, ext, TRUNK, 5.0)?;
            let len = ((s.0 - h.0).powi(2) + (s.1 - h.1).powi(2)).sqrt();
            let mut y = h.1;
            let dash = 8.0 * self.scale;
            while y > h.1 - len * 0.6 {
                self.line(img, (h.0, y), (h.0, y - dash), TRUNK, 1.5)?;
                y -= 2.0 * dash;
            }
        }
        for j in [
            Ear, Shoulder, Elbow, Wrist, Hip, Knee, Ankle, Heel, FootIndex,
        ] {
            if let Some(p) = at(j) {
                imgproc::circle(img, pt(p), self.px(5.0), bgr(BLACK), -1, LINE_AA, 0)?;
                imgproc::circle(img, pt(p), self.px(3.5), bgr(WHITE), -1, LINE_AA, 0)?;
            }
        }

        // the trunk label's place (drawn below), so the back label can keep clear of it
        let side = clip.kinematics.facing.sign();
        let trunk_label = match (at(Shoulder), angle(&a.trunk_angle_deg)) {
            (Some(s), Some(v)) => {
                let label = format!("trunk {v:.0} deg");
                let (w, h) = self.text_size(&label, 0.9);
                let x = if side > 0.0 {
                    s.0 - w as f64 - 18.0 * self.scale
                } else {
                    s.0 + 18.0 * self.scale
                };
                Some((label, x, s.1 - 12.0 * self.scale, w as f64, h as f64))
            }
            _ => None,
        };

        // traced back and its flexion
        if let Some(back) = self.back_near(frame) {
            let pts: Vector<Point> = (0..crate::pose::back_contour::PROFILE_T.len())
                .filter_map(|i| back.edge_point(i).map(|p| pt(self.out(p))))
                .collect();
            if pts.len() >= 2 {
                let all: Vector<Vector<Point>> = Vector::from_iter([pts.clone()]);
                imgproc::polylines(img, &all, false, bgr(BACK), self.px(3.0), LINE_AA, 0)?;
                if let Some(f) = angle(&clip.thoracic_flexion_deg) {
                    let mid = pts.get(pts.len() * 2 / 3)?;
                    let n = back.normal;
                    let tx = mid.x as f64 + n.0 * 14.0 * self.scale;
                    let ty = mid.y as f64 + n.1 * 14.0 * self.scale;
                    let label = format!("back flex {f:.0} deg");
                    let (w, h) = self.text_size(&label, 0.9);
                    let (w, h) = (w as f64, h as f64);
                    let tx = if n.0 < 0.0 { tx - w } else { tx };
                    // bent over, the upper back sits by the shoulder: go above the trunk label
                    let ty = match &trunk_label {
                        Some((_, x, y, tw, th))
                            if tx < x + tw && *x < tx + w && ty - h < *y && y - th < ty =>
                        {
                            y - th - 4.0 * self.scale
                        }
                        _ => ty,
                    };
                    self.text(img, &label, (tx, ty), 0.9, BACK)?;
                }
            }
        }

        // live angles beside their joints
        let beside = |p: (f64, f64), dx: f64| (p.0 - side * dx * self.scale, p.1);
        if let Some((label, x, y, _, _)) = &trunk_label {
            self.text(img, label, (*x, *y), 0.9, TRUNK)?;
        }
        if let (Some(h), Some(v)) = (at(Hip), angle(&a.hip_angle_deg)) {
            let label = format!("hip {v:.0} deg");
            let (w, _) = self.text_size(&label, 0.9);
            let p = beside(h, 16.0);
            let x = if side > 0.0 { p.0 - w as f64 } else { p.0 };
            self.text(img, &label, (x, h.1 + 24.0 * self.scale), 0.9, HIP)?;
        }
        if let (Some(kp), Some(v)) = (at(Knee), angle(&a.knee_angle_deg)) {
            let p = (kp.0 + side * 16.0 * self.scale, kp.1);
            let label = format!("knee {v:.0} deg");
            let (w, _) = self.text_size(&label, 0.9);
            let x = if side > 0.0 { p.0 } else { p.0 - w as f64 };
            self.text(img, &label, (x, p.1), 0.9, KNEE)?;
        }

        // bar: trail for the current rep, then the hub
        let rep = timeline::phase_at(&clip.analysis.reps, frame);
        let trail_from = match rep {
            Some((i, _)) => timeline::rep_span(&clip.analysis.reps[i])
                .map(|s| s.0)
                .unwrap_or(frame),
            None => frame.saturating_sub((k.fps * 1.0) as usize),
        };
        let trail: Vector<Point> = (trail_from..=frame)
            .filter_map(|i| {
                let s = clip.bar.samples.get(i)?;
                Some(pt(self.out((s.x_px?, s.y_px?))))
            })
            .collect();
        if trail.len() >= 2 {
            let all: Vector<Vector<Point>> = Vector::from_iter([trail]);
            imgproc::polylines(img, &all, false, bgr(BAR), self.px(3.0), LINE_AA, 0)?;
        }
        if let Some(s) = clip.bar.samples.get(frame) {
            if let (Some(x), Some(y)) = (s.x_px, s.y_px) {
                let (x, y) = self.out((x, y));
                imgproc::circle(
                    img,
                    pt((x, y)),
                    self.px(9.0),
                    bgr(BLACK),
                    self.px(3.0) + 2,
                    LINE_AA,
                    0,
                )?;
                imgproc::circle(
                    img,
                    pt((x, y)),
                    self.px(9.0),
                    bgr(BAR),
                    self.px(3.0),
                    LINE_AA,
                    0,
                )?;
                imgproc::circle(img, pt((x, y)), self.px(2.5), bgr(BAR), -1, LINE_AA, 0)?;
            }
        }

        // rep and phase, top-left
        let reps = &clip.analysis.reps;
        let status = match rep {
            Some((i, phase)) => {
                // a rep whose every fault is not assessable (unreliable pose, implausible
                // figures, a damaged file) says so while it plays
                let index = reps[i].index;
                let judged = clip
                    .analysis
                    .not_assessable
                    .iter()
                    .filter(|n| n.rep == Some(index))
                    .count()
                    < crate::faults::registry().len();
                format!(
                    "Rep {} of {}: {}{}",
                    index,
                    reps.len(),
                    phase.label(),
                    if judged { "" } else { " (not judged)" }
                )
            }
            None if reps.is_empty() => "no reps found".into(),
            None => "between reps".into(),
        };
        let k = &clip.kinematics;
        let time = format!(
            "{:.2} s  frame {}{}",
            timeline::frame_time_s(clip, frame),
            frame,
            match k.reliability.get(frame).copied().flatten() {
                // rounded down, so a score just under the limit never prints as the limit
                Some(r) if r < k.min_reliability => {
                    format!("  pose unreliable ({:.2})", (r * 100.0).floor() / 100.0)
                }
                _ => String::new(),
            }
        );
        let (w1, h1) = self.text_size(&status, 1.2);
        let (w2, h2) = self.text_size(&time, 0.8);
        let pad = 10.0 * self.scale;
        let bw = w1.max(w2) as f64 + 2.0 * pad;
        let bh = (h1 + h2) as f64 + 3.0 * pad;
        self.panel(img, Rect::new(0, 0, bw as i32, bh as i32), BLACK, 0.55)?;
        self.text(img, &status, (pad, pad + h1 as f64 * 0.8), 1.2, WHITE)?;
        self.text(
            img,
            &time,
            (pad, 2.0 * pad + h1 as f64 + h2 as f64 * 0.75),
            0.8,
            WHITE,
        )?;

        // fault banners, bottom
        let active = timeline::active_findings(&clip.analysis.faults, frame, self.min_fault_frames);
        let (_, lh) = self.text_size("Ag", 1.1);
        let row = lh as f64 + 2.0 * pad;
        for (n, f) in active.iter().enumerate() {
            let y = self.height as f64 - row * (n + 1) as f64;
            let unit = if f.unit == "deg" {
                " deg".to_string()
            } else {
                timeline::unit_suffix(&f.unit)
            };
            let label = format!(
                "FAULT rep {}: {}  {:.1}{unit} (limit {:.1}{unit})",
                f.rep,
                timeline::fault_title(&f.kind),
                f.value,
                f.threshold
            );
            self.panel(
                img,
                Rect::new(0, y as i32, self.width, row as i32),
                FAULT,
                0.8,
            )?;
            // shrink the text to fit narrow (portrait, small) frames
            let (w, _) = self.text_size(&label, 1.1);
            let room = self.width as f64 - 2.0 * pad;
            let size = if w as f64 > room {
                (1.1 * room / w as f64).max(0.5)
            } else {
                1.1
            };
            self.text(
                img,
                &label,
                (pad, y + row - pad - lh as f64 * 0.2),
                size,
                WHITE,
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blended_box_matches_add_weighted_and_stays_inside() {
        let bg = Scalar::new(200.0, 90.0, 10.0, 0.0);
        let mut img = Mat::new_rows_cols_with_default(40, 60, opencv::core::CV_8UC3, bg).unwrap();
        let colour = (40.0, 40.0, 200.0);
        // partly off the frame: clipped, not an error
        blend_box(&mut img, Rect::new(50, 10, 30, 20), colour, 0.8).unwrap();
        let px = |x, y| *img.at_2d::<opencv::core::Vec3b>(y, x).unwrap();
        let expect = |b: f64, c: f64| 0.2 * b + 0.8 * c;
        let inside = px(55, 15);
        for (k, (b, c)) in [(200.0, 40.0), (90.0, 40.0), (10.0, 200.0)]
            .iter()
            .enumerate()
        {
            assert!(
                (inside[k] as f64 - expect(*b, *c)).abs() <= 1.0,
                "{inside:?}"
            );
        }
        assert_eq!(px(49, 15), opencv::core::Vec3b::from([200, 90, 10]));
        assert_eq!(px(55, 9), opencv::core::Vec3b::from([200, 90, 10]));
    }
}
