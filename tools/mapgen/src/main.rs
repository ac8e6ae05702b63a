//! Writes the world map that Banyan draws as inline SVG: Natural Earth's 1:110m country shapes
//! (public domain), in the Equal Earth projection, simplified and rounded to whole units of a
//! 1000-wide box, as relative SVG path data, one country per line.
//!
//! ```text
//! cargo run -p mapgen -- [--data DIR] [--out FILE] [--check]
//! ```
//!
//! `--data` is the shared reference data folder (default `../shared/data`), `--out` the map file
//! (default `crates/web/assets/world.map`). `--check` compares instead of writing and fails when
//! the checked-in file is out of date.
//!
//! The file: a first line `W H` (the view box), then `CC<TAB>path` per country, CC its ISO 3166-1
//! alpha-2 code (shapes without one, such as disputed areas, have `--` and are drawn unlinked).

use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::{Context, bail};
use serde_json::Value;

/// Width of the view box; the height follows from the projection.
const WIDTH: f64 = 1000.0;
/// Douglas–Peucker tolerance, in view-box units (1 unit ≈ 40 km at the equator).
const TOLERANCE: f64 = 0.9;
/// Rings smaller than this (in square units) are dropped: islands too small to see or click.
const MIN_AREA: f64 = 1.5;

fn main() -> anyhow::Result<()> {
    let mut data = PathBuf::from("../shared/data");
    let mut out = PathBuf::from("crates/web/assets/world.map");
    let mut check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--data" => data = args.next().context("--data needs a folder")?.into(),
            "--out" => out = args.next().context("--out needs a file")?.into(),
            "--check" => check = true,
            other => bail!("unknown argument {other:?}; usage: mapgen [--data DIR] [--out FILE] [--check]"),
        }
    }
    let source = data.join("naturalearth/ne_110m_admin_0_countries.geojson");
    let geo: Value = serde_json::from_str(
        &std::fs::read_to_string(&source).with_context(|| format!("reading {}", source.display()))?,
    )
    .context("the Natural Earth file is JSON")?;
    let map = build(&geo)?;
    if check {
        let current = std::fs::read_to_string(&out).unwrap_or_default();
        if current != map {
            bail!("{} is out of date: run `cargo run -p mapgen`", out.display());
        }
        println!("{} is up to date", out.display());
    } else {
        std::fs::write(&out, &map).with_context(|| format!("writing {}", out.display()))?;
        println!("wrote {} ({} bytes)", out.display(), map.len());
    }
    Ok(())
}

/// Equal Earth projection (Šavrič, Patterson, Jenny 2018), in radians → unit coordinates.
fn equal_earth(lon: f64, lat: f64) -> (f64, f64) {
    const A1: f64 = 1.340264;
    const A2: f64 = -0.081106;
    const A3: f64 = 0.000893;
    const A4: f64 = 0.003796;
    let m = 3f64.sqrt() / 2.0;
    let theta = (m * lat.sin()).asin();
    let t2 = theta * theta;
    let t6 = t2 * t2 * t2;
    let x = lon * theta.cos() / (m * (A1 + 3.0 * A2 * t2 + t6 * (7.0 * A3 + 9.0 * A4 * t2)));
    let y = theta * (A1 + A2 * t2 + t6 * (A3 + A4 * t2));
    (x, y)
}

fn code(props: &Value) -> String {
    let get = |k: &str| props[k].as_str().filter(|s| s.len() == 2 && *s != "-99").map(str::to_string);
    get("ISO_A2")
        .or_else(|| get("ISO_A2_EH"))
        .or_else(|| get("WB_A2"))
        .or_else(|| match props["ADMIN"].as_str() {
            Some("France") => Some("FR".into()),
            Some("Norway") => Some("NO".into()),
            _ => None,
        })
        .unwrap_or_else(|| "--".into())
}

