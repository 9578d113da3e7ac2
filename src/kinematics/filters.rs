//! Filters for keypoint coordinate series, as the biomechanics tools do it (Sports2D/Pose2Sim
//! defaults): drop low-visibility points, reject outliers (Hampel), fill short gaps, then a
//! zero-phase Butterworth low-pass. Long gaps stay empty: we never invent values.

/// A series with gaps: `None` = unknown.
pub type Gappy = Vec<Option<f64>>;

/// Hampel filter: a sample further than `n_sigma` robust standard deviations (1.4826·MAD,
/// at least `min_sigma`) from the median of its `window`-frame neighbourhood becomes unknown.
/// At the ends the window is shifted inwards so it always holds `window` frames.
pub fn hampel(series: &[Option<f64>], window: usize, n_sigma: f64, min_sigma: f64) -> Gappy {
    let half = window / 2;
    let mut out = series.to_vec();
    let mut neighbours = Vec::with_capacity(window);
    for (i, value) in series.iter().enumerate() {
        let Some(x) = *value else { continue };
        neighbours.clear();
        let lo = i
            .saturating_sub(half)
            .min(series.len().saturating_sub(window));
        let hi = (lo + window).min(series.len());
        neighbours.extend(series[lo..hi].iter().flatten().copied());
        if neighbours.len() < 3 {
            continue;
        }
        let median = median_of(&mut neighbours);
        let mut deviations: Vec<f64> = neighbours.iter().map(|v| (v - median).abs()).collect();
        let mad = median_of(&mut deviations);
        let sigma = (1.4826 * mad).max(min_sigma);
        if sigma > 0.0 && (x - median).abs() > n_sigma * sigma {
            out[i] = None;
        }
    }
    out
}

/// Median (sorts the slice in place). Empty slices give NaN.
pub fn median_of(values: &mut [f64]) -> f64 {
    if values.is_empty() {
        return f64::NAN;
    }
    values.sort_by(|a, b| a.total_cmp(b));
    let n = values.len();
    if n % 2 == 1 {
        values[n / 2]
    } else {
        0.5 * (values[n / 2 - 1] + values[n / 2])
    }
}

/// Linear interpolation over gaps of at most `max_gap` frames that have known values on both
/// sides; longer gaps and the ends stay unknown.
pub fn fill_gaps(series: &[Option<f64>], max_gap: usize) -> Gappy {
    let mut out = series.to_vec();
    let mut last_known: Option<usize> = None;
    for i in 0..series.len() {
        if let Some(x) = series[i] {
            if let Some(j) = last_known {
                let gap = i - j - 1;
                if gap > 0 && gap <= max_gap {
                    let x0 = series[j].unwrap_or(x);
                    for (k, slot) in out.iter_mut().enumerate().take(i).skip(j + 1) {
                        let t = (k - j) as f64 / (i - j) as f64;
                        *slot = Some(x0 + t * (x - x0));
                    }
                }
            }
            last_known = Some(i);
        }
    }
    out
}

/// One second-order (or first-order, when `a2 == b2 == 0`) section, transposed direct form II.
#[derive(Debug, Clone, Copy)]
struct Section {
    b: [f64; 3],
    a: [f64; 2],
}

impl Section {
    fn run(&self, x: &mut [f64]) {
        let Some(&first) = x.first() else { return };
        // Start in the steady state for the first value so the ends do not ring.
        let mut z2 = (self.b[2] - self.a[1]) * first;
        let mut z1 = (self.b[1] - self.a[0]) * first + z2;
        for v in x.iter_mut() {
            let input = *v;
            let y = self.b[0] * input + z1;
            z1 = self.b[1] * input - self.a[0] * y + z2;
            z2 = self.b[2] * input - self.a[1] * y;
            *v = y;
        }
    }
}

