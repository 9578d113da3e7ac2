//! `annotated.mp4` decodes back with every input frame, the input's size and H.264, with the
//! default encoder (ffmpeg) and with the OpenCV fallback; thumbnails land where the report
//! looks for them.

use std::path::{Path, PathBuf};
use std::process::Command;

use formcheck::outputs::annotated::{write_annotated_with, EncoderChoice};
use formcheck::outputs::Encoder;
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
    let encoder = Encoder {
        choice,
        ..Encoder::default()
    };
    let media = write_annotated_with(&clip, tmp.path(), &encoder, 0).unwrap();
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
