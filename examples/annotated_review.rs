//! Developer tools for the annotated video (not tests): its throughput at 1080p, and frames
//! at 480p and 4K for a person to look at.
//! `cargo run --release --example annotated_review -- speed` or
//! `cargo run --release --example annotated_review -- frames OUTDIR`. Both need ffmpeg.

use std::path::{Path, PathBuf};
use std::process::Command;

use formcheck::outputs::annotated::write_annotated_with;
use formcheck::outputs::Encoder;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("speed") => speed_at_1080p(),
        Some("frames") if args.len() > 2 => frames_for_review(PathBuf::from(&args[2])),
        _ => {
            eprintln!("usage: annotated_review speed | frames OUTDIR");
            std::process::exit(2);
        }
    }
}

/// Throughput of the annotated video at 1080p on a 10 s test pattern.
fn speed_at_1080p() {
    let tmp = std::env::temp_dir().join(format!("annotated-speed-{}", std::process::id()));
    std::fs::create_dir_all(&tmp).unwrap();
    let input = tmp.join("in.mp4");
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
    assert!(ok, "ffmpeg could not make the input");
    let clip = formcheck::testkit::fixture::demo_clip(&input, 1920, 1080, 30.0, 300);
    let t = std::time::Instant::now();
    let media = write_annotated_with(&clip, &tmp, &Encoder::default(), 0).unwrap();
    let s = t.elapsed().as_secs_f64();
    eprintln!(
        "1080p: {} frames in {s:.1} s = {:.1} fps ({:.1}x real time) with {}",
        media.frames_written,
        media.frames_written as f64 / s,
        10.0 / s,
        media.encoder
    );
    let _ = std::fs::remove_dir_all(&tmp);
}

/// Writes annotated frames at 480p and 4K into `out` for a person to look at.
fn frames_for_review(out: PathBuf) {
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
        write_annotated_with(&clip, &dir, &Encoder::default(), 0).unwrap();
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