/// Butterworth low-pass of `order` as cascaded sections (bilinear transform, pre-warped).
fn butterworth_sections(order: usize, cutoff_hz: f64, fs_hz: f64) -> Vec<Section> {
    let k = (std::f64::consts::PI * cutoff_hz / fs_hz).tan();
    let mut sections = Vec::new();
    let pairs = order / 2;
    for i in 1..=pairs {
        // pole angle from the negative real axis
        let phi = if order.is_multiple_of(2) {
            std::f64::consts::PI * (2 * i - 1) as f64 / (2 * order) as f64
        } else {
            std::f64::consts::PI * i as f64 / order as f64
        };
        let q = 1.0 / (2.0 * phi.cos());
        let norm = 1.0 / (1.0 + k / q + k * k);
        let b0 = k * k * norm;
        sections.push(Section {
            b: [b0, 2.0 * b0, b0],
            a: [2.0 * (k * k - 1.0) * norm, (1.0 - k / q + k * k) * norm],
        });
    }
    if order % 2 == 1 {
        let norm = 1.0 / (1.0 + k);
        sections.push(Section {
            b: [k * norm, k * norm, 0.0],
            a: [(k - 1.0) * norm, 0.0],
        });
    }
    sections
}

/// Zero-phase Butterworth low-pass of total `order` (a pass of `order/2` forwards and one
/// backwards, like `scipy.signal.filtfilt`), with odd-reflection padding at the ends.
/// Series too short to pad, or a cut-off at or above Nyquist, come back unchanged.
pub fn butterworth_zero_phase(x: &[f64], order: usize, cutoff_hz: f64, fs_hz: f64) -> Vec<f64> {
    let half_order = (order / 2).max(1);
    let n = x.len();
    if n < 4 || cutoff_hz >= 0.95 * fs_hz / 2.0 {
        return x.to_vec();
    }
    let pad = (3 * (2 * half_order + 1)).min(n - 1);
    let mut padded = Vec::with_capacity(n + 2 * pad);
    padded.extend((1..=pad).rev().map(|i| 2.0 * x[0] - x[i]));
    padded.extend_from_slice(x);
    padded.extend((1..=pad).map(|i| 2.0 * x[n - 1] - x[n - 1 - i]));
    let sections = butterworth_sections(half_order, cutoff_hz, fs_hz);
    for s in &sections {
        s.run(&mut padded);
    }
    padded.reverse();
    for s in &sections {
        s.run(&mut padded);
    }
    padded.reverse();
    padded[pad..pad + n].to_vec()
}

/// Applies the Butterworth filter to each run of known values separately.
pub fn butterworth_gappy(
    series: &[Option<f64>],
    order: usize,
    cutoff_hz: f64,
    fs_hz: f64,
) -> Gappy {
    let mut out = series.to_vec();
    for (start, end) in known_runs(series) {
        let run: Vec<f64> = series[start..end]
            .iter()
            .map(|v| v.unwrap_or(0.0))
            .collect();
        for (slot, v) in out[start..end]
            .iter_mut()
            .zip(butterworth_zero_phase(&run, order, cutoff_hz, fs_hz))
        {
            *slot = Some(v);
        }
    }
    out
}

/// Half-open index ranges of consecutive known values.
pub fn known_runs(series: &[Option<f64>]) -> Vec<(usize, usize)> {
    let mut runs = Vec::new();
    let mut start = None;
    for (i, v) in series.iter().enumerate() {
        match (v.is_some(), start) {
            (true, None) => start = Some(i),
            (false, Some(s)) => {
                runs.push((s, i));
                start = None;
            }
            _ => {}
        }
    }
    if let Some(s) = start {
        runs.push((s, series.len()));
    }
    runs
}

