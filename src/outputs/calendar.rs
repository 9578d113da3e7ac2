//! Dates for the batch index: civil dates to and from days since 1970 (proleptic
//! Gregorian), the date written in a video's file name, and a video's date (its name, else
//! its modification time).

use std::path::Path;

/// Days since 1970-01-01 for a civil date (proleptic Gregorian; H. Hinnant's algorithm).
pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = if y >= 0 { y } else { y - 399 } / 400;
    let yoe = y - era * 400;
    let mp = (m as i64 + 9) % 12;
    let doy = (153 * mp + 2) / 5 + d as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146097 + doe - 719468
}

/// Civil date for days since 1970-01-01.
pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719468;
    let era = if z >= 0 { z } else { z - 146096 } / 146097;
    let doe = z - era * 146097;
    let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (
        if m <= 2 {
            yoe + era * 400 + 1
        } else {
            yoe + era * 400
        },
        m,
        d,
    )
}

/// `2024-03-15`.
pub fn ymd(days: i64) -> String {
    let (y, m, d) = civil_from_days(days);
    format!("{y:04}-{m:02}-{d:02}")
}

/// A date written in a file name: `2024-03-15`, `2024_03_15`, `2024.03.15` or `20240315`.
pub fn date_in_name(name: &str) -> Option<i64> {
    let b = name.as_bytes();
    let digit = |i: usize| b.get(i).is_some_and(|c| c.is_ascii_digit());
    let num = |i: usize, n: usize| -> Option<u32> {
        (0..n).all(|k| digit(i + k)).then(|| {
            b[i..i + n]
                .iter()
                .fold(0u32, |acc, c| acc * 10 + (c - b'0') as u32)
        })
    };
    for i in 0..b.len() {
        if i > 0 && digit(i - 1) {
            continue;
        }
        let Some(y) = num(i, 4) else { continue };
        if !(1990..=2100).contains(&y) {
            continue;
        }
        let mut j = i + 4;
        let sep = b
            .get(j)
            .copied()
            .filter(|c| matches!(c, b'-' | b'_' | b'.'));
        if sep.is_some() {
            j += 1;
        }
        let Some(m) = num(j, 2) else { continue };
        j += 2;
        if let Some(s) = sep {
            if b.get(j) != Some(&s) {
                continue;
            }
            j += 1;
        }
        let Some(d) = num(j, 2) else { continue };
        if digit(j + 2) || !(1..=12).contains(&m) || !(1..=31).contains(&d) {
            continue;
        }
        return Some(days_from_civil(y as i64, m, d));
    }
    None
}

/// The video's date (days since 1970) and where it came from: a date in the file name wins
/// (copies keep it), else the file's modification time.
pub fn video_date(input: &Path) -> Option<(i64, &'static str)> {
    let name = input.file_name()?.to_string_lossy().to_string();
    if let Some(d) = date_in_name(&name) {
        return Some((d, "file name"));
    }
    let modified = std::fs::metadata(input).and_then(|m| m.modified()).ok()?;
    let secs = modified
        .duration_since(std::time::UNIX_EPOCH)
        .ok()?
        .as_secs() as i64;
    Some((secs.div_euclid(86_400), "file modified"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_round_trip_and_are_found_in_names() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(ymd(days_from_civil(2024, 2, 29)), "2024-02-29");
        assert_eq!(
            date_in_name("pull_2024-03-15_set2.mp4").map(ymd).as_deref(),
            Some("2024-03-15")
        );
        assert_eq!(
            date_in_name("VID_20231102_101500.mp4").map(ymd).as_deref(),
            Some("2023-11-02")
        );
        assert_eq!(date_in_name("A02_good008.mp4"), None);
        assert_eq!(date_in_name("2024-13-01.mp4"), None);
    }
}
