//! Unusual but valid inputs, made with ffmpeg from the shipped sample: a 0-frame file, a
//! variable-frame-rate clip, a 4K clip, a portrait phone clip with rotation metadata, two
//! people side by side, and unicode/HTML in the file name. None may panic or stop the batch.

use crate::common;

use std::path::{Path, PathBuf};
use std::process::Command;

fn sample() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4")
}

fn have_ffmpeg(test: &str) -> bool {
    let ok = Command::new("ffmpeg").arg("-version").output().is_ok();
    if !ok {
        eprintln!("SKIPPED {test}: ffmpeg not installed");
    }
    ok
}

fn ffmpeg(args: &[&str]) {
    let status = Command::new("ffmpeg")
        .args(["-v", "error", "-y"])
        .args(args)
        .status()
        .unwrap();
    assert!(status.success(), "ffmpeg {args:?}");
}

fn analysis(out: &Path, name: &str) -> serde_json::Value {
    serde_json::from_str(&std::fs::read_to_string(out.join(name).join("analysis.json")).unwrap())
        .unwrap()
}

#[test]
fn odd_but_valid_videos_are_analysed() {
    if !have_ffmpeg("odd_but_valid_videos_are_analysed") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = sample();
    let s = s.to_str().unwrap();
    let zero = d.join("zero_frames.mp4");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "color=c=black:s=64x64:d=1",
        "-frames:v",
        "0",
        zero.to_str().unwrap(),
    ]);
    let vfr = d.join("vfr.mkv");
    ffmpeg(&[
        "-i",
        s,
        "-vf",
        "select='not(mod(n\\,3))+lt(n\\,40)'",
        "-fps_mode",
        "vfr",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        vfr.to_str().unwrap(),
    ]);
    let uhd = d.join("uhd.mp4");
    ffmpeg(&[
        "-i",
        s,
        "-t",
        "1.5",
        "-vf",
        "scale=3840:2160",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        uhd.to_str().unwrap(),
    ]);
    let portrait = d.join("portrait_phone.mov");
    ffmpeg(&[
        "-i",
        s,
        "-t",
        "2",
        "-vf",
        "transpose=1",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        d.join("t.mp4").to_str().unwrap(),
    ]);
    ffmpeg(&[
        "-i",
        d.join("t.mp4").to_str().unwrap(),
        "-metadata:s:v",
        "rotate=90",
        "-c",
        "copy",
        portrait.to_str().unwrap(),
    ]);
    let two = d.join("two_people.mp4");
    ffmpeg(&[
        "-i",
        s,
        "-i",
        s,
        "-t",
        "2",
        "-filter_complex",
        "hstack",
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        two.to_str().unwrap(),
    ]);
    let html = d.join("<b>Lïft &amp; 😀.mp4");
    std::fs::copy(s, &html).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = common::analyze(
        &[&zero, &vfr, &uhd, &portrait, &two, &html],
        out.path(),
        &["-j", "2"],
    );
    eprintln!("{stderr}");
    assert!(!stderr.contains("panicked"));
    assert_eq!(code, Some(1), "only the 0-frame file fails");
    assert!(
        stderr
            .lines()
            .any(|l| l.contains("zero_frames.mp4") && l.contains("error")),
        "{stderr}"
    );

    let v = analysis(out.path(), "vfr");
    assert_eq!(v["video"]["variable_frame_rate"], true, "VFR is detected");
    let u = analysis(out.path(), "uhd");
    assert_eq!(
        (u["video"]["width"].as_i64(), u["video"]["height"].as_i64()),
        (Some(3840), Some(2160))
    );
    assert!(u["pose"]["detected_fraction"].as_f64().unwrap() > 0.9);
    let p = analysis(out.path(), "portrait_phone");
    assert_eq!(p["video"]["rotation"], 90);
    assert!(
        p["pose"]["detected_fraction"].as_f64().unwrap() > 0.9,
        "the lifter is found once the clip is upright"
    );
    let t = analysis(out.path(), "two_people");
    assert!(
        t["pose"]["detected_fraction"].as_f64().unwrap() > 0.9,
        "one of the two lifters is followed"
    );
    let h = analysis(out.path(), "<b>Lïft &amp; 😀");
    assert!(h["input"]
        .as_str()
        .unwrap()
        .contains("<b>Lïft &amp; 😀.mp4"));
}

