//! End-to-end checks of the pose + kinematics pipeline on real and rendered video
//! (`../shared`): angle accuracy against exact ground truth, coverage on real side-view
//! deadlifts, a clip with nobody in it, and phone rotation metadata.

use crate::common;

use std::path::Path;
use std::process::Command;

use formcheck::analyze::{analyze_video, RunOptions};
use formcheck::config::Config;

fn options() -> RunOptions {
    RunOptions::new(common::models_dir(), 2)
}

fn rmse(pairs: &[(f64, f64)]) -> f64 {
    (pairs.iter().map(|(a, b)| (a - b).powi(2)).sum::<f64>() / pairs.len().max(1) as f64).sqrt()
}

#[test]
fn synthetic_clean_angles_match_ground_truth() {
    let Some(shared) = common::shared_or_skip("synthetic_clean_angles_match_ground_truth") else {
        return;
    };
    let dir = shared.join("synthetic/clean");
    let clip = analyze_video(
        &dir.join("video.mp4"),
        &Config::default(),
        &options(),
        &mut |_, _| {},
    )
    .unwrap();
    let gt: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("gt.json")).unwrap()).unwrap();
    let frames = gt["frames"].as_array().unwrap();
    let a = &clip.kinematics.angles;
    let pairs = |ours: &[Option<f64>], key: &str| -> Vec<(f64, f64)> {
        frames
            .iter()
            .enumerate()
            .filter_map(|(i, f)| Some((ours.get(i).copied().flatten()?, f[key].as_f64()?)))
            .collect()
    };
    let trunk = pairs(&a.trunk_angle_deg, "trunk_angle_deg");
    let hip = pairs(&a.hip_angle_deg, "hip_angle_deg");
    let (trunk_rmse, hip_rmse) = (rmse(&trunk), rmse(&hip));
    let found = clip.analysis.pose.detected_fraction;
    eprintln!(
        "synthetic clean: trunk RMSE {trunk_rmse:.2} deg ({} frames), hip RMSE {hip_rmse:.2} deg ({} frames), person on {:.1}% of frames",
        trunk.len(),
        hip.len(),
        found * 100.0
    );
    assert!(found >= 0.98, "person found on {found}");
    // the frames where the plate hides the hip on the way down (10 of 120) are gaps, not
    // values (the reliability's `occlusion` part)
    assert!(
        trunk.len() >= frames.len() * 85 / 100,
        "{} of {} frames",
        trunk.len(),
        frames.len()
    );
    // issue 14's targets are 4 and 7 deg; measured 1.9 and 3.9 (session 16; 2.8 and 5.9
    // with the hidden hips of the descent read as values)
    assert!(trunk_rmse <= 4.0, "trunk RMSE {trunk_rmse}");
    assert!(hip_rmse <= 5.5, "hip RMSE {hip_rmse}");
}

#[test]
fn real_side_view_deadlifts_yield_angles_on_most_frames() {
    let Some(shared) =
        common::shared_or_skip("real_side_view_deadlifts_yield_angles_on_most_frames")
    else {
        return;
    };
    let mut clips: Vec<_> = std::fs::read_dir(shared.join("clips"))
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .and_then(|n| n.to_str())
                .is_some_and(|n| n.starts_with('A') && n.ends_with(".mp4"))
        })
        .collect();
    clips.sort();
    assert!(!clips.is_empty());
    let mut failures = Vec::new();
    for path in &clips {
        let clip = analyze_video(path, &Config::default(), &options(), &mut |_, _| {}).unwrap();
        let a = &clip.kinematics.angles;
        let n = a.trunk_angle_deg.len();
        let with = (0..n)
            .filter(|&i| a.trunk_angle_deg[i].is_some() && a.hip_angle_deg[i].is_some())
            .count();
        let fraction = with as f64 / n.max(1) as f64;
        eprintln!(
            "{}: trunk+hip angles on {:.0}% of {n} frames",
            path.file_name().unwrap().to_string_lossy(),
            fraction * 100.0
        );
        // frames whose pose is unreliable are gaps by design (kinematics::reliability): the
        // two clips that start mid-shin with the plate over the knees keep 76–79 %
        if fraction < 0.7 {
            failures.push(format!("{}: {:.0}%", path.display(), fraction * 100.0));
        }
    }
    assert!(
        failures.is_empty(),
        "under 70% of frames with angles: {failures:?}"
    );
}

