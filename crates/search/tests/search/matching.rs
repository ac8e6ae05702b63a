//! Similar records, duplicates of a draft, and type-ahead.

use banyan_search::duplicates::{Draft, duplicates};
use banyan_search::similar::{Probe, similar};
use banyan_store::NewRecord;
use banyan_testkit::fixtures::{input, practice};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::json;

use crate::{BASE, Fixture, curator};

backend_tests!(
    similar_records_come_with_their_reasons,
    similar_records_of_a_rare_kind_are_found_below_many_of_another,
    a_draft_finds_what_it_duplicates,
    type_ahead_completes_titles,
    matches_shown_say_the_words_they_share,
    a_probe_s_words_are_read_again_when_the_index_changes,
    a_probe_s_words_are_found_in_every_text_of_a_record,
    the_words_shared_are_never_a_language_s_little_words,
    similar_records_are_records_never_organisations,
);

async fn similar_records_come_with_their_reasons(db: TestDb) {
    let f = Fixture::demo(db).await;
    let pharmacies = f.record("Long waits at district hospital pharmacies").await;
    let hits = similar(f.index(), &Probe::from_record(&pharmacies), &[], 5).unwrap();
    let titles: Vec<&str> = hits.iter().map(|h| h.title.as_str()).collect();
    assert!(!titles.contains(&"Long waits at district hospital pharmacies"), "never itself: {titles:?}");
    // Queues at hospitals and clinics, not landslides or land records.
    let queue_like =
        ["QueueCare: clinic queues over SMS and LINE", "นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์", "คู่มือลดเวลารอในโรงพยาบาลชุมชน"];
    assert!(queue_like.contains(&titles[0]), "{titles:#?}");
    assert!(!titles.contains(&"Low-cost landslide warning") && !titles.contains(&"ระบบแจ้งเตือนดินถล่มราคาประหยัด"));
    let best = &hits[0];
    assert!(best.score > 0.0 && best.score <= 1.0);
    let codes: Vec<&str> = best.reasons.iter().map(|r| r.code).collect();
    assert!(codes.contains(&"text") || codes.contains(&"sector"), "{:#?}", best.reasons);
    assert!(best.reasons.iter().all(|r| !r.text.is_empty()));
    for w in hits.windows(2) {
        assert!(w[0].score >= w[1].score);
    }

    // A record from Bangladesh on land services finds its neighbours in Bangladesh.
    let mutation = f.record("Land mutation in one visit").await;
    let hits = similar(f.index(), &Probe::from_record(&mutation), &["practice".to_string()], 5).unwrap();
    assert!(hits.iter().all(|h| h.kind == "practice"));
    let country = hits.iter().flat_map(|h| &h.reasons).find(|r| r.code == "country");
    assert!(country.is_some_and(|r| r.text.contains("Bangladesh")), "{hits:#?}");
}

/// The best text matches are searched first and the kinds asked for are picked from them; when
/// the kind is rare among them, the search goes further down until it has them all.
async fn similar_records_of_a_rare_kind_are_found_below_many_of_another(db: TestDb) {
    let f = Fixture::empty(db).await;
    // 200 practices about ferry tickets by SMS (more than the first look takes), 320 about
    // other things (so that the ferry words stay distinctive), and three ideas that mention a
    // ferry once in a long text, below every practice about them.
    let mut batch: Vec<NewRecord> = (0..520)
        .map(|i| {
            let title = if i < 200 {
                format!("Ferry tickets booked by SMS at harbour {i}")
            } else {
                format!("Counter service number {i}")
            };
            NewRecord::local(input(&practice(&title)), BASE)
        })
        .collect();
    for i in 0..3 {
        let idea = json!({
            "kind": "idea", "title": format!("Island idea {i}"), "lang": "en", "status": "published",
            "sdgs": ["9.1"],
            "details": {
                "problem": "Boats leave full and late, and islanders wait on the quay for hours in the rain.",
                "idea": "A ferry timetable painted on every quay, in the languages of the islands, and kept up.",
            },
        });
        batch.push(NewRecord::local(input(&idea), BASE));
    }
    f.db.store.create_records(&batch, &curator()).await.unwrap();
    f.sync().await;
    let probe = Probe::from_record(&f.record("Ferry tickets booked by SMS at harbour 7").await);

    let ideas = similar(f.index(), &probe, &["idea".to_string()], 5).unwrap();
    let mut titles: Vec<&str> = ideas.iter().map(|h| h.title.as_str()).collect();
    titles.sort();
    assert_eq!(titles, ["Island idea 0", "Island idea 1", "Island idea 2"], "{ideas:#?}");
    assert!(ideas.iter().all(|h| h.reasons.iter().any(|r| r.code == "text")), "found by their words: {ideas:#?}");

    // Of every kind: the practices, never the probe itself.
    let any = similar(f.index(), &probe, &[], 5).unwrap();
    assert_eq!(any.len(), 5);
    assert!(any.iter().all(|h| h.kind == "practice" && Some(h.id) != probe.id), "{any:#?}");
}

