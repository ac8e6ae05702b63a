//! Charts drawn by the server as inline SVG: horizontal bars, paired before/after bars and a
//! line over time. No script draws anything. Every chart carries its numbers as a table (shown
//! under it on request, for screen readers and for anyone who prefers numbers) and as CSV.
//!
//! Colours come from the stylesheet's classes (`bar`, `bar-before`, `bar-after`, `line`…);
//! every text in the SVG is escaped here.

use serde_json::{Value, json};

/// One cell of a chart's table: as shown, and as written to CSV.
#[derive(Debug, Clone)]
pub struct Cell {
    pub text: String,
    pub raw: String,
    pub numeric: bool,
}

impl Cell {
    pub fn text(s: impl Into<String>) -> Cell {
        let s = s.into();
        Cell { raw: s.clone(), text: s, numeric: false }
    }
    /// A number shown as `shown` (formatted for the reader's language), written as `value`.
    pub fn number(value: f64, shown: String) -> Cell {
        Cell { text: shown, raw: csv_number(value), numeric: true }
    }
}

/// A number for CSV: whole numbers without decimals, others to two places.
fn csv_number(v: f64) -> String {
    if (v - v.round()).abs() < 1e-9 { format!("{}", v.round() as i64) } else { format!("{v:.2}") }
}

/// A chart: its picture and its numbers.
#[derive(Debug, Clone)]
pub struct Chart {
    /// Unique on the page, and the name of its CSV (`{id}.csv`).
    pub id: &'static str,
    pub title: String,
    pub svg: String,
    pub headers: Vec<String>,
    pub rows: Vec<Vec<Cell>>,
    /// Where the CSV is downloaded from.
    pub csv_href: String,
}

impl Chart {
    pub fn to_json(&self) -> Value {
        json!({
            "id": self.id, "title": self.title, "svg": self.svg, "headers": self.headers, "csv": self.csv_href,
            "rows": self.rows.iter().map(|r| r.iter().map(|c| json!({"text": c.text, "numeric": c.numeric})).collect::<Vec<_>>()).collect::<Vec<_>>(),
            "empty": self.rows.is_empty(),
        })
    }

    /// The table as CSV (RFC 4180), with text that a spreadsheet would take for a formula
    /// made inert.
    pub fn csv(&self) -> String {
        let mut out = String::new();
        let line = |cells: Vec<(String, bool)>| {
            cells.into_iter().map(|(c, numeric)| csv_field(&c, numeric)).collect::<Vec<_>>().join(",") + "\r\n"
        };
        out.push_str(&line(self.headers.iter().map(|h| (h.clone(), false)).collect()));
        for r in &self.rows {
            out.push_str(&line(r.iter().map(|c| (c.raw.clone(), c.numeric)).collect()));
        }
        out
    }
}

fn csv_field(s: &str, numeric: bool) -> String {
    let mut s = s.to_string();
    if !numeric && s.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        s.insert(0, '\'');
    }
    if s.contains([',', '"', '\n', '\r']) { format!("\"{}\"", s.replace('"', "\"\"")) } else { s }
}

/// Escapes text for SVG (XML), leaving out characters XML cannot carry.
pub fn esc(s: &str) -> String {
    banyan_federation::xml::escape(s)
}

/// At most `max` characters, with an ellipsis when cut.
fn clip(s: &str, max: usize) -> String {
    if s.chars().count() <= max { s.to_string() } else { s.chars().take(max - 1).collect::<String>() + "…" }
}

const WIDTH: f64 = 640.0;
const LABEL_W: f64 = 210.0;
const VALUE_W: f64 = 90.0;
const ROW: f64 = 26.0;

/// The opening tag: a picture (`img`) named `label`, or, when it holds links, a named group
/// (an image may not contain controls).
fn open_svg(height: f64, label: &str, links: bool) -> String {
    format!(
        "<svg class=\"chart-svg\" viewBox=\"0 0 {WIDTH} {height}\" width=\"100%\" role=\"{}\" aria-label=\"{}\" \
         preserveAspectRatio=\"xMinYMin meet\" xmlns=\"http://www.w3.org/2000/svg\">",
        if links { "group" } else { "img" },
        esc(label)
    )
}

/// One bar to draw: its label, value, the value as shown, and where it links (if anywhere).
pub struct Bar {
    pub label: String,
    pub value: f64,
    pub shown: String,
    pub href: Option<String>,
}