/// Issue 15 row 13: a file cut at half its length with its index kept (moov first) decodes
/// about half its frames. The run prints no raw `[h264 @ 0x...]` lines, and the result warns
/// that frames are missing (decoded vs container frames). Builds whose analysis.json has no
/// `video.warnings` yet skip the warning check with a message.
#[test]
fn a_cut_file_with_its_index_kept_warns_about_missing_frames() {
    if !have_ffmpeg("a_cut_file_with_its_index_kept_warns_about_missing_frames") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let full = dir.path().join("full.mp4");
    let s = sample();
    ffmpeg(&[
        "-i",
        s.to_str().unwrap(),
        "-c",
        "copy",
        "-movflags",
        "+faststart",
        full.to_str().unwrap(),
    ]);
    let bytes = std::fs::read(&full).unwrap();
    let cut = dir.path().join("cut.mp4");
    std::fs::write(&cut, &bytes[..bytes.len() / 2]).unwrap();
    let out = dir.path().join("out");
    let (code, err) = common::analyze(&[&cut], &out, &["--no-video"]);
    assert!(!err.contains(" @ 0x"), "raw FFmpeg lines: {err}");
    assert_eq!(code, Some(0), "{err}");
    let a = analysis(&out, "cut");
    let decoded = a["video"]["decoded_frames"].as_u64().unwrap();
    assert!(
        decoded < 120,
        "the cut file decodes fewer frames: {decoded}"
    );
    let Some(warnings) = a["video"]["warnings"].as_array() else {
        eprintln!("SKIPPED warning check: this build's analysis.json has no video.warnings");
        return;
    };
    let in_json = warnings
        .iter()
        .any(|w| w.as_str().is_some_and(|s| s.contains("frames")));
    let on_stderr = err
        .lines()
        .any(|l| l.contains("cut.mp4") && l.contains("warning") && l.contains("frames"));
    assert!(
        in_json || on_stderr,
        "no warning about missing frames: {warnings:?} {err}"
    );
}

/// The column `name` of a result's `frames.csv`, blanks as `None`.
fn frames_column(out: &Path, clip: &str, name: &str) -> Vec<Option<f64>> {
    let mut reader = csv::Reader::from_path(out.join(clip).join("frames.csv")).unwrap();
    let col = reader
        .headers()
        .unwrap()
        .iter()
        .position(|h| h == name)
        .unwrap_or_else(|| panic!("no column {name}"));
    reader
        .records()
        .map(|r| r.unwrap().get(col).and_then(|v| v.parse().ok()))
        .collect()
}

fn median(mut v: Vec<f64>) -> f64 {
    assert!(!v.is_empty());
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

#[test]
fn a_4k_clip_is_analysed_on_a_1080p_copy_and_reported_in_its_own_pixels() {
    if !have_ffmpeg("a_4k_clip_is_analysed_on_a_1080p_copy_and_reported_in_its_own_pixels") {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let s = sample();
    let s = s.to_str().unwrap();
    // the same two seconds at 1080p and at 4K: the 4K run's analysis copy is the 1080p clip
    let make = |name: &str, size: &str| {
        let path = dir.path().join(name);
        let args = ["-i", s, "-t", "2", "-vf", size, "-c:v", "libx264"];
        ffmpeg(
            &[
                &args[..],
                &["-preset", "ultrafast", "-crf", "16", path.to_str().unwrap()],
            ]
            .concat(),
        );
        path
    };
    let hd = make("hd.mp4", "scale=1920:1080");
    let uhd = make("uhd.mp4", "scale=3840:2160");
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = common::analyze(&[&hd, &uhd], out.path(), &["--no-video", "-j", "1"]);
    assert_eq!(code, Some(0), "{stderr}");
    // the frames where both runs have a value of `column`: (1080p, 4K)
    let both = |column: &str| -> Vec<(f64, f64)> {
        let (a, b) = (
            frames_column(out.path(), "hd", column),
            frames_column(out.path(), "uhd", column),
        );
        a.into_iter()
            .zip(b)
            .filter_map(|(a, b)| Some((a?, b?)))
            .collect()
    };
    for joint in ["hip_x_px", "hip_y_px", "shoulder_x_px", "wrist_y_px"] {
        let ratios: Vec<f64> = both(joint).iter().map(|(a, b)| b / a).collect();
        assert!(
            ratios.len() > 30,
            "{joint}: {} frames seen in both",
            ratios.len()
        );
        let r = median(ratios);
        assert!(
            (r - 2.0).abs() < 0.03,
            "{joint}: 4K px / 1080p px = {r:.3}, not 2"
        );
    }
    for angle in ["trunk_angle_deg", "hip_angle_deg"] {
        let diffs: Vec<f64> = both(angle).iter().map(|(a, b)| (b - a).abs()).collect();
        let d = median(diffs);
        assert!(
            d < 2.0,
            "{angle}: median difference {d:.2} deg between 4K and 1080p"
        );
    }
}

#[test]
fn the_same_video_gives_the_same_frames_whatever_the_timing() {
    // two copies at once on two workers, so the threads of each run race differently
    let dir = tempfile::tempdir().unwrap();
    let (a, b) = (dir.path().join("a.mp4"), dir.path().join("b.mp4"));
    std::fs::copy(sample(), &a).unwrap();
    std::fs::copy(sample(), &b).unwrap();
    let out = tempfile::tempdir().unwrap();
    let (code, stderr) = common::analyze(&[&a, &b], out.path(), &["--no-video", "-j", "2"]);
    assert_eq!(code, Some(0), "{stderr}");
    let read =
        |name: &str| std::fs::read_to_string(out.path().join(name).join("frames.csv")).unwrap();
    assert!(
        read("a") == read("b"),
        "frames.csv differs between two runs of one video"
    );
}
