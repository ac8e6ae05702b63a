//! Properties of the record parser, over generated input.

use proptest::prelude::*;
use serde_json::{Map, Value, json};

use banyan_domain::record::InputMode;
use banyan_domain::*;

const FIELDS: &[&str] = &[
    "kind",
    "title",
    "summary",
    "lang",
    "translations",
    "sdgs",
    "sectors",
    "places",
    "level_of_government",
    "innovation_types",
    "facets",
    "themes",
    "status",
    "hidden",
    "details",
    "organisation",
    "license",
    "source",
    "slug",
    "problem",
    "tcv",
    "before",
    "after",
    "visits",
    "cost",
    "time_days",
    "currency",
    "stage",
    "resource_type",
    "colour",
];

/// Any JSON, with keys often drawn from the record's own field names so that the parser's
/// deeper paths are reached.
fn any_json() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_filter("finite", |f| f.is_finite()).prop_map(|f| json!(f)),
        "\\PC{0,30}".prop_map(Value::String),
        prop::sample::select(vec!["practice", "idea", "en", "bn", "3.8", "BD-13", "07.2", "draft", "18", "XX"])
            .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..6).prop_map(Value::Array),
            prop::collection::vec((prop::sample::select(FIELDS.to_vec()), inner), 0..8).prop_map(|kv| {
                Value::Object(kv.into_iter().map(|(k, v)| (k.to_string(), v)).collect::<Map<_, _>>())
            }),
        ]
    })
}

fn valid_record() -> impl Strategy<Value = Value> {
    let kind = prop::sample::select(Kind::ALL.to_vec());
    let title = "[A-Za-z][A-Za-z0-9 ]{0,60}";
    let sdgs = prop::collection::vec(prop::sample::select(vec!["1", "3", "3.8", "16.6", "16.a", "17"]), 0..4);
    let places = prop::collection::vec(prop::sample::select(vec!["BD", "BD-13", "TH", "TH-40", "VN-DN", "NP"]), 0..4);
    let sectors = prop::collection::vec(prop::sample::select(vec!["01", "01.3", "07", "07.2", "10.5"]), 0..3);
    let lang = prop::sample::select(vec!["en", "bn", "th", "vi", "fil", "zh-Hans"]);
    let status = prop::sample::select(Status::ALL.to_vec());
    (kind, title, sdgs, places, sectors, lang, status, any::<bool>(), "\\PC{0,200}").prop_map(
        |(kind, title, sdgs, places, sectors, lang, status, hidden, text)| {
            let details = match kind {
                Kind::Practice => {
                    json!({"problem": text, "stage": "pilot", "tcv": {"before": {"visits": 5}, "after": {"visits": 1}}})
                }
                Kind::Idea => json!({"idea": text}),
                Kind::Challenge => json!({"problem": text, "constraints": {"languages": ["bn"]}, "seeking": "both"}),
                Kind::Solution => json!({"what_it_does": text, "trl": 7, "deployments": ["TH"]}),
                Kind::Resource => json!({"resource_type": "toolkit", "published_on": "2024-03"}),
            };
            json!({
                "kind": kind.code(), "title": title, "lang": lang, "sdgs": sdgs, "places": places, "sectors": sectors,
                "status": status.code(), "hidden": hidden, "details": details,
                "translations": {"ne": {"title": "शीर्षक"}},
            })
        },
    )
}

fn as_record(content: RecordContent) -> Record {
    Record {
        id: RecordId::new(),
        slug: Slug::from_title(&content.title, "record"),
        uri: "https://banyan.test/records/x".into(),
        origin: Origin::Local,
        version: 1,
        content,
        owner: None,
        derived_from: None,
        created_at: chrono::Utc::now(),
        updated_at: chrono::Utc::now(),
        published_at: None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Whatever arrives, the parser answers: a record, or violations that each name a field.
    #[test]
    fn any_input_is_answered_without_panicking(input in any_json()) {
        match RecordInput::from_json(&input, InputMode::Create) {
            Ok(r) => prop_assert!(!r.content.title.is_empty()),
            Err(v) => {
                prop_assert!(!v.0.is_empty());
                for violation in &v.0 {
                    prop_assert!(!violation.message.is_empty());
                    prop_assert!(violation.pointer.is_empty() || violation.pointer.starts_with('/'));
                }
            }
        }
    }

    /// A record as served is valid input, and reads back to the same content; as stored, it
    /// reads back to the same record.
    #[test]
    fn valid_records_round_trip(input in valid_record()) {
        let parsed = RecordInput::from_json(&input, InputMode::Create);
        prop_assert!(parsed.is_ok(), "{:?}", parsed.err());
        let record = as_record(parsed.unwrap().content);
        let served = record.to_json();
        let again = RecordInput::from_json(&served, InputMode::Update { kind: record.kind() }).unwrap();
        prop_assert_eq!(&again.content, &record.content);
        let stored: Record = serde_json::from_value(served).unwrap();
        prop_assert_eq!(stored, record);
    }

    /// Lists of codes come out sorted and without repeats, whatever order they went in.
    #[test]
    fn code_lists_are_sorted_sets(codes in prop::collection::vec(prop::sample::select(vec!["3", "3.8", "1", "16.6", "1"]), 0..10)) {
        let r = RecordInput::from_json(&json!({"kind": "idea", "title": "T", "lang": "en", "sdgs": codes}), InputMode::Create).unwrap();
        let out: Vec<&str> = r.content.sdgs.iter().map(|s| s.code()).collect();
        let mut expected: Vec<&str> = out.clone();
        expected.sort();
        expected.dedup();
        prop_assert_eq!(out, expected);
    }
}