/// Horizontal bars, one per item, scaled to the largest.
pub fn bars(label: &str, items: &[Bar]) -> String {
    let height = (items.len() as f64 * ROW + 8.0).max(ROW);
    let max = items.iter().map(|b| b.value).fold(0.0, f64::max);
    let span = WIDTH - LABEL_W - VALUE_W;
    let mut svg = open_svg(height, label, items.iter().any(|b| b.href.is_some()));
    for (i, b) in items.iter().enumerate() {
        let y = 4.0 + i as f64 * ROW;
        let w = if max > 0.0 { (b.value / max * span).max(if b.value > 0.0 { 2.0 } else { 0.0 }) } else { 0.0 };
        let text = format!(
            "<text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL_W - 8.0,
            y + ROW / 2.0 + 4.0,
            esc(&clip(&b.label, 30))
        );
        let bar = format!(
            "<rect class=\"bar\" x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\"><title>{}: {}</title></rect>",
            y + 4.0,
            ROW - 8.0,
            esc(&b.label),
            esc(&b.shown)
        );
        let value = format!(
            "<text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
            LABEL_W + w + 6.0,
            y + ROW / 2.0 + 4.0,
            esc(&b.shown)
        );
        match &b.href {
            Some(h) => svg.push_str(&format!("<a href=\"{}\">{text}{bar}{value}</a>", esc(h))),
            None => svg.push_str(&format!("{text}{bar}{value}")),
        }
    }
    svg.push_str("</svg>");
    svg
}

/// One pair of bars: before and after.
pub struct Pair {
    pub label: String,
    pub before: f64,
    pub after: f64,
    pub before_shown: String,
    pub after_shown: String,
}