fn build(geo: &Value) -> anyhow::Result<String> {
    let (xmax, _) = equal_earth(std::f64::consts::PI, 0.0);
    let (_, ymax) = equal_earth(0.0, std::f64::consts::FRAC_PI_2);
    let scale = WIDTH / (2.0 * xmax);
    // Antarctica is left out, so the box ends at 60° south.
    let (_, ysouth) = equal_earth(0.0, (-60f64).to_radians());
    let height = ((ymax - ysouth) * scale).ceil();
    let project = |lon: f64, lat: f64| {
        let (x, y) = equal_earth(lon.to_radians(), lat.to_radians());
        ((x + xmax) * scale, (ymax - y) * scale)
    };
    let mut lines: Vec<(String, String)> = Vec::new();
    for feature in geo["features"].as_array().context("features")? {
        let props = &feature["properties"];
        if props["ADMIN"].as_str() == Some("Antarctica") {
            continue;
        }
        let geometry = &feature["geometry"];
        let polygons: Vec<&Value> = match geometry["type"].as_str() {
            Some("Polygon") => vec![&geometry["coordinates"]],
            Some("MultiPolygon") => geometry["coordinates"].as_array().context("coordinates")?.iter().collect(),
            _ => continue,
        };
        let mut path = String::new();
        for polygon in polygons {
            for ring in polygon.as_array().context("rings")? {
                let points: Vec<(f64, f64)> = ring
                    .as_array()
                    .context("ring")?
                    .iter()
                    .filter_map(|p| Some(project(p[0].as_f64()?, p[1].as_f64()?)))
                    .collect();
                if area(&points).abs() < MIN_AREA {
                    continue;
                }
                let simple = simplify(&points, TOLERANCE);
                let mut rounded: Vec<(i64, i64)> =
                    simple.iter().map(|(x, y)| (x.round() as i64, y.round() as i64)).collect();
                rounded.dedup();
                if rounded.len() > 1 && rounded.first() == rounded.last() {
                    rounded.pop();
                }
                if rounded.len() < 3 {
                    continue;
                }
                let (mut px, mut py) = rounded[0];
                write!(path, "M{px} {py}l")?;
                for (i, &(x, y)) in rounded.iter().enumerate().skip(1) {
                    let (dx, dy) = (x - px, y - py);
                    if i > 1 && dx >= 0 {
                        path.push(' ');
                    }
                    write!(path, "{dx}")?;
                    if dy >= 0 {
                        path.push(' ');
                    }
                    write!(path, "{dy}")?;
                    (px, py) = (x, y);
                }
                path.push('z');
            }
        }
        if !path.is_empty() {
            lines.push((code(props), path));
        }
    }
    // One line per country: shapes with the same code (none in 1:110m, but cheap) are joined.
    lines.sort_by(|a, b| a.0.cmp(&b.0));
    let mut out = format!("{} {}\n", WIDTH as i64, height as i64);
    let mut i = 0;
    while i < lines.len() {
        let mut path = lines[i].1.clone();
        let mut j = i + 1;
        while j < lines.len() && lines[j].0 == lines[i].0 && lines[i].0 != "--" {
            path.push_str(&lines[j].1);
            j += 1;
        }
        writeln!(out, "{}\t{}", lines[i].0, path)?;
        i = j;
    }
    Ok(out)
}

fn area(points: &[(f64, f64)]) -> f64 {
    points.windows(2).map(|w| w[0].0 * w[1].1 - w[1].0 * w[0].1).sum::<f64>() / 2.0
}

/// Douglas–Peucker, keeping the first and last point.
fn simplify(points: &[(f64, f64)], tolerance: f64) -> Vec<(f64, f64)> {
    if points.len() < 3 {
        return points.to_vec();
    }
    let mut keep = vec![false; points.len()];
    keep[0] = true;
    keep[points.len() - 1] = true;
    let mut stack = vec![(0, points.len() - 1)];
    while let Some((a, b)) = stack.pop() {
        let (mut index, mut dmax) = (0, 0.0);
        for i in a + 1..b {
            let d = distance(points[i], points[a], points[b]);
            if d > dmax {
                (index, dmax) = (i, d);
            }
        }
        if dmax > tolerance {
            keep[index] = true;
            stack.push((a, index));
            stack.push((index, b));
        }
    }
    points.iter().zip(keep).filter(|(_, k)| *k).map(|(p, _)| *p).collect()
}

fn distance(p: (f64, f64), a: (f64, f64), b: (f64, f64)) -> f64 {
    let (dx, dy) = (b.0 - a.0, b.1 - a.1);
    let len = (dx * dx + dy * dy).sqrt();
    if len == 0.0 {
        return ((p.0 - a.0).powi(2) + (p.1 - a.1).powi(2)).sqrt();
    }
    ((p.0 - a.0) * dy - (p.1 - a.1) * dx).abs() / len
}
