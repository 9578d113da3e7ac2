//! The batch index is honest where a clip could not be judged: a front view and a clip whose
//! pose is unreliable in every rep show as grey "not judged: <reason>" rows (never a green
//! "none"), the filming advice is said once, the view's measured ratios stay out of the page,
//! and neither clip is on the trends or in the summary figures. Needs no browser or model.

use std::path::Path;

use formcheck::analyze::ClipAnalysis;
use formcheck::config::Config;
use formcheck::faults::NotAssessable;
use formcheck::outputs;
use formcheck::view::ViewVerdict;

fn demo(name: &str) -> ClipAnalysis {
    formcheck::testkit::fixture::demo_clip(
        &Path::new("/videos/anna").join(name),
        640,
        360,
        30.0,
        120,
    )
}

fn front_view(mut clip: ClipAnalysis) -> ClipAnalysis {
    clip.analysis.view = ViewVerdict {
        side_view: false,
        reason: "not a side view (front, rear or oblique): left/right shoulders 0.61 and hips 0.40 torso lengths apart (side view: under 0.35 and 0.30)".into(),
    };
    clip.analysis.faults.clear();
    clip.analysis.not_assessable = formcheck::faults::registry()
        .iter()
        .map(|f| NotAssessable {
            kind: f.kind().into(),
            rep: None,
            reason: clip.analysis.view.reason.clone(),
        })
        .collect();
    clip
}

fn unreliable(mut clip: ClipAnalysis) -> ClipAnalysis {
    clip.analysis.faults.clear();
    clip.analysis.not_assessable = clip
        .analysis
        .reps
        .iter()
        .flat_map(|r| {
            formcheck::faults::registry()
                .into_iter()
                .map(move |f| NotAssessable {
                    kind: f.kind().into(),
                    rep: Some(r.index),
                    reason: "pose unreliable in 50 of 60 frames of this rep".into(),
                })
        })
        .collect();
    clip
}

/// `s` as minijinja writes it into HTML (it escapes '/' too).
fn esc(s: &str) -> String {
    s.replace('/', "&#x2f;")
}

/// The `<tr>` of the index row whose name is `name`.
fn row<'a>(index: &'a str, name: &str) -> &'a str {
    let at = index
        .find(&format!("data-name=\"{}\"", esc(&format!("anna/{name}"))))
        .unwrap_or_else(|| panic!("no row {name}"));
    let start = index[..at].rfind("<tr").unwrap();
    let end = at + index[at..].find("</tr>").unwrap();
    &index[start..end]
}

/// `cx` of every point drawn on the trends plot.
fn trend_points(svg: &str) -> usize {
    svg.matches("<circle").count()
}

#[test]
fn clips_not_judged_are_grey_rows_and_stay_off_the_trends() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path();
    let config = Config::default();
    let write = |folder: &str, clip: &ClipAnalysis| {
        let dir = out.join("anna").join(folder);
        std::fs::create_dir_all(&dir).unwrap();
        outputs::write_data_files(clip, &config, &dir).unwrap();
    };
    write("2026-03-01_good", &demo("2026-03-01_good.mp4"));
    outputs::index::write_batch(out).unwrap();
    let one = std::fs::read_to_string(out.join("trends.svg")).unwrap();
    // one judged clip: one point on each of the two trend panels
    assert_eq!(trend_points(&one), 2);

    write(
        "2026-03-08_front",
        &front_view(demo("2026-03-08_front.mp4")),
    );
    write(
        "2026-03-15_blurred",
        &unreliable(demo("2026-03-15_blurred.mp4")),
    );
    outputs::index::write_batch(out).unwrap();
    let index = std::fs::read_to_string(out.join("index.html")).unwrap();

    let front = row(&index, "2026-03-08_front");
    assert!(front.contains("class=\"not-judged\""), "{front}");
    assert!(
        front.contains("not judged: front or angled view"),
        "{front}"
    );
    assert!(
        !front.contains("tag ok"),
        "a front view is never a green 'none': {front}"
    );
    let blurred = row(&index, "2026-03-15_blurred");
    assert!(blurred.contains("not judged: pose unreliable"), "{blurred}");
    assert!(!blurred.contains("tag ok"), "{blurred}");
    let good = row(&index, "2026-03-01_good");
    assert!(
        !good.contains("not-judged") && good.contains("Bar drifts"),
        "{good}"
    );

    // said once, in plain words: the advice once, the measured ratios nowhere
    assert_eq!(index.matches("Film from the side").count(), 1);
    assert!(
        !index.contains("torso lengths"),
        "ratios belong in analysis.json only"
    );
    assert!(index.contains("1 judged, 2 not judged"));

    // the trends did not change: the clips not judged add no point
    let three = std::fs::read_to_string(out.join("trends.svg")).unwrap();
    assert_eq!(trend_points(&three), trend_points(&one));

    let csv = std::fs::read_to_string(out.join("summary.csv")).unwrap();
    let mut r = csv::Reader::from_reader(csv.as_bytes());
    let head = r.headers().unwrap().clone();
    let col = |n: &str| head.iter().position(|h| h == n).unwrap();
    let videos: Vec<csv::StringRecord> = r
        .records()
        .map(|x| x.unwrap())
        .filter(|x| &x[0] == "video")
        .collect();
    let by_name = |n: &str| {
        videos
            .iter()
            .find(|v| v[col("video")].ends_with(n))
            .unwrap()
    };
    let f = by_name("front");
    assert_eq!(
        (
            &f[col("judged")],
            &f[col("judged_reason")],
            &f[col("side_view")]
        ),
        ("false", "front or angled view", "false")
    );
    assert_eq!(&f[col("lifter")], "anna");
    assert_eq!(&f[col("date")], "2026-03-08");
    assert_eq!(
        &f[col("peak_thoracic_flexion_deg")],
        "",
        "no figure from a clip not judged"
    );
    assert_eq!(&by_name("blurred")[col("velocity_loss_pct")], "");
    assert!(!by_name("good")[col("velocity_loss_pct")].is_empty());
}

#[test]
fn the_index_shows_velocity_loss_and_the_best_and_weakest_rep() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("anna").join("2026-03-01_good");
    std::fs::create_dir_all(&dir).unwrap();
    let clip = demo("2026-03-01_good.mp4");
    outputs::write_data_files(&clip, &Config::default(), &dir).unwrap();
    outputs::index::write_batch(tmp.path()).unwrap();
    let index = std::fs::read_to_string(tmp.path().join("index.html")).unwrap();
    let v: Vec<f64> = clip
        .analysis
        .reps
        .iter()
        .map(|r| r.bar.mean_concentric_velocity_m_per_s.unwrap())
        .collect();
    let fastest = v.iter().copied().fold(0.0, f64::max);
    let loss = (fastest - v[1]) / fastest * 100.0;
    assert!(
        index.contains(&esc(&format!(
            "{:.2} → {fastest:.2} → {:.2} m/s",
            v[0], v[1]
        ))),
        "first → fastest → last"
    );
    assert!(index.contains(&format!("loss {loss:.0}%")));
    // rep 1 has one fault, rep 2 two: rep 1 is the best, side by side with rep 2
    assert!(index.contains("best and weakest rep"));
    let name = esc("anna/2026-03-01_good");
    assert!(index.contains(&format!("<strong>best:</strong> {name} rep 1")));
    assert!(index.contains(&format!("<strong>weakest:</strong> {name} rep 2")));
}