async fn a_draft_finds_what_it_duplicates(db: TestDb) {
    let f = Fixture::demo(db).await;
    let mutation = f.record("Land mutation in one visit").await;
    // Someone submits nearly the same practice again, in their own words.
    let draft = Draft {
        title: "Land mutation with one visit to the office".into(),
        text: mutation.content.summary.clone().unwrap().replace("Tangail district", "Our district"),
        ..Default::default()
    };
    let found = duplicates(f.index(), &draft, 5).unwrap();
    assert_eq!(found.first().map(|d| d.id), Some(mutation.id.0), "{found:#?}");
    assert!(found[0].likely, "{found:#?}");
    assert!(found[0].text_similarity > 0.5);

    // The draft itself, once saved, is not its own duplicate.
    let excluded = duplicates(f.index(), &Draft { exclude: Some(mutation.id.0), ..draft.clone() }, 5).unwrap();
    assert!(excluded.iter().all(|d| d.id != mutation.id.0));

    // Something new has no likely duplicates.
    let fresh = Draft {
        title: "Braille ballot papers for blind voters".into(),
        text: "Election commission prints tactile ballot templates so blind citizens vote in secret.".into(),
        ..Default::default()
    };
    let found = duplicates(f.index(), &fresh, 5).unwrap();
    assert!(found.iter().all(|d| !d.likely), "{found:#?}");

    // Thai, compared by characters, without spaces between words.
    let thai = f.record("นัดคิวโรงพยาบาลล่วงหน้าผ่านไลน์").await;
    let draft =
        Draft { title: thai.content.title.clone(), text: thai.content.summary.clone().unwrap(), ..Default::default() };
    let found = duplicates(f.index(), &draft, 3).unwrap();
    assert_eq!(found.first().map(|d| (d.id, d.likely)), Some((thai.id.0, true)), "{found:#?}");
}

async fn type_ahead_completes_titles(db: TestDb) {
    let f = Fixture::demo(db).await;
    let titles =
        |q: &str| -> Vec<String> { f.index().suggest(q, &[], None, 5).unwrap().into_iter().map(|s| s.title).collect() };
    assert_eq!(titles("land mut"), ["Land mutation in one visit"]);
    assert!(titles("Qu").contains(&"QueueCare: clinic queues over SMS and LINE".to_string()));
    assert!(titles("doi m").contains(&"Public sector innovation in the Mekong: a landscape".to_string()));
    assert!(titles("ডিজিটাল").contains(&"ডিজিটাল সেন্টারে জন্ম নিবন্ধন".to_string()));
    assert!(titles("").is_empty());
    assert!(titles("xqzv").is_empty());
    // Shown in the language asked for, where the record has it.
    let vi = f.index().suggest("doi m", &[], Some("vi"), 5).unwrap();
    assert_eq!(vi[0].title, "Đổi mới khu vực công ở Mê Kông: bức tranh tổng quan");
    // Limited to kinds.
    let orgs = f.index().suggest("k", &["organisation".to_string()], None, 20).unwrap();
    assert!(orgs.iter().any(|s| s.title == "Khon Kaen Provincial Public Health Office"), "{orgs:?}");
    assert!(orgs.iter().all(|s| s.kind == "organisation"), "{orgs:?}");
}

