//! Renders the report and the batch index in headless Chromium and fails on a script error,
//! a resource that did not load, or a broken image (the pages' own self-check records them
//! into `#selfcheck`; Chromium's console log is scanned too). Also checks that an input
//! named `<b>x</b>.mp4` shows as text, not markup, in both pages.
//! Prints `SKIPPED ...` when Chromium is not installed (`apt-get install chromium`).

use std::path::{Path, PathBuf};
use std::process::Command;

use formcheck::config::Config;
use formcheck::outputs;

fn chromium() -> Option<PathBuf> {
    if let Some(p) = std::env::var_os("FORMCHECK_CHROMIUM") {
        return Some(PathBuf::from(p));
    }
    for name in ["chromium", "chromium-browser", "google-chrome", "chrome"] {
        if let Ok(out) = Command::new("which").arg(name).output() {
            if out.status.success() {
                let p = String::from_utf8_lossy(&out.stdout).trim().to_string();
                if !p.is_empty() {
                    return Some(PathBuf::from(p));
                }
            }
        }
    }
    None
}

/// Loads `page` headless and returns (DOM after load, stderr log).
fn render(chrome: &Path, page: &Path) -> (String, String) {
    render_url(chrome, page, "")
}

/// [`render`] with `#fragment` after the page's address.
fn render_url(chrome: &Path, page: &Path, fragment: &str) -> (String, String) {
    let profile = tempfile::tempdir().unwrap();
    let url = format!("file://{}{fragment}", page.display())
        .replace('<', "%3C")
        .replace('>', "%3E");
    let out = Command::new(chrome)
        .args([
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-quic",
            "--no-first-run",
            "--disable-background-networking",
            "--disable-component-update",
            "--disable-sync",
            "--enable-logging=stderr",
            "--v=0",
            "--virtual-time-budget=10000",
        ])
        .arg(format!("--user-data-dir={}", profile.path().display()))
        .arg("--dump-dom")
        .arg(&url)
        .output()
        .expect("chromium runs");
    (
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

fn check_page(chrome: &Path, page: &Path, min_images: usize) -> Result<String, String> {
    let (dom, log) = render(chrome, page);
    let start = dom
        .find("id=\"selfcheck\"")
        .ok_or_else(|| format!("{}: no #selfcheck in the DOM; log:\n{log}", page.display()))?;
    let tag_end = dom[start..]
        .find('>')
        .map(|i| start + i)
        .unwrap_or(dom.len());
    let tag = &dom[start..tag_end];
    let attr = |name: &str| -> Option<String> {
        let key = format!("{name}=\"");
        let i = tag.find(&key)? + key.len();
        Some(tag[i..].split('"').next()?.to_string())
    };
    let page_name = page.display();
    if attr("data-done").as_deref() != Some("1") {
        return Err(format!(
            "{page_name}: self-check did not run (load never fired?)\n{log}"
        ));
    }
    let problems = dom
        .get(tag_end + 1..)
        .unwrap_or("")
        .split("</div>")
        .next()
        .unwrap_or("");
    if attr("data-problems").as_deref() != Some("0") || attr("data-broken").as_deref() != Some("0")
    {
        return Err(format!("{page_name}: {problems}"));
    }
    let images: usize = attr("data-images")
        .and_then(|s| s.parse().ok())
        .unwrap_or(0);
    if images < min_images {
        return Err(format!(
            "{page_name}: only {images} images, expected {min_images}"
        ));
    }
    for line in log.lines() {
        let l = line.to_lowercase();
        let console = l.contains("console");
        if (console && (l.contains("error") || l.contains("uncaught")))
            || l.contains("err_file_not_found")
            || l.contains("failed to load resource")
        {
            return Err(format!("{page_name}: browser console: {line}"));
        }
    }
    Ok(dom)
}

#[test]
fn report_and_index_render_in_chromium_without_errors() {
    let Some(chrome) = chromium() else {
        eprintln!("SKIPPED report_and_index_render_in_chromium_without_errors: chromium is not installed (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    std::fs::create_dir_all(&out).unwrap();
    // the sample clip under a hostile name: the path `<b>x</b>.mp4` (on Unix a folder
    // `<b>x<` holding `b>.mp4`), inside a lifter's folder
    let input = tmp.path().join("lifter one").join("<b>x</b>.mp4");
    std::fs::create_dir_all(input.parent().unwrap()).unwrap();
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4"),
        &input,
    )
    .unwrap();
    let clip = formcheck::testkit::fixture::demo_clip(&input, 640, 360, 30.0, 120);
    let name = formcheck::batch::sanitize(&input.file_stem().unwrap().to_string_lossy());
    let dir = out.join(&name);
    std::fs::create_dir_all(&dir).unwrap();
    outputs::write_all(&clip, &Config::default(), &dir, &Default::default()).unwrap();
    outputs::index::write_batch(&out).unwrap();

    // 3 faults × 3 thumbnails
    let report = check_page(&chrome, &dir.join("report.html"), 9).unwrap();
    let index = check_page(&chrome, &out.join("index.html"), 1).unwrap();
    for (what, dom) in [("report", &report), ("index", &index)] {
        assert!(!dom.contains("<b>x"), "{what}: the file name became markup");
        assert!(
            dom.contains("&lt;b&gt;x"),
            "{what}: the file name is not shown"
        );
    }
}

#[test]
fn chromium_check_catches_a_missing_image() {
    let Some(chrome) = chromium() else {
        eprintln!("SKIPPED chromium_check_catches_a_missing_image: chromium is not installed (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("clip");
    std::fs::create_dir_all(&dir).unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let clip = formcheck::testkit::fixture::demo_clip(&sample, 640, 360, 30.0, 120);
    outputs::write_all(&clip, &Config::default(), &dir, &Default::default()).unwrap();
    std::fs::remove_file(dir.join("thumbs/fault2_at.jpg")).unwrap();
    let err = check_page(&chrome, &dir.join("report.html"), 9).unwrap_err();
    assert!(err.contains("fault2_at.jpg"), "{err}");
}

/// The attributes of the first tag with `id="<id>"` in `dom`.
fn tag_attr(dom: &str, id: &str, name: &str) -> Option<String> {
    let start = dom.find(&format!("id=\"{id}\""))?;
    let open = dom[..start].rfind('<')?;
    let tag = &dom[open..open + dom[open..].find('>')?];
    let key = format!(" {name}=\"");
    let i = tag.find(&key)? + key.len();
    Some(tag[i..].split('"').next()?.to_string())
}

#[test]
fn the_angle_plot_cursor_follows_the_video_and_a_click_seeks_it() {
    let Some(chrome) = chromium() else {
        eprintln!("SKIPPED the_angle_plot_cursor_follows_the_video_and_a_click_seeks_it: chromium is not installed (apt-get install chromium)");
        return;
    };
    let tmp = tempfile::tempdir().unwrap();
    let sample = Path::new(env!("CARGO_MANIFEST_DIR")).join("samples/deadlift_sample.mp4");
    let clip = formcheck::testkit::fixture::demo_clip(&sample, 640, 360, 30.0, 120);
    outputs::write_all(&clip, &Config::default(), tmp.path(), &Default::default()).unwrap();
    let page = tmp.path().join("report.html");
    let figure = |name: &str, dom: &str| -> f64 {
        tag_attr(dom, "plot-angles", &format!("data-{name}"))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("figure data-{name}"))
    };
    // the video at 2 s: the cursor at 2 s on the time axis
    let (dom, log) = render_url(&chrome, &page, "#t=2.0");
    let cursor = |name: &str| tag_attr(&dom, "cursor", name);
    assert_eq!(cursor("data-t").as_deref(), Some("2.00"), "{log}");
    assert_eq!(
        cursor("data-video-t").as_deref(),
        Some("2.00"),
        "the video seeked"
    );
    assert_eq!(cursor("hidden"), None, "the cursor shows");
    let (t0, t1, x0, x1) = (
        figure("t0", &dom),
        figure("t1", &dom),
        figure("x0", &dom),
        figure("x1", &dom),
    );
    let want = x0 + (2.0 - t0) / (t1 - t0) * (x1 - x0);
    let x: f64 = cursor("data-x").unwrap().parse().unwrap();
    assert!((x - want).abs() < 0.2, "cursor at x {x}, want {want}");

    // a click a quarter along the axis seeks the video there
    let click_x = x0 + 0.25 * (x1 - x0);
    let (dom, log) = render_url(&chrome, &page, &format!("#click={click_x:.1}"));
    let t: f64 = tag_attr(&dom, "cursor", "data-video-t")
        .unwrap_or_else(|| panic!("no seek after the click\n{log}"))
        .parse()
        .unwrap();
    let want = t0 + 0.25 * (t1 - t0);
    assert!(
        (t - want).abs() < 0.03,
        "the click seeked to {t} s, want {want:.2}"
    );
}
