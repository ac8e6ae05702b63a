//! The canary crawl: records in every state the public must not see, and personal data in
//! public ones, carry unique strings; an anonymous crawler walks every public page it can reach,
//! the API's lists, search, feeds, exports, the sitemap and every OAI-PMH page, and must find
//! none of them.

use std::collections::{BTreeSet, VecDeque};

use banyan_domain::record::InputMode;
use banyan_domain::{RecordInput, Status};
use banyan_store::{Actor, NewRecord, RecordState};
use banyan_testkit::{TestDb, backend_tests};
use serde_json::json;

use crate::TestApp;

backend_tests!(nothing_private_is_reachable_by_an_anonymous_crawler);

const CANARY: &str = "zqxcanary";

async fn nothing_private_is_reachable_by_an_anonymous_crawler(db: TestDb) {
    let app = TestApp::start(db).await;
    let store = app.db.store.clone();
    let cli = Actor::cli();
    let make = |title: String, status: &str, extra: serde_json::Value| {
        let mut v = json!({"kind": "practice", "title": title, "lang": "en", "status": status, "places": ["BD-13"],
            "sdgs": ["16.6"], "sectors": ["01.3"], "summary": format!("{title} summary"),
            "details": {"problem": "Five visits", "solution": "One visit",
                        "contact": {"name": format!("{CANARY}-contact-person"), "email": "zqxcanary@example.gov"}}});
        if let (Some(o), Some(e)) = (v.as_object_mut(), extra.as_object()) {
            for (k, x) in e {
                o.insert(k.clone(), x.clone());
            }
        }
        RecordInput::from_json(&v, InputMode::Create).unwrap()
    };
    // Public records, whose contact (personal data) must not show.
    for i in 0..3 {
        let r = make(format!("Public practice {i}"), "published", json!({}));
        store.create_record(NewRecord::local(r, &app.base), &cli).await.unwrap();
    }
    // Every state the public must not see.
    for status in ["draft", "submitted", "in_review", "changes_requested", "withdrawn"] {
        let r = make(format!("{CANARY} {status} practice"), status, json!({}));
        store.create_record(NewRecord::local(r, &app.base), &cli).await.unwrap();
    }
    let archived = store
        .create_record(NewRecord::local(make(format!("{CANARY} archived"), "published", json!({})), &app.base), &cli)
        .await
        .unwrap();
    store.transition_record(archived.id, archived.version, Status::Archived, None, &cli).await.unwrap();
    let hidden = store
        .create_record(NewRecord::local(make(format!("{CANARY} hidden"), "published", json!({})), &app.base), &cli)
        .await
        .unwrap();
    store.set_record_hidden(hidden.id, true, "spam", &cli).await.unwrap();
    let deleted = store
        .create_record(NewRecord::local(make(format!("{CANARY} deleted"), "published", json!({})), &app.base), &cli)
        .await
        .unwrap();
    store.delete_record(deleted.id, None, &cli).await.unwrap();
    let restricted = RecordInput::from_json(
        &json!({"kind": "challenge", "title": format!("{CANARY} restricted challenge"), "lang": "en", "status": "published",
                "places": ["BD"], "details": {"problem": "Queues", "restricted": true}}),
        InputMode::Create,
    )
    .unwrap();
    store.create_record(NewRecord::local(restricted, &app.base), &cli).await.unwrap();
    app.sync().await;
    // The deleted record still exists as a tombstone; its page may say it is gone, not what it was.
    assert!(matches!(store.record(deleted.id).await.unwrap(), Some(RecordState::Deleted(_))));

    // Where the crawl starts: the site's pages, the API's lists, searches for the private
    // records' other words (a search for the canary itself would only echo the query), feeds,
    // exports, the sitemap, every page of the OAI-PMH lists.
    let mut queue: VecDeque<String> = [
        "/",
        "/search",
        "/search?q=practice",
        "/search?q=hidden",
        "/search?q=archived",
        "/search?q=restricted+challenge",
        "/search?q=draft",
        "/countries",
        "/countries/BD",
        "/dashboard",
        "/procurement",
        "/api/v1/records?limit=100",
        "/api/v1/search?q=withdrawn",
        "/api/v1/search?q=deleted",
        "/api/v1/search?q=practice&limit=100",
        "/api/v1/suggest?q=hid",
        "/api/v1/organisations",
        "/api/v1/dashboard",
        "/api/v1/countries/BD",
        "/feeds/records.atom",
        "/api/v1/exports/records.jsonl",
        "/api/v1/exports/records.csv",
        "/sitemap.xml",
        "/oai?verb=ListRecords&metadataPrefix=oai_dc",
        "/oai?verb=ListRecords&metadataPrefix=banyan",
        "/oai?verb=ListIdentifiers&metadataPrefix=oai_dc",
        "/oai?verb=ListSets",
    ]
    .iter()
    .map(|s| s.to_string())
    .collect();
    for id in [archived.id, hidden.id, deleted.id] {
        queue.push_back(format!("/records/{id}"));
        queue.push_back(format!("/api/v1/records/{id}"));
        queue.push_back(format!("/oai?verb=GetRecord&metadataPrefix=banyan&identifier=oai:127.0.0.1:{id}"));
    }
    let mut seen: BTreeSet<String> = queue.iter().cloned().collect();
    let mut fetched = 0;
    while let Some(path) = queue.pop_front() {
        if fetched >= 400 {
            break;
        }
        fetched += 1;
        let r = app.send(reqwest::Method::GET, &path, None, &[("accept", "text/html")], None).await;
        let text = r.text.replace("&#x2f;", "/");
        assert!(!text.to_lowercase().contains(CANARY), "{path} shows a canary: …{}…", {
            let at = text.to_lowercase().find(CANARY).unwrap();
            &text[at.saturating_sub(150)..(at + 100).min(text.len())]
        });
        // Follow this site's links, and OAI resumption tokens.
        for part in text.split("href=\"").skip(1) {
            let link = part.split('"').next().unwrap_or("").replace("&amp;", "&");
            let local = link.strip_prefix(&app.base).map(str::to_string).unwrap_or(link);
            if local.starts_with('/')
                && !local.starts_with("//")
                && !local.contains("/assets/")
                && seen.insert(local.clone())
            {
                queue.push_back(local);
            }
        }
        if let Some(token) =
            text.split("<resumptionToken").nth(1).and_then(|t| t.split('>').nth(1)).and_then(|t| t.split('<').next())
            && !token.is_empty()
        {
            let verb = if path.contains("ListIdentifiers") { "ListIdentifiers" } else { "ListRecords" };
            let next = format!("/oai?verb={verb}&resumptionToken={token}");
            if seen.insert(next.clone()) {
                queue.push_back(next);
            }
        }
    }
    assert!(fetched > 40, "the crawl reached {fetched} addresses only");
    // The check can fail: a curator, who may see the hidden record, sees its canary.
    let app = app.with_token(banyan_domain::Role::Curator).await;
    let shown = app.get(&format!("/api/v1/records/{}", hidden.id)).await;
    assert!(shown.text.to_lowercase().contains(CANARY), "{}", shown.text);
}
