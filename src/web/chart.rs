//! Bar charts drawn by the server as inline SVG: no script, no inline styles (the
//! stylesheet colours them, in light and dark), a `<title>` and a description for
//! screen readers. Pages show the same figures in a table beside each chart.

/// The drawing's size in SVG units; it scales to the page's width.
const WIDTH: f64 = 720.0;
const HEIGHT: f64 = 180.0;
/// Room for the labels: the largest value above, dates below.
const TOP: f64 = 18.0;
const BOTTOM: f64 = 22.0;

/// One bar, placed.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub value: i64,
    pub x: String,
    pub y: String,
    pub width: String,
    pub height: String,
}

/// A chart ready for `_chart.html`.
#[derive(Debug, Clone)]
pub struct BarChart {
    pub id: &'static str,
    pub title: String,
    pub description: String,
    pub bars: Vec<Bar>,
    pub max_label: String,
    pub first_label: String,
    pub last_label: String,
    pub view_box: String,
    pub baseline: String,
    pub label_y: String,
    pub right: String,
}

/// `v` to one decimal, for the drawing's coordinates. Written from whole tenths: the
/// standard library's exact float formatting was a tenth of a cached account page.
fn num(v: f64) -> String {
    let tenths = (v * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let tenths = tenths.unsigned_abs();
    format!("{sign}{}.{}", tenths / 10, tenths % 10)
}

/// `n` with thin spaces between thousands, as the tables show numbers.
pub fn grouped(n: i64) -> String {
    let digits = n.unsigned_abs().to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push('\u{202f}');
        }
        out.push(c);
    }
    if n < 0 { format!("-{out}") } else { out }
}

impl BarChart {
    /// Bars for `points` (label, value) in order; each bar's height is its share of the
    /// largest value.
    pub fn new(id: &'static str, title: String, unit: &str, points: &[(String, i64)]) -> Self {
        let max = points.iter().map(|(_, v)| *v).max().unwrap_or(0).max(1);
        let slot = WIDTH / points.len().max(1) as f64;
        let gap = if slot > 4.0 { slot * 0.15 } else { 0.0 };
        let plot = HEIGHT - TOP - BOTTOM;
        let bars = points
            .iter()
            .enumerate()
            .map(|(i, (label, value))| {
                let h = plot * (*value).max(0) as f64 / max as f64;
                Bar {
                    label: label.clone(),
                    value: *value,
                    x: num(i as f64 * slot + gap / 2.0),
                    y: num(TOP + plot - h),
                    width: num(slot - gap),
                    height: num(h),
                }
            })
            .collect();
        let total: i64 = points.iter().map(|(_, v)| *v).sum();
        let (first, last) = (points.first(), points.last());
        Self {
            id,
            description: format!(
                "{} bars from {} to {}; {} {unit} in all, at most {} in one.",
                points.len(),
                first.map(|p| p.0.as_str()).unwrap_or("—"),
                last.map(|p| p.0.as_str()).unwrap_or("—"),
                grouped(total),
                grouped(max),
            ),
            title,
            bars,
            max_label: grouped(max),
            first_label: first.map(|p| p.0.clone()).unwrap_or_default(),
            last_label: last.map(|p| p.0.clone()).unwrap_or_default(),
            view_box: format!("0 0 {WIDTH} {HEIGHT}"),
            baseline: num(HEIGHT - BOTTOM),
            label_y: num(HEIGHT - 6.0),
            right: num(WIDTH),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bars_scale_to_the_largest_value() {
        let points = vec![("a".to_owned(), 50), ("b".to_owned(), 100), ("c".to_owned(), 0)];
        let chart = BarChart::new("t", "T".to_owned(), "tokens", &points);
        let heights: Vec<f64> = chart.bars.iter().map(|b| b.height.parse().unwrap()).collect();
        assert_eq!(heights[1], HEIGHT - TOP - BOTTOM);
        assert!((heights[0] - heights[1] / 2.0).abs() < 0.1);
        assert_eq!(heights[2], 0.0);
        assert_eq!(chart.max_label, "100");
    }

    #[test]
    fn an_empty_chart_draws_nothing_and_says_so() {
        let chart = BarChart::new("t", "T".to_owned(), "tokens", &[]);
        assert!(chart.bars.is_empty());
        assert!(chart.description.starts_with("0 bars"));
    }

    #[test]
    fn coordinates_have_one_decimal() {
        assert_eq!(num(0.0), "0.0");
        assert_eq!(num(12.0), "12.0");
        assert_eq!(num(3.21), "3.2");
        assert_eq!(num(2.96), "3.0");
        assert_eq!(num(-1.25), "-1.3");
        assert_eq!(num(-0.04), "0.0");
        assert_eq!(num(123_456.78), "123456.8");
    }

    #[test]
    fn numbers_are_grouped_by_thousands() {
        assert_eq!(grouped(1_234_567), "1\u{202f}234\u{202f}567");
        assert_eq!(grouped(999), "999");
        assert_eq!(grouped(-1000), "-1\u{202f}000");
    }
}