/// The words a match shares are read only for the matches shown, after ranking; they are a
/// reason, never part of the score.
async fn matches_shown_say_the_words_they_share(db: TestDb) {
    use banyan_domain::Kind;
    use banyan_search::matching::{Weights, rank};
    let f = Fixture::demo(db).await;
    let challenge = f.record("Long waits at district hospital pharmacies").await;
    let index = std::sync::Arc::clone(f.indexer.index());
    let kinds = [Kind::Practice, Kind::Solution];
    let w = Weights::default();
    let top = rank(index.clone(), f.db.store.as_ref(), &challenge, &kinds, &w, 3).await.unwrap();
    let more = rank(index, f.db.store.as_ref(), &challenge, &kinds, &w, 50).await.unwrap();
    assert!(more.len() > top.len(), "more candidates than shown: {}", more.len());
    for (a, b) in top.iter().zip(&more) {
        assert_eq!((a.record.id, a.fit.score), (b.record.id, b.fit.score), "the same ranking, whatever is shown");
        assert_eq!(a.fit.reasons, b.fit.reasons);
    }
    let mut said = 0;
    for m in &more {
        let Some(words) = m.fit.reasons.iter().find(|r| r.code == "text") else { continue };
        said += 1;
        let list = words.text.strip_prefix("shares the words: ").expect("a list of words");
        let text = format!(
            "{} {} {}",
            m.record.content.title,
            m.record.content.summary.as_deref().unwrap_or(""),
            m.record.content.long_text()
        )
        .to_lowercase();
        for word in list.split(", ") {
            assert!(text.contains(&word.to_lowercase()), "{word:?} is in {:?}", m.record.content.title);
        }
    }
    assert!(said >= 3, "the matches shown that share words say which: {said}");
}

/// A probe's distinctive words are kept for the searches that follow it (a record's page finds
/// its similar records and its matches from the same words), and read again once the index has
/// changed: a word that most records now hold stops being searched for.
async fn a_probe_s_words_are_read_again_when_the_index_changes(db: TestDb) {
    use banyan_domain::Kind;
    use banyan_search::matching::candidates;
    let f = Fixture::empty(db).await;
    let mut batch: Vec<NewRecord> =
        (0..40).map(|i| NewRecord::local(input(&practice(&format!("Counter service number {i}"))), BASE)).collect();
    let challenge = json!({
        "kind": "challenge", "title": "Ferry timetables are missing on the islands", "lang": "en",
        "status": "published", "sdgs": ["9.1"],
        "details": {"problem": "Islanders wait on the quay for hours because no ferry timetable is posted."},
    });
    batch.push(NewRecord::local(input(&challenge), BASE));
    f.db.store.create_records(&batch, &curator()).await.unwrap();
    f.sync().await;
    let challenge = f.record("Ferry timetables are missing on the islands").await;
    let words = |f: &Fixture| -> Vec<String> {
        let found = candidates(f.index(), &challenge, &[Kind::Practice]).unwrap();
        found.terms.iter().map(|(plain, _, _)| plain.clone()).collect()
    };
    let first = words(&f);
    assert!(first.contains(&"ferry".to_string()), "{first:?}");
    assert_eq!(words(&f), first, "the same words while the index is the same");

    // Now most records are about ferries.
    let ferries: Vec<NewRecord> =
        (0..60).map(|i| NewRecord::local(input(&practice(&format!("Ferry tickets by SMS {i}"))), BASE)).collect();
    f.db.store.create_records(&ferries, &curator()).await.unwrap();
    f.sync().await;
    let after = words(&f);
    assert!(!after.contains(&"ferry".to_string()), "a word in most records says nothing: {after:?}");
    assert!(after.contains(&"timetable".to_string()), "{after:?}");
}