/// Pairs of horizontal bars (before, after) per item, all scaled to the largest value, with a
/// legend naming the two.
pub fn pairs(label: &str, before_name: &str, after_name: &str, items: &[Pair]) -> String {
    let legend_h = 24.0;
    let group = ROW * 2.0 + 6.0;
    let height = legend_h + items.len() as f64 * group + 4.0;
    let max = items.iter().flat_map(|p| [p.before, p.after]).fold(0.0, f64::max);
    let span = WIDTH - LABEL_W - VALUE_W;
    let mut svg = open_svg(height, label, false);
    svg.push_str(&format!(
        "<rect class=\"bar-before\" x=\"{LABEL_W}\" y=\"6\" width=\"12\" height=\"12\"/>\
         <text class=\"chart-label\" x=\"{:.1}\" y=\"16\">{}</text>\
         <rect class=\"bar-after\" x=\"{:.1}\" y=\"6\" width=\"12\" height=\"12\"/>\
         <text class=\"chart-label\" x=\"{:.1}\" y=\"16\">{}</text>",
        LABEL_W + 18.0,
        esc(before_name),
        LABEL_W + 140.0,
        LABEL_W + 158.0,
        esc(after_name)
    ));
    let width = |v: f64| if max > 0.0 { (v / max * span).max(if v > 0.0 { 2.0 } else { 0.0 }) } else { 0.0 };
    for (i, p) in items.iter().enumerate() {
        let y = legend_h + i as f64 * group;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            LABEL_W - 8.0,
            y + ROW + 4.0,
            esc(&clip(&p.label, 30))
        ));
        for (j, (class, v, shown, name)) in
            [("bar-before", p.before, &p.before_shown, before_name), ("bar-after", p.after, &p.after_shown, after_name)]
                .into_iter()
                .enumerate()
        {
            let by = y + j as f64 * ROW;
            let w = width(v);
            svg.push_str(&format!(
                "<rect class=\"{class}\" x=\"{LABEL_W}\" y=\"{:.1}\" width=\"{w:.1}\" height=\"{:.1}\">\
                 <title>{} – {}: {}</title></rect>\
                 <text class=\"chart-value\" x=\"{:.1}\" y=\"{:.1}\">{}</text>",
                by + 4.0,
                ROW - 8.0,
                esc(&p.label),
                esc(name),
                esc(shown),
                LABEL_W + w + 6.0,
                by + ROW / 2.0 + 4.0,
                esc(shown)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

/// A line over time with the area under it shaded: `points` are (label of the x value,
/// value, value as shown); the first and last x labels are written, and the y axis has three
/// ticks.
pub fn line(label: &str, points: &[(String, f64, String)], tick: impl Fn(f64) -> String) -> String {
    let (height, left, right, top, bottom) = (220.0, 86.0, 16.0, 12.0, 28.0);
    let mut svg = open_svg(height, label, false);
    let max = points.iter().map(|p| p.1).fold(0.0, f64::max);
    let (w, h) = (WIDTH - left - right, height - top - bottom);
    let x = |i: usize| {
        if points.len() <= 1 { left + w / 2.0 } else { left + w * i as f64 / (points.len() - 1) as f64 }
    };
    let y = |v: f64| if max > 0.0 { top + h - v / max * h } else { top + h };
    for k in 0..=2 {
        let v = max * k as f64 / 2.0;
        svg.push_str(&format!(
            "<line class=\"axis\" x1=\"{left}\" x2=\"{:.1}\" y1=\"{:.1}\" y2=\"{:.1}\"/>\
             <text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
            left + w,
            y(v),
            y(v),
            left - 6.0,
            y(v) + 4.0,
            esc(&tick(v))
        ));
    }
    if !points.is_empty() {
        let path: Vec<String> = points.iter().enumerate().map(|(i, p)| format!("{:.1},{:.1}", x(i), y(p.1))).collect();
        svg.push_str(&format!(
            "<polygon class=\"area\" points=\"{:.1},{:.1} {} {:.1},{:.1}\"/><polyline class=\"line\" points=\"{}\"/>",
            x(0),
            top + h,
            path.join(" "),
            x(points.len() - 1),
            top + h,
            path.join(" ")
        ));
        for (i, p) in points.iter().enumerate() {
            svg.push_str(&format!(
                "<circle class=\"dot\" cx=\"{:.1}\" cy=\"{:.1}\" r=\"3\"><title>{}: {}</title></circle>",
                x(i),
                y(p.1),
                esc(&p.0),
                esc(&p.2)
            ));
        }
        let first = &points[0].0;
        let last = &points[points.len() - 1].0;
        svg.push_str(&format!(
            "<text class=\"chart-label\" x=\"{left}\" y=\"{:.1}\">{}</text>",
            height - 8.0,
            esc(first)
        ));
        if points.len() > 1 {
            svg.push_str(&format!(
                "<text class=\"chart-label\" x=\"{:.1}\" y=\"{:.1}\" text-anchor=\"end\">{}</text>",
                left + w,
                height - 8.0,
                esc(last)
            ));
        }
    }
    svg.push_str("</svg>");
    svg
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_in_charts_is_escaped_and_bars_scale_to_the_largest() {
        let svg = bars(
            "Records <by> stage",
            &[
                Bar { label: "<script>alert(1)</script>".into(), value: 10.0, shown: "10".into(), href: None },
                Bar { label: "Half".into(), value: 5.0, shown: "5".into(), href: Some("/search?a=1&b=2".into()) },
            ],
        );
        assert!(!svg.contains("<script>"), "{svg}");
        assert!(svg.contains("&lt;script&gt;"));
        assert!(svg.contains("aria-label=\"Records &lt;by&gt; stage\""));
        assert!(svg.contains("href=\"/search?a=1&amp;b=2\""));
        let span = WIDTH - LABEL_W - VALUE_W;
        assert!(svg.contains(&format!("width=\"{span:.1}\"")) && svg.contains(&format!("width=\"{:.1}\"", span / 2.0)));
    }

    #[test]
    fn csv_quotes_and_disarms_formulas_but_not_negative_numbers() {
        let chart = Chart {
            id: "t",
            title: "T".into(),
            svg: String::new(),
            headers: vec!["Name".into(), "Saved".into()],
            rows: vec![
                vec![Cell::text("=HYPERLINK(\"x\")"), Cell::number(-2.5, "−2.5".into())],
                vec![Cell::text("Land, mutation"), Cell::number(3.0, "3".into())],
            ],
            csv_href: String::new(),
        };
        assert_eq!(chart.csv(), "Name,Saved\r\n\"'=HYPERLINK(\"\"x\"\")\",-2.50\r\n\"Land, mutation\",3\r\n");
    }

    #[test]
    fn a_line_of_one_point_or_none_draws_without_dividing_by_zero() {
        let one = line("Saved", &[("Jan".into(), 0.0, "0".into())], |v| format!("{v}"));
        assert!(!one.contains("NaN") && !one.contains("inf"));
        let none = line("Saved", &[], |v| format!("{v}"));
        assert!(none.ends_with("</svg>"));
    }
}
