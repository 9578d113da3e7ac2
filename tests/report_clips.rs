//! `--clips` (`output.rep_clips`): one H.264 clip per rep, cut from the input, named after the
//! rep's worst fault. Decoded back with ffprobe: codec and frame count against the rep's
//! duration. Prints `SKIPPED ...` without ffprobe.

use std::path::Path;
use std::process::Command;

use formcheck::config::Config;
use formcheck::outputs;

/// (codec, frames counted by decoding) of `video`.
fn probe(video: &Path) -> Option<(String, usize)> {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-select_streams", "v:0", "-count_frames"])
        .args([
            "-show_entries",
            "stream=codec_name,nb_read_frames",
            "-of",
            "csv=p=0",
        ])
        .arg(video)
        .output()
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().split(',');
    Some((parts.next()?.to_string(), parts.next()?.parse().ok()?))
}

#[test]
fn each_rep_gets_a_short_h264_clip_of_its_own_frames() {
    if Command::new("ffprobe").arg("-version").output().is_err() {
        eprintln!("SKIPPED each_rep_gets_a_short_h264_clip_of_its_own_frames: no ffprobe");
        return;
    }
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let (fps, frames) = (30.0, 120);
    let clip = formcheck::testkit::fixture::demo_clip(&sample, 640, 360, fps, frames);
    let mut config = Config::default();
    config.output.annotated_video = false;
    config.output.rep_clips = true;
    let tmp = tempfile::tempdir().unwrap();
    outputs::write_all(&clip, &config, tmp.path(), &Default::default()).unwrap();
    let names = [
        "clips/rep1_hips_shoot_up_first.mp4",
        "clips/rep2_bar_drifts_away_from_the_legs.mp4",
    ];
    let end_s = frames as f64 / fps;
    for (rep, name) in clip.analysis.reps.iter().zip(names) {
        let path = tmp.path().join(name);
        assert!(path.is_file(), "{name} missing");
        let (codec, got) = probe(&path).expect("ffprobe reads the clip");
        assert_eq!(codec, "h264", "{name}");
        // the rep's frames, the set-up to the bar back down, and 0.2 s either side
        let (a, b) = (rep.start_frame.unwrap(), rep.end_frame.unwrap());
        let from_s = (a as f64 / fps - 0.2).max(0.0);
        let to_s = ((b + 1) as f64 / fps + 0.2).min(end_s);
        let want = ((to_s - from_s) * fps).round() as usize;
        assert!(got.abs_diff(want) <= 1, "{name}: {got} frames, want {want}");
        assert!(
            got < frames,
            "{name}: a clip of one rep, not the whole video"
        );
    }
    let report = std::fs::read_to_string(tmp.path().join("report.html")).unwrap();
    for name in names {
        // minijinja writes the '/' of an attribute as &#x2f;
        let escaped = name.replace('/', "&#x2f;");
        assert!(
            report.contains(&format!("href=\"{name}\""))
                || report.contains(&format!("href=\"{escaped}\"")),
            "report links {name}"
        );
    }
}
