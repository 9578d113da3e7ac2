//! `annotated.mp4` decodes back with every input frame, the input's size and H.264, with the
//! default encoder (ffmpeg) and with the OpenCV fallback; thumbnails land where the report
//! looks for them.

use std::path::{Path, PathBuf};
use std::process::Command;

use formcheck::outputs::annotated::{write_annotated_with, EncoderChoice};
use formcheck::video::VideoReader;
use opencv::prelude::*;
use opencv::videoio;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

/// Frame count and size by decoding every frame, and the codec tag OpenCV reports.
fn decode(path: &Path) -> (usize, i32, i32, String) {
    let mut reader = VideoReader::open(path).unwrap();
    let (w, h) = (reader.info().width, reader.info().height);
    let mut n = 0;
    while let Some(f) = reader.next_frame().unwrap() {
        assert_eq!((f.image.cols(), f.image.rows()), (w, h));
        n += 1;
    }
    let cap =
        videoio::VideoCapture::from_file(path.to_str().unwrap(), videoio::CAP_FFMPEG).unwrap();
    let fourcc = cap.get(videoio::CAP_PROP_FOURCC).unwrap() as u32;
    let tag: String = fourcc.to_le_bytes().iter().map(|&b| b as char).collect();
    (n, w, h, tag)
}

fn ffprobe_codec(path: &Path) -> Option<String> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-show_entries"])
        .args(["stream=codec_name,pix_fmt", "-of", "csv=p=0"])
        .arg(path)
        .output()
        .ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn check(choice: EncoderChoice) {
    let tmp = tempfile::tempdir().unwrap();
    let clip = formcheck::testkit::fixture::demo_clip(&sample(), 640, 360, 30.0, 120);
    let media = write_annotated_with(&clip, tmp.path(), choice, 0).unwrap();
    let video = tmp.path().join("annotated.mp4");
    let (frames, w, h, tag) = decode(&video);
    assert_eq!(frames, 120, "every input frame");
    assert_eq!((w, h), (640, 360), "same size");
    assert_eq!(media.frames_written, 120);
    if media.h264 {
        assert!(
            ["avc1", "h264", "H264"].contains(&tag.as_str()),
            "codec tag {tag:?} ({})",
            media.encoder
        );
        if let Some(probe) = ffprobe_codec(&video) {
            assert!(probe.starts_with("h264,yuv420p"), "ffprobe: {probe}");
        }
    } else {
        assert!(
            media.warnings.iter().any(|w| w.contains("not play")),
            "a non-H.264 fallback must say so: {:?}",
            media.warnings
        );
    }
    // 3 faults × before/at/after + the cover
    assert_eq!(media.thumbs.len(), 9);
    for t in &media.thumbs {
        assert!(tmp.path().join(&t.file).is_file(), "{}", t.file);
    }
    assert!(tmp.path().join("thumb.jpg").is_file());
}

#[test]
fn annotated_video_has_every_frame_same_size_and_h264() {
    let ffmpeg = Command::new("ffmpeg").arg("-version").output().is_ok();
    if !ffmpeg {
        eprintln!("note: ffmpeg is not installed; this checks the OpenCV fallback instead");
    }
    check(EncoderChoice::Auto);
}

#[test]
fn opencv_fallback_writes_a_playable_video_or_says_why_not() {
    check(EncoderChoice::OpenCv);
}

/// Throughput at 1080p (not run by default): `cargo test --release --test report_annotated
/// -- --ignored --nocapture`. Needs ffmpeg to make the input.
#[test]
#[ignore]
fn annotated_video_speed_at_1080p() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("in.mp4");
    let ok = Command::new("ffmpeg")
        .args([
            "-loglevel",
            "error",
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=30:duration=10",
        ])
        .args([
            "-c:v",
            "libx264",
            "-preset",
            "ultrafast",
            "-pix_fmt",
            "yuv420p",
        ])
        .arg(&input)
        .status()
        .map(|s| s.success())
        .unwrap_or(false);
    if !ok {
        eprintln!("SKIPPED annotated_video_speed_at_1080p: ffmpeg could not make the input");
        return;
    }
    let clip = formcheck::testkit::fixture::demo_clip(&input, 1920, 1080, 30.0, 300);
    let t = std::time::Instant::now();
    let media = write_annotated_with(&clip, tmp.path(), EncoderChoice::Auto, 0).unwrap();
    let s = t.elapsed().as_secs_f64();
    eprintln!(
        "1080p: {} frames in {s:.1} s = {:.1} fps ({:.1}x real time) with {}",
        media.frames_written,
        media.frames_written as f64 / s,
        10.0 / s,
        media.encoder
    );
}

/// Writes annotated frames at 480p and 4K for a person to look at (not run by default):
/// `FORMCHECK_KEEP_DEMO=/tmp/x cargo test --release --test report_annotated -- --ignored frames_for_review`.
#[test]
#[ignore]
fn frames_for_review() {
    let Some(out) = std::env::var_os("FORMCHECK_KEEP_DEMO").map(PathBuf::from) else {
        eprintln!("SKIPPED frames_for_review: set FORMCHECK_KEEP_DEMO=<dir>");
        return;
    };
    for (w, h) in [(854, 480), (3840, 2160)] {
        let dir = out.join(format!("{h}p"));
        std::fs::create_dir_all(&dir).unwrap();
        let input = dir.join("in.mp4");
        let ok = Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-i"])
            .arg(sample())
            .args([
                "-vf",
                &format!("scale={w}:{h}"),
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
            ])
            .arg(&input)
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        assert!(ok, "ffmpeg could not scale the sample");
        let clip = formcheck::testkit::fixture::demo_clip(&input, w, h, 30.0, 120);
        write_annotated_with(&clip, &dir, EncoderChoice::Auto, 0).unwrap();
        let frame = dir.join("frame87.png");
        Command::new("ffmpeg")
            .args(["-loglevel", "error", "-y", "-i"])
            .arg(dir.join("annotated.mp4"))
            .args(["-vf", "select=eq(n\\,87)", "-frames:v", "1"])
            .arg(&frame)
            .status()
            .unwrap();
        eprintln!("{}", frame.display());
    }
}