/// A probe's words are looked for in every text of a record, all in one field of the index: its
/// title, summary, body, keywords (its places) and translations.
async fn a_probe_s_words_are_found_in_every_text_of_a_record(db: TestDb) {
    let f = Fixture::empty(db).await;
    // Thirty others, so that the probe's words are rare.
    let mut batch: Vec<NewRecord> =
        (0..30).map(|i| NewRecord::local(input(&practice(&format!("Counter service number {i}"))), BASE)).collect();
    let mut by_title = practice("Lanterns on the quayside");
    by_title["places"] = json!(["TH-50"]);
    let mut by_summary = practice("Notices at the harbour");
    by_summary["summary"] = json!("Lanterns along the quayside show when the boats leave.");
    by_summary["places"] = json!(["TH-50"]);
    let mut by_body = practice("Boats on time");
    by_body["details"]["problem"] = json!("Nobody on the quayside knew when the boats left: now lanterns tell them.");
    by_body["places"] = json!(["TH-50"]);
    let mut by_translation = practice("Avisos del puerto");
    by_translation["translations"] = json!({"en": {"title": "Lanterns on the quayside, translated"}});
    by_translation["lang"] = json!("es");
    by_translation["places"] = json!(["TH-50"]);
    // Found by a place's name only, which is among the keywords.
    let mut by_place = practice("Counter service in the hills");
    by_place["places"] = json!(["NP-P1"]);
    for r in [&by_title, &by_summary, &by_body, &by_translation, &by_place] {
        batch.push(NewRecord::local(input(r), BASE));
    }
    f.db.store.create_records(&batch, &curator()).await.unwrap();
    f.sync().await;

    // The probes share no vocabulary with anything, so every candidate is found by its words.
    let found = |probe: Probe| {
        let mut titles: Vec<String> =
            similar(f.index(), &probe, &[], 8).unwrap().into_iter().map(|h| h.title).collect();
        titles.sort();
        titles
    };
    let lanterns = Probe { title: "Quayside lanterns".into(), ..Probe::default() };
    assert_eq!(
        found(lanterns),
        ["Avisos del puerto", "Boats on time", "Lanterns on the quayside", "Notices at the harbour"]
    );
    let koshi = Probe { title: "Services in Koshi".into(), ..Probe::default() };
    assert_eq!(found(koshi), ["Counter service in the hills"]);
}

/// On a small registry no word is in most records, so a language's little words ("dan",
/// "kepada", "yang") would be a probe's distinctive words and the words a match is said to
/// share: they are left out in English, Malay and Indonesian, and Vietnamese.
async fn the_words_shared_are_never_a_language_s_little_words(db: TestDb) {
    use banyan_domain::Kind;
    use banyan_search::matching::{Weights, rank};
    let f = Fixture::demo(db).await;
    let little = ["dan", "kepada", "yang", "untuk", "dengan", "dari", "dalam", "oleh", "pada", "ini", "itu"];
    let index = std::sync::Arc::clone(f.indexer.index());
    let mut said = Vec::new();
    for title in ["Cerun bukit runtuh selepas hujan lebat", "Aduan awam dalam satu aplikasi"] {
        let record = f.record(title).await;
        for hit in similar(f.index(), &Probe::from_record(&record), &[], 10).unwrap() {
            said.extend(hit.reasons.into_iter().filter(|r| r.code == "text").map(|r| r.text));
        }
        if record.kind() == Kind::Challenge {
            let kinds = [Kind::Practice, Kind::Solution];
            for m in rank(index.clone(), f.db.store.as_ref(), &record, &kinds, &Weights::default(), 10).await.unwrap() {
                said.extend(m.fit.reasons.into_iter().filter(|r| r.code == "text").map(|r| r.text));
            }
        }
    }
    assert!(!said.is_empty(), "the Malay records share words with others");
    for text in &said {
        let words: Vec<&str> = text.rsplit(": ").next().unwrap_or("").split(", ").collect();
        assert!(!words.iter().any(|w| little.contains(&w.to_lowercase().as_str())), "{text}");
    }
}

/// The index holds organisations beside records, sharing countries, levels of government and
/// words with them; similar records and matches leave them out without reading every record's
/// kind (see `SearchIndex::kind_clauses`).
async fn similar_records_are_records_never_organisations(db: TestDb) {
    let f = Fixture::demo(db).await;
    let orgs = f.index().suggest("", &["organisation".to_string()], None, 1).unwrap();
    assert!(orgs.is_empty(), "type-ahead needs a letter");
    let khon_kaen = f.index().suggest("khon", &["organisation".to_string()], None, 5).unwrap();
    assert!(!khon_kaen.is_empty(), "the demo's organisations are indexed");
    let mut seen = 0;
    for title in [
        "QueueCare: clinic queues over SMS and LINE",
        "Long waits at district hospital pharmacies",
        "Land mutation in one visit",
    ] {
        let record = f.record(title).await;
        let hits = similar(f.index(), &Probe::from_record(&record), &[], 50).unwrap();
        assert!(hits.iter().all(|h| h.kind != "organisation"), "{title}: {hits:#?}");
        seen += hits.len();
    }
    assert!(seen > 10, "similar records were found: {seen}");
}