#[test]
fn a_clip_without_a_person_says_so() {
    let Some(shared) = common::shared_or_skip("a_clip_without_a_person_says_so") else {
        return;
    };
    let input = shared.join("clips/F07_jeff-j-chen_videos_noperson_test_out.mp4");
    let out = tempfile::tempdir().unwrap();
    let (_, stderr) = common::analyze(&[&input], out.path(), &[]);
    assert!(stderr.contains("no person found"), "stderr: {stderr}");
    assert!(!stderr.contains("panicked"));
    let json: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(
            out.path()
                .join("F07_jeff-j-chen_videos_noperson_test_out/analysis.json"),
        )
        .unwrap(),
    )
    .unwrap();
    assert_eq!(json["pose"]["person_found"], false);
    assert_eq!(json["pose"]["message"], "no person found in any frame");
    assert!(json["faults"].as_array().unwrap().is_empty());
    let csv = std::fs::read_to_string(
        out.path()
            .join("F07_jeff-j-chen_videos_noperson_test_out/frames.csv"),
    )
    .unwrap();
    let mut lines = csv.lines();
    let header: Vec<&str> = lines.next().unwrap().split(',').collect();
    let first_row: Vec<&str> = lines.next().unwrap().split(',').collect();
    // no invented numbers: every angle and coordinate cell is empty (text columns such as
    // bar_source say "none")
    for (name, cell) in header.iter().zip(&first_row).skip(2) {
        assert!(cell.is_empty() || *cell == "none", "{name} = {cell}");
    }
}

/// Mean absolute difference of two same-size BGR images.
fn mean_abs_diff(a: &opencv::core::Mat, b: &opencv::core::Mat) -> f64 {
    use opencv::prelude::*;
    assert_eq!((a.rows(), a.cols()), (b.rows(), b.cols()));
    let (x, y) = (a.data_bytes().unwrap(), b.data_bytes().unwrap());
    x.iter()
        .zip(y)
        .map(|(p, q)| (*p as f64 - *q as f64).abs())
        .sum::<f64>()
        / x.len() as f64
}

#[test]
fn phone_rotation_metadata_is_honoured() {
    if Command::new("ffmpeg").arg("-version").output().is_err() {
        eprintln!("SKIPPED phone_rotation_metadata_is_honoured: ffmpeg not installed");
        return;
    }
    use opencv::prelude::*;
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let dir = tempfile::tempdir().unwrap();
    for rotate in ["90", "180", "270"] {
        let rotated = dir.path().join(format!("rot{rotate}.mp4"));
        let ok = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-i",
                sample.to_str().unwrap(),
                "-metadata:s:v",
                &format!("rotate={rotate}"),
                "-c",
                "copy",
            ])
            .arg(&rotated)
            .status()
            .unwrap();
        assert!(ok.success());
        // ffmpeg's own auto-rotated first frame is the reference for "upright".
        let reference = dir.path().join(format!("ref{rotate}.png"));
        let ok = Command::new("ffmpeg")
            .args([
                "-v",
                "error",
                "-y",
                "-i",
                rotated.to_str().unwrap(),
                "-frames:v",
                "1",
            ])
            .arg(&reference)
            .status()
            .unwrap();
        assert!(ok.success());
        let want =
            opencv::imgcodecs::imread(reference.to_str().unwrap(), opencv::imgcodecs::IMREAD_COLOR)
                .unwrap();
        let mut reader = formcheck::video::VideoReader::open(&rotated).unwrap();
        let info = reader.info().clone();
        let frame = reader.next_frame().unwrap().unwrap();
        assert_eq!(
            (frame.image.cols(), frame.image.rows()),
            (want.cols(), want.rows()),
            "rotate={rotate}: size"
        );
        assert_eq!((info.width, info.height), (want.cols(), want.rows()));
        let diff = mean_abs_diff(&frame.image, &want);
        // the wrong way round differs a lot (the frame is mostly scenery, not symmetric)
        let mut flipped = opencv::core::Mat::default();
        opencv::core::rotate(&frame.image, &mut flipped, opencv::core::ROTATE_180).unwrap();
        let wrong = mean_abs_diff(&flipped, &want);
        eprintln!("rotate={rotate}: metadata {} deg, mean abs diff {diff:.2} (turned the other way: {wrong:.2})", info.rotation);
        assert!(
            diff < 3.0 && wrong > 3.0 * diff,
            "rotate={rotate}: frame is not upright ({diff:.2} vs {wrong:.2})"
        );
    }
}
