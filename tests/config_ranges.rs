//! Config values that used to hang, exhaust memory or flip verdicts are refused before any
//! video is opened: exit 2, one line naming the file, key, value and valid range.
//! (Issue 15, rows 9 to 12.)

use crate::batchkit;

#[test]
fn out_of_range_config_values_exit_2_with_one_line() {
    let dir = tempfile::tempdir().unwrap();
    let video = dir.path().join("lift.mp4");
    std::fs::write(&video, b"never opened").unwrap();
    let out = dir.path().join("out");
    let cases = [
        (
            "[faults.bar_drift]\nmax_forward_cm = inf\n",
            "faults.bar_drift.max_forward_cm",
            "inf",
        ),
        (
            "[faults.bar_drift]\nmax_forward_cm = 1e308\n",
            "faults.bar_drift.max_forward_cm",
            "1e308",
        ),
        (
            "[filter]\nhampel_window_frames = 4000000000\n",
            "filter.hampel_window_frames",
            "4000000000",
        ),
        ("[pose]\nthreads = 100000\n", "pose.threads", "100000"),
        (
            "[faults.thoracic_rounding]\nmax_increase_deg = -5.0\n",
            "faults.thoracic_rounding.max_increase_deg",
            "-5",
        ),
        (
            "[faults.bar_drift]\nmax_forward_cm = nan\n",
            "faults.bar_drift.max_forward_cm",
            "NaN",
        ),
        (
            "[faults.neck_hyperextension]\nmin_confidence = -inf\n",
            "faults.neck_hyperextension.min_confidence",
            "-inf",
        ),
        (
            "[reps]\nsetup_window_s = 1e9\n",
            "reps.setup_window_s",
            "1000000000",
        ),
    ];
    for (i, (text, key, value)) in cases.iter().enumerate() {
        let cfg = dir.path().join(format!("case{i}.toml"));
        std::fs::write(&cfg, text).unwrap();
        let (code, err) =
            batchkit::analyze(&[&video], &out, &["--config", cfg.to_str().unwrap()], 20);
        assert_eq!(code, Some(2), "{text}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        assert!(
            err.contains(&format!("case{i}.toml")),
            "names the file: {err}"
        );
        assert!(
            err.contains(key) && err.contains(value),
            "names key and value: {err}"
        );
        assert!(err.contains("valid range"), "gives the range: {err}");
    }
    assert!(!out.exists(), "nothing was started");
}

#[test]
fn threads_up_to_the_cores_are_accepted() {
    let dir = tempfile::tempdir().unwrap();
    let cores = std::thread::available_parallelism().unwrap().get();
    let cfg = dir.path().join("ok.toml");
    std::fs::write(&cfg, format!("[pose]\nthreads = {cores}\n")).unwrap();
    let video = dir.path().join("lift.mp4");
    std::fs::write(&video, b"not a video").unwrap();
    let (code, err) = batchkit::analyze(
        &[&video],
        &dir.path().join("out"),
        &["--config", cfg.to_str().unwrap()],
        30,
    );
    assert_eq!(
        code,
        Some(1),
        "config accepted, the damaged clip fails: {err}"
    );
}
