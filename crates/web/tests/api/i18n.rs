//! The interface's languages are complete: every message the templates and the code ask for
//! exists in English, and English, Bengali and Thai have every message. (Hindi, Vietnamese,
//! Malay and Filipino are partial by design, and fall back to English.)

use std::collections::BTreeSet;
use std::path::Path;

use banyan_web::i18n::{LOCALES, message_ids};

fn sources(dir: &str, ext: &str) -> Vec<(String, String)> {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join(dir);
    let mut out = Vec::new();
    for entry in std::fs::read_dir(&root).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == ext) {
            out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
        }
    }
    out
}

/// Quoted strings that look like message ids and follow `t(`, `ctx.t(` or a key the pages
/// translate (`"heading": `, …).
fn ids_in(text: &str, prefixes: &[&str]) -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    for prefix in prefixes {
        for (i, _) in text.match_indices(prefix) {
            let rest = &text[i + prefix.len()..];
            let id: String =
                rest.chars().take_while(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '-').collect();
            let closed = rest[id.len()..].starts_with(['"', '\'']);
            if closed && id.contains('-') && !id.ends_with('-') {
                out.insert(id);
            }
        }
    }
    out
}

/// Ids made at run time from a prefix and a code, with every code they can take.
fn generated_ids() -> BTreeSet<String> {
    let mut out = BTreeSet::new();
    let families: &[(&str, &[&str])] = &[
        ("count-", &["practice", "idea", "challenge", "solution", "resource", "organisation"]),
        ("about-kind-", &["practice", "idea", "challenge", "solution", "resource"]),
        ("action-", &["submitted", "in_review", "changes_requested", "published", "archived", "withdrawn", "draft"]),
        ("dup-heading-", &["idea", "practice"]),
        ("dup-text-", &["idea", "practice"]),
        ("org-role-", &["owner", "editor", "viewer", "remove"]),
        (
            "facet-",
            &[
                "kind",
                "country",
                "region",
                "sdg",
                "sector",
                "level",
                "stage",
                "type",
                "evidence",
                "lang",
                "organisation",
            ],
        ),
        ("sort-", &["relevance", "newest", "updated"]),
        ("matches-heading-", &["challenge", "solution"]),
        ("conv-side-", &["challenge", "offer", "curator"]),
        ("conv-declined-by-", &["challenge", "offer"]),
        ("month-", &["1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"]),
        ("tcv-", &["time", "cost", "visits"]),
        (
            "field-",
            &[
                "problem",
                "solution",
                "idea",
                "expected-benefit",
                "started-on",
                "beneficiaries",
                "results",
                "cost-to-implement",
                "partners",
                "lessons",
                "conditions-for-replication",
                "links",
                "affected",
                "service",
                "tried-before",
                "constraints",
                "budget",
                "languages",
                "connectivity",
                "data-rules",
                "desired-outcomes",
                "success-criteria",
                "deadline",
                "seeking",
                "what-it-does",
                "for-whom",
                "trl",
                "deployments",
                "developed-in",
                "pricing-model",
                "availability",
                "state",
                "open-source-license",
                "works-offline",
                "data-protection",
                "website",
                "repositories",
                "references",
                "product-types",
                "resource-type",
                "authors",
                "published-on",
                "url",
                "files",
            ],
        ),
        (
            "error-",
            &[
                "403-title",
                "403-text",
                "404-title",
                "404-text",
                "410-title",
                "410-text",
                "429-title",
                "500-title",
                "500-text",
                "home-link",
            ],
        ),
    ];
    for (prefix, codes) in families {
        for code in *codes {
            out.insert(format!("{prefix}{code}"));
        }
    }
    // The notices shown after an action, by their code in `?done=`.
    out.extend(banyan_web::pages::NOTICES.iter().map(|code| format!("notice-{code}")));
    out
}

#[test]
fn every_message_the_site_uses_exists_in_english() {
    let english: BTreeSet<String> = message_ids("en").into_iter().collect();
    let mut used = generated_ids();
    for (_, text) in sources("templates", "html") {
        used.extend(ids_in(&text, &["t(\"", "t('"]));
    }
    for (_, text) in sources("src/pages", "rs") {
        used.extend(ids_in(
            &text,
            &[
                "t(\"",
                "\"heading\": \"",
                "\"button\": \"",
                "paragraphs\": [\"",
                "\"text\": \"",
                "heading: \"",
                "text: \"",
                "button: \"",
            ],
        ));
    }
    let missing: Vec<_> = used.iter().filter(|id| !english.contains(*id)).collect();
    assert!(missing.is_empty(), "messages used but not in locales/en.ftl: {missing:?}");
    assert!(used.len() > 300, "the scan finds the messages ({} found)", used.len());
}

#[test]
fn english_bengali_and_thai_are_complete_and_the_others_only_translate_known_messages() {
    let english: BTreeSet<String> = message_ids("en").into_iter().collect();
    for locale in LOCALES {
        let ids: BTreeSet<String> = message_ids(locale.code).into_iter().collect();
        assert!(!ids.is_empty(), "{}.ftl parses and has messages", locale.code);
        let unknown: Vec<_> = ids.iter().filter(|id| !english.contains(*id) && !id.starts_with("v-")).collect();
        assert!(unknown.is_empty(), "{}.ftl has messages English does not: {unknown:?}", locale.code);
        if locale.complete {
            let missing: Vec<_> = english.iter().filter(|id| !ids.contains(*id)).collect();
            assert!(missing.is_empty(), "{}.ftl lacks {missing:?}", locale.code);
        }
    }
    let complete: Vec<&str> = LOCALES.iter().filter(|l| l.complete).map(|l| l.code).collect();
    assert_eq!(complete, ["en", "bn", "th"]);
}

#[test]
fn translated_messages_keep_the_variables_of_the_english_ones() {
    // A translation that drops `{ $count }` or invents `{ $cuont }` would show the wrong thing.
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("locales");
    let vars = |file: &str| -> std::collections::BTreeMap<String, BTreeSet<String>> {
        let text = std::fs::read_to_string(root.join(file)).unwrap();
        let mut out = std::collections::BTreeMap::new();
        let mut current = String::new();
        for line in text.lines() {
            if let Some((id, _)) = line.split_once(" =").filter(|(id, _)| !id.starts_with([' ', '#']) && !id.is_empty())
            {
                current = id.to_string();
            }
            let set: &mut BTreeSet<String> = out.entry(current.clone()).or_default();
            for (i, _) in line.match_indices("$") {
                let name: String =
                    line[i + 1..].chars().take_while(|c| c.is_ascii_alphanumeric() || *c == '_').collect();
                set.insert(name);
            }
        }
        out
    };
    let english = vars("en.ftl");
    for file in ["bn.ftl", "th.ftl", "hi.ftl", "vi.ftl", "ms.ftl", "fil.ftl"] {
        for (id, names) in vars(file) {
            if let Some(en) = english.get(&id) {
                let extra: Vec<_> = names.difference(en).collect();
                assert!(extra.is_empty(), "{file}: {id} uses variables English does not give: {extra:?}");
            }
        }
    }
}