/// Removes 360° jumps from an angle series (degrees), run by run.
pub fn unwrap_deg(series: &[Option<f64>]) -> Gappy {
    let mut out = series.to_vec();
    let mut previous: Option<f64> = None;
    for slot in out.iter_mut() {
        match (*slot, previous) {
            (Some(a), Some(p)) => {
                let unwrapped = a - 360.0 * ((a - p) / 360.0).round();
                *slot = Some(unwrapped);
                previous = Some(unwrapped);
            }
            (Some(a), None) => previous = Some(a),
            (None, _) => previous = None,
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sine(n: usize, freq_hz: f64, fs: f64) -> Vec<f64> {
        (0..n)
            .map(|i| (2.0 * std::f64::consts::PI * freq_hz * i as f64 / fs).sin())
            .collect()
    }

    #[test]
    fn hampel_removes_a_spike_and_keeps_the_rest() {
        let mut s: Vec<Option<f64>> = (0..20).map(|i| Some(i as f64 * 0.1)).collect();
        s[10] = Some(50.0);
        let f = hampel(&s, 7, 3.0, 0.0);
        assert_eq!(f[10], None);
        assert_eq!(f.iter().filter(|v| v.is_none()).count(), 1);
    }

    #[test]
    fn hampel_keeps_the_first_frame_of_a_smooth_motion() {
        let s: Vec<Option<f64>> = (0..20).map(|i| Some((i as f64 * 0.3).powi(2))).collect();
        assert!(hampel(&s, 7, 3.0, 0.5).iter().all(|v| v.is_some()));
    }

    #[test]
    fn short_gaps_are_filled_long_ones_are_not() {
        let s = vec![
            Some(0.0),
            None,
            None,
            Some(3.0),
            None,
            None,
            None,
            None,
            Some(8.0),
        ];
        let f = fill_gaps(&s, 3);
        assert_eq!(f[1], Some(1.0));
        assert_eq!(f[2], Some(2.0));
        assert_eq!(f[4..8], [None, None, None, None]);
        // leading/trailing unknowns are never extrapolated
        let f = fill_gaps(&[None, Some(1.0), None], 5);
        assert_eq!(f, vec![None, Some(1.0), None]);
    }

    #[test]
    fn butterworth_passes_slow_and_removes_fast_motion() {
        let fs = 30.0;
        let slow = sine(300, 0.5, fs);
        let out = butterworth_zero_phase(&slow, 4, 6.0, fs);
        let err = slow
            .iter()
            .zip(&out)
            .map(|(a, b)| (a - b).abs())
            .fold(0.0, f64::max);
        assert!(err < 0.02, "slow signal changed by {err}");
        let fast = sine(300, 12.0, fs);
        let out = butterworth_zero_phase(&fast, 4, 6.0, fs);
        let amp = out[50..250].iter().map(|v| v.abs()).fold(0.0, f64::max);
        assert!(amp < 0.1, "12 Hz leaked with amplitude {amp}");
    }

    #[test]
    fn butterworth_has_no_phase_lag() {
        let fs = 30.0;
        // cosine: one peak exactly at sample 60 in the window
        let slow: Vec<f64> = (0..300)
            .map(|i| (2.0 * std::f64::consts::PI * i as f64 / fs).cos())
            .collect();
        let out = butterworth_zero_phase(&slow, 4, 6.0, fs);
        let argmax = |v: &[f64]| (45..75).max_by(|&a, &b| v[a].total_cmp(&v[b])).unwrap();
        assert_eq!(argmax(&slow), 60);
        assert_eq!(argmax(&out), 60);
    }

    #[test]
    fn butterworth_keeps_gaps() {
        let s = vec![
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            Some(1.0),
            None,
            Some(2.0),
        ];
        let f = butterworth_gappy(&s, 4, 6.0, 30.0);
        assert_eq!(f[5], None);
        assert!((f[0].unwrap() - 1.0).abs() < 1e-9);
    }

    #[test]
    fn unwrap_removes_360_jumps() {
        let s = vec![Some(170.0), Some(179.0), Some(-179.0), Some(-170.0)];
        let u = unwrap_deg(&s);
        assert_eq!(u, vec![Some(170.0), Some(179.0), Some(181.0), Some(190.0)]);
    }
}
