//! The world map: Natural Earth's country shapes (written by `tools/mapgen` into
//! `assets/world.map`), drawn by the server as inline SVG, each country shaded by how many
//! public records concern it and linked to its page.

use std::collections::HashMap;
use std::sync::LazyLock;

use serde_json::{Value, json};

use super::label;
use crate::i18n::Locale;

/// The map file: `W H`, then `CC<TAB>path` per line.
const WORLD: &str = include_str!("../../assets/world.map");

struct World {
    width: u32,
    height: u32,
    shapes: Vec<(&'static str, &'static str)>,
}

static SHAPES: LazyLock<World> = LazyLock::new(|| {
    let mut lines = WORLD.lines();
    let header = lines.next().unwrap_or("1000 500");
    let mut size = header.split(' ').filter_map(|n| n.parse::<u32>().ok());
    let (width, height) = (size.next().unwrap_or(1000), size.next().unwrap_or(500));
    let shapes = lines.filter_map(|l| l.split_once('\t')).collect();
    World { width, height, shapes }
});

/// How many shades the map uses (besides "none").
const SHADES: u64 = 5;

/// The shade of a count, 1 to [`SHADES`], on a logarithmic scale up to the largest count.
fn shade(count: u64, max: u64) -> u64 {
    if count == 0 || max == 0 {
        return 0;
    }
    let f = ((count as f64).ln_1p() / (max as f64).ln_1p() * SHADES as f64).ceil() as u64;
    f.clamp(1, SHADES)
}

/// The map for a template: the view box, the countries with records (linked, shaded), the others
/// (drawn, not linked), a legend, and the same numbers as a table, largest first.
/// `focus` marks one country (on its own page).
pub fn world(locale: &Locale, counts: &HashMap<String, u64>, focus: Option<&str>) -> Value {
    world_of(locale, counts, focus, "")
}

/// The map of something other than records: `what` names the messages used
/// (`map-country-<what>`, `map-legend-<what>`, `map-<what>-column`), such as `adoptions`.
pub fn world_of(locale: &Locale, counts: &HashMap<String, u64>, focus: Option<&str>, what: &str) -> Value {
    let suffix = if what.is_empty() { String::new() } else { format!("-{what}") };
    let w = &*SHAPES;
    let max = counts.values().copied().max().unwrap_or(0);
    let mut linked = Vec::new();
    let mut plain = Vec::new();
    for (code, path) in &w.shapes {
        let count = counts.get(*code).copied().unwrap_or(0);
        let focused = focus == Some(*code);
        if count > 0 && *code != "--" {
            let name = label(locale, "countries", code);
            let mut args = fluent_bundle::FluentArgs::new();
            args.set("country", name.clone());
            args.set("count", count);
            linked.push(json!({
                "code": code, "path": path, "shade": shade(count, max), "focus": focused,
                "href": format!("/countries/{code}"), "title": locale.text(&format!("map-country{suffix}"), Some(&args)),
            }));
        } else {
            plain.push(json!({"path": path, "focus": focused}));
        }
    }
    let mut table: Vec<(String, u64, String)> =
        counts.iter().filter(|(_, n)| **n > 0).map(|(c, n)| (label(locale, "countries", c), *n, c.clone())).collect();
    table.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    // The legend: the smallest count that reaches each shade.
    let legend: Vec<Value> = (1..=SHADES)
        .filter_map(|s| {
            let from = (1..=max).find(|n| shade(*n, max) == s)?;
            Some(json!({"shade": s, "from": locale.int(from as i64)}))
        })
        .collect();
    json!({
        "legend_label": locale.t(&format!("map-legend{suffix}")),
        "column": locale.t(if what.is_empty() { "map-records-column".to_string() } else { format!("map-{what}-column") }.as_str()),
        "width": w.width, "height": w.height, "linked": linked, "plain": plain, "legend": legend,
        "table": table.iter().map(|(name, n, code)| json!({"name": name, "count": n, "href": format!("/countries/{code}")})).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shades_grow_with_counts_and_stay_in_range() {
        assert_eq!(shade(0, 10), 0);
        assert_eq!(shade(10, 10), SHADES);
        assert!(shade(1, 1000) >= 1);
        let mut last = 0;
        for n in 1..=1000 {
            let s = shade(n, 1000);
            assert!(s >= last && s <= SHADES);
            last = s;
        }
    }

    #[test]
    fn the_map_has_the_countries_of_the_network() {
        let codes: Vec<&str> = SHAPES.shapes.iter().map(|(c, _)| *c).collect();
        for c in ["BD", "TH", "VN", "MY", "PH", "ID", "NP", "IN", "KH", "LA", "FR", "NO"] {
            assert!(codes.contains(&c), "{c} is on the map");
        }
        let locale = crate::i18n::default_locale();
        let counts = HashMap::from([("BD".to_string(), 12), ("TH".to_string(), 3)]);
        let map = world(locale, &counts, Some("TH"));
        assert_eq!(map["linked"].as_array().unwrap().len(), 2);
        assert_eq!(map["table"][0]["name"], "Bangladesh");
        assert_eq!(map["table"][0]["count"], 12);
        assert_eq!(map["linked"].as_array().unwrap().iter().filter(|c| c["focus"] == true).count(), 1);
    }
}
