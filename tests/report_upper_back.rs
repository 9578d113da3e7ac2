//! The upper-back evidence: with `--no-video` (no video pass) the real binary still writes
//! each rep's two crops, valid JPEGs of a sensible size, named in `analysis.json` and shown
//! by the report; and the frames the crops are picked from (an `ffmpeg` seek) are the very
//! frames the analysis numbered, pixel for pixel.

use std::path::Path;

use formcheck::outputs::upper_back::crop::Rect;
use formcheck::outputs::upper_back::grab::{grab_crops, Wanted};
use formcheck::video::VideoReader;
use opencv::prelude::*;

use crate::common;

fn ffmpeg_missing(test: &str) -> bool {
    let ok = std::process::Command::new("ffmpeg")
        .arg("-version")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok {
        eprintln!("SKIPPED {test}: ffmpeg not installed");
    }
    !ok
}

#[test]
fn no_video_runs_still_write_the_upper_back_crops_the_report_shows() {
    let test = "no_video_runs_still_write_the_upper_back_crops_the_report_shows";
    let Some(shared) = common::shared_or_skip(test) else {
        return;
    };
    let render = shared.join("synthetic/round30/video.mp4");
    assert!(render.is_file(), "{} is missing", render.display());
    let out = tempfile::tempdir().unwrap();
    let (code, err) = common::analyze(&[&render], out.path(), &["--no-video"]);
    assert_eq!(code, Some(0), "{err}");
    let json_path = walkdir::WalkDir::new(out.path())
        .into_iter()
        .flatten()
        .find(|e| e.file_name() == "analysis.json")
        .expect("an analysis.json")
        .into_path();
    let clip_dir = json_path.parent().unwrap();
    let a: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&json_path).unwrap()).unwrap();
    assert!(!clip_dir.join("annotated.mp4").exists(), "--no-video");
    let evidence = a["upper_back"].as_array().expect("upper_back[]");
    assert_eq!(evidence.len(), a["reps"].as_array().unwrap().len());
    // the template escapes `/` in attributes as `&#x2f;`, which browsers read back as `/`
    let report = std::fs::read_to_string(clip_dir.join("report.html"))
        .unwrap()
        .replace("&#x2f;", "/");
    let mut crops = 0;
    for e in evidence {
        for which in ["reference", "worst"] {
            let Some(file) = e[which]["file"].as_str() else {
                continue;
            };
            let path = clip_dir.join(file);
            let bytes = std::fs::read(&path).unwrap_or_else(|_| panic!("{file} not written"));
            assert_eq!(&bytes[..3], &[0xFF, 0xD8, 0xFF], "{file} is a JPEG");
            let img =
                opencv::imgcodecs::imread(path.to_str().unwrap(), opencv::imgcodecs::IMREAD_COLOR)
                    .unwrap();
            assert_eq!(img.rows(), 360, "{file}");
            assert!(
                img.cols() > 60 && img.cols() < 1200,
                "{file}: {}",
                img.cols()
            );
            assert!(
                report.contains(&format!("src=\"{file}\"")),
                "report shows {file}"
            );
            crops += 1;
        }
    }
    // round30 rounds its upper back: the rep's two frames and what they read
    assert!(crops >= 2, "{evidence:?}");
    let e = &evidence[0];
    assert!(
        e["worst"]["curve_deg"].as_f64().unwrap() > e["reference"]["curve_deg"].as_f64().unwrap()
    );
    assert!(
        e["spread_deg"]
            .as_f64()
            .is_some_and(|s| (0.0..5.0).contains(&s)),
        "{e}"
    );
    assert!(report.contains("Upper back, rep by rep"));
}

/// Mean absolute difference (0–255) of two same-sized BGR images.
fn mean_diff(a: &opencv::core::Mat, b: &opencv::core::Mat) -> f64 {
    let (a, b) = (a.data_bytes().unwrap(), b.data_bytes().unwrap());
    assert_eq!(a.len(), b.len());
    a.iter()
        .zip(b)
        .map(|(x, y)| (*x as f64 - *y as f64).abs())
        .sum::<f64>()
        / a.len() as f64
}

/// The crops `grab_crops` picks for frames `frames` against the same region of the OpenCV
/// reader's frames (the analysis's numbering): each must match its own frame best.
fn assert_picked_frames_match(video: &Path, frames: &[usize]) {
    let mut reader = VideoReader::open(video).unwrap();
    let info = reader.info().clone();
    let rect = Rect {
        x: info.width / 4,
        y: info.height / 4,
        w: info.width / 2,
        h: info.height / 2,
    };
    let mut seq = Vec::new();
    while let Some(f) = reader.next_frame().unwrap() {
        if frames.iter().any(|&n| f.index + 1 >= n && f.index <= n + 1) {
            let r = opencv::core::Rect::new(rect.x, rect.y, rect.w, rect.h);
            seq.push((
                f.index,
                f.time_s,
                opencv::core::Mat::roi(&f.image, r)
                    .unwrap()
                    .try_clone()
                    .unwrap(),
            ));
        }
    }
    let wanted: Vec<Wanted> = frames
        .iter()
        .map(|&n| Wanted {
            frame: n,
            time_s: seq.iter().find(|s| s.0 == n).unwrap().1,
            rect,
        })
        .collect();
    let picked = grab_crops(video, Path::new("ffmpeg"), info.fps, &wanted).unwrap();
    for (&n, crop) in frames.iter().zip(&picked) {
        let d = |k: usize| mean_diff(crop, &seq.iter().find(|s| s.0 == k).unwrap().2);
        let (own, before, after) = (d(n), d(n - 1), d(n + 1));
        assert!(own < 2.0, "{}: frame {n} differs by {own}", video.display());
        assert!(
            own <= before && own <= after,
            "{}: frame {n}: {own} vs {before} / {after}",
            video.display()
        );
    }
}

#[test]
fn the_picked_frames_are_the_analysis_frames() {
    let test = "the_picked_frames_are_the_analysis_frames";
    if ffmpeg_missing(test) {
        return;
    }
    let Some(shared) = common::shared_or_skip(test) else {
        return;
    };
    assert_picked_frames_match(&shared.join("synthetic/round30/video.mp4"), &[37, 90]);
    let clip = std::fs::read_dir(shared.join("clips"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .find(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("B04_"))
        })
        .expect("clip B04");
    assert_picked_frames_match(&clip, &[31, 64]);
}
