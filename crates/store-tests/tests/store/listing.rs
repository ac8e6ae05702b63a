use banyan_domain::{Cofog, CountryCode, Kind, Sdg, Status};
use banyan_store::{RecordQuery, Visibility};
use banyan_testkit::{TestDb, backend_tests, fixtures};
use serde_json::json;

use crate::{curator, new_record};

backend_tests!(
    filters_match_codes_and_their_children,
    the_public_sees_only_published_unhidden_records,
    pages_follow_cursors,
    totals_follow_every_kind_of_write,
    totals_hold_under_concurrent_writers_and_folds,
    a_list_of_one_kind_reads_its_page_from_an_index,
);

async fn seed(db: &TestDb) {
    let actor = curator();
    let rows = [
        ("practice", "Land BD", json!(["BD-13"]), json!(["16.6"]), json!(["01.3"]), "published", false),
        ("practice", "Clinic TH", json!(["TH"]), json!(["3.8"]), json!(["07.2"]), "published", false),
        ("solution", "Queue app", json!(["TH", "VN"]), json!(["3"]), json!(["07"]), "published", false),
        ("idea", "Draft idea", json!(["BD"]), json!(["4"]), json!(["09"]), "draft", false),
        ("practice", "Hidden", json!(["BD"]), json!(["16"]), json!(["01"]), "published", true),
    ];
    for (kind, title, places, sdgs, sectors, status, hidden) in rows {
        let mut v = fixtures::of_kind(Kind::parse(kind).unwrap(), title);
        v["places"] = places;
        v["sdgs"] = sdgs;
        v["sectors"] = sectors;
        v["status"] = json!(status);
        v["hidden"] = json!(hidden);
        db.store.create_record(new_record(fixtures::input(&v)), &actor).await.unwrap();
    }
}

async fn titles(db: &TestDb, q: RecordQuery) -> Vec<String> {
    let page = db.store.list_records(&RecordQuery { limit: 50, ..q }).await.unwrap();
    assert_eq!(page.total as usize, page.items.len());
    let mut t: Vec<String> = page.items.into_iter().map(|r| r.content.title).collect();
    t.sort();
    t
}

async fn filters_match_codes_and_their_children(db: TestDb) {
    seed(&db).await;
    let all = RecordQuery { visibility: Visibility::All, ..Default::default() };
    let bd = CountryCode::parse("BD").unwrap();
    assert_eq!(
        titles(&db, RecordQuery { country: Some(bd), ..all.clone() }).await,
        ["Draft idea", "Hidden", "Land BD"]
    );
    let sdg3 = Sdg::parse("3").unwrap();
    assert_eq!(titles(&db, RecordQuery { sdg: Some(sdg3), ..all.clone() }).await, ["Clinic TH", "Queue app"]);
    let target = Sdg::parse("3.8").unwrap();
    assert_eq!(titles(&db, RecordQuery { sdg: Some(target), ..all.clone() }).await, ["Clinic TH"]);
    let health = Cofog::parse("07").unwrap();
    assert_eq!(titles(&db, RecordQuery { sector: Some(health), ..all.clone() }).await, ["Clinic TH", "Queue app"]);
    let th = CountryCode::parse("TH").unwrap();
    assert_eq!(
        titles(&db, RecordQuery { kind: Some(Kind::Practice), country: Some(th), ..all.clone() }).await,
        ["Clinic TH"]
    );
    assert_eq!(titles(&db, RecordQuery { status: Some(Status::Draft), ..all.clone() }).await, ["Draft idea"]);
    assert!(titles(&db, RecordQuery { country: Some(CountryCode::parse("FR").unwrap()), ..all }).await.is_empty());
}

async fn the_public_sees_only_published_unhidden_records(db: TestDb) {
    seed(&db).await;
    assert_eq!(titles(&db, RecordQuery::default()).await, ["Clinic TH", "Land BD", "Queue app"]);
    let drafts = RecordQuery { status: Some(Status::Draft), ..Default::default() };
    assert!(titles(&db, drafts).await.is_empty(), "asking for drafts shows the public none");
}

async fn pages_follow_cursors(db: TestDb) {
    let actor = curator();
    let mut made = Vec::new();
    for i in 0..7 {
        let r = db
            .store
            .create_record(new_record(fixtures::input(&fixtures::practice(&format!("P{i}")))), &actor)
            .await
            .unwrap();
        made.push(r.id);
    }
    let mut seen = Vec::new();
    let mut cursor = None;
    loop {
        let page = db
            .store
            .list_records(&RecordQuery { limit: 3, cursor: cursor.clone(), ..Default::default() })
            .await
            .unwrap();
        assert_eq!(page.total, 7);
        assert!(page.items.len() <= 3);
        seen.extend(page.items.iter().map(|r| r.id));
        match page.next_cursor {
            Some(c) => cursor = Some(c),
            None => break,
        }
    }
    made.reverse();
    assert_eq!(seen, made, "newest first, each once");
    let bad = RecordQuery { cursor: Some(banyan_store::Cursor("garbage".into())), limit: 3, ..Default::default() };
    assert!(matches!(db.store.list_records(&bad).await, Err(banyan_store::StoreError::Invalid(_))));
}

/// Every list a total is kept for (migration 0008): by kind, status, hiddenness and for the
/// public, each alone and together.
fn kept_totals() -> Vec<RecordQuery> {
    let kinds = [None, Some(Kind::Practice), Some(Kind::Idea), Some(Kind::Challenge)];
    let mut out = Vec::new();
    for kind in kinds {
        out.push(RecordQuery { kind, ..Default::default() });
        for status in [None, Some(Status::Draft), Some(Status::Published), Some(Status::Archived)] {
            for hidden in [None, Some(false), Some(true)] {
                out.push(RecordQuery { visibility: Visibility::All, kind, status, hidden, ..Default::default() });
            }
        }
        out.push(RecordQuery {
            visibility: Visibility::All,
            kind,
            statuses: vec![Status::Submitted, Status::Published],
            ..Default::default()
        });
    }
    out
}

/// Each kept total is the number of records the list holds.
async fn assert_totals(db: &TestDb, step: &str) {
    for q in kept_totals() {
        let page = db.store.list_records(&RecordQuery { limit: 1000, ..q.clone() }).await.unwrap();
        assert_eq!(page.total as usize, page.items.len(), "after {step}: {q:?}");
    }
}

async fn totals_follow_every_kind_of_write(db: TestDb) {
    let actor = curator();
    assert_totals(&db, "nothing").await;
    let mut made = Vec::new();
    for (kind, title, status) in [
        (Kind::Practice, "P1", "published"),
        (Kind::Practice, "P2", "published"),
        (Kind::Idea, "I1", "draft"),
        (Kind::Idea, "I2", "submitted"),
        (Kind::Challenge, "C1", "published"),
    ] {
        let mut v = fixtures::of_kind(kind, title);
        v["status"] = json!(status);
        made.push(db.store.create_record(new_record(fixtures::input(&v)), &actor).await.unwrap());
    }
    let batch: Vec<_> = (0..3)
        .map(|i| new_record(fixtures::input(&fixtures::of_kind(Kind::Challenge, &format!("Batch {i}")))))
        .collect();
    db.store.create_records(&batch, &actor).await.unwrap();
    assert_totals(&db, "creating one by one and in a batch").await;

    let idea = &made[2];
    let idea = db.store.transition_record(idea.id, idea.version, Status::Submitted, None, &actor).await.unwrap();
    let idea = db.store.transition_record(idea.id, idea.version, Status::Published, None, &actor).await.unwrap();
    assert_totals(&db, "publishing an idea").await;

    db.store.set_record_hidden(made[0].id, true, "test", &actor).await.unwrap();
    assert_totals(&db, "hiding a practice").await;

    // A challenge restricted to the network's members leaves the public's list.
    let challenge = &made[4];
    let mut v = fixtures::of_kind(Kind::Challenge, "C1");
    v["status"] = json!("published");
    v["details"]["restricted"] = json!(true);
    let challenge = db.store.update_record(challenge.id, challenge.version, fixtures::input(&v), &actor).await.unwrap();
    assert!(challenge.content.is_restricted());
    assert_totals(&db, "restricting a challenge").await;

    // An update that changes none of the counted columns.
    let mut v = fixtures::of_kind(Kind::Idea, "I1, retitled");
    v["status"] = json!("published");
    db.store.update_record(idea.id, idea.version, fixtures::input(&v), &actor).await.unwrap();
    assert_totals(&db, "retitling").await;

    db.store.delete_record(made[3].id, None, &actor).await.unwrap();
    db.store.merge_record(made[1].id, made[0].id, &actor).await.unwrap();
    assert_totals(&db, "deleting and merging").await;
    db.store.set_record_hidden(made[0].id, false, "test", &actor).await.unwrap();
    assert_totals(&db, "showing a practice again").await;

    // Enough writes of one kind that the kept rows are folded where writers add rows
    // (PostgreSQL): totals read before and after the fold agree with the lists.
    for i in 0..200 {
        let r = db
            .store
            .create_record(new_record(fixtures::input(&fixtures::practice(&format!("More {i}")))), &actor)
            .await
            .unwrap();
        if i % 3 == 0 {
            db.store.set_record_hidden(r.id, true, "test", &actor).await.unwrap();
        }
    }
    assert_totals(&db, "many writes").await;
    assert_totals(&db, "many writes, counted again").await;
    let rows = kept_rows(&db).await;
    assert!(rows <= 12, "the kept rows are folded, one for each combination: {rows}");
}

/// Writers at once (on PostgreSQL, in transactions that overlap), each hiding some of what it
/// wrote, while readers count and so fold the kept rows: no change is lost or counted twice.
async fn totals_hold_under_concurrent_writers_and_folds(db: TestDb) {
    let writers: Vec<_> = (0..4)
        .map(|w| {
            let store = std::sync::Arc::clone(&db.store);
            tokio::spawn(async move {
                let actor = curator();
                for i in 0..90 {
                    let mut v = fixtures::of_kind(Kind::Idea, &format!("Writer {w}, idea {i}"));
                    v["status"] = json!("published");
                    let r = store.create_record(new_record(fixtures::input(&v)), &actor).await.unwrap();
                    if i % 4 == 0 {
                        store.set_record_hidden(r.id, true, "test", &actor).await.unwrap();
                    }
                }
            })
        })
        .collect();
    let reader = {
        let store = std::sync::Arc::clone(&db.store);
        tokio::spawn(async move {
            let mut totals = Vec::new();
            for _ in 0..60 {
                let q = RecordQuery { kind: Some(Kind::Idea), limit: 1, ..Default::default() };
                totals.push(store.list_records(&q).await.unwrap().total);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
            }
            totals
        })
    };
    for w in writers {
        w.await.unwrap();
    }
    let seen = reader.await.unwrap();
    assert!(seen.iter().all(|&t| t <= 4 * 90), "never more than were written: {seen:?}");
    assert_totals(&db, "concurrent writers").await;
    let public = db.store.list_records(&RecordQuery { kind: Some(Kind::Idea), ..Default::default() }).await.unwrap();
    assert_eq!(public.total, 4 * (90 - 23), "the public's ideas: all but the hidden");
    // 360 creations and 90 hidings add 540 rows where writers add rows; a count folds them once
    // it reads more than 256.
    let rows = kept_rows(&db).await;
    assert!(rows <= 258, "the kept rows are folded as they are counted: {rows}");
}

/// The public list of one kind, newest first, under many newer records of another kind: the
/// page is right, and the database finds it through the index of the list's columns. On
/// PostgreSQL, asked for the rows at once, it walked the primary key down through every newer
/// record of the other kinds (migration 0009 and `list_records_query`).
async fn a_list_of_one_kind_reads_its_page_from_an_index(db: TestDb) {
    use sqlx::Connection;
    let actor = curator();
    let published = |kind, title: String| {
        let mut v = fixtures::of_kind(kind, &title);
        v["status"] = json!("published");
        new_record(fixtures::input(&v))
    };
    let challenges: Vec<_> = (0..30).map(|i| published(Kind::Challenge, format!("Challenge {i}"))).collect();
    let mut made = db.store.create_records(&challenges, &actor).await.unwrap();
    made.sort_by(|a, b| b.cmp(a));
    for batch in 0..4 {
        let ideas: Vec<_> = (0..500).map(|i| published(Kind::Idea, format!("Idea {batch}-{i}"))).collect();
        db.store.create_records(&ideas, &actor).await.unwrap();
    }
    let query = RecordQuery { kind: Some(Kind::Challenge), limit: 20, ..Default::default() };
    let first = db.store.list_records(&query).await.unwrap();
    let ids = |page: &banyan_store::Page<banyan_domain::Record>| page.items.iter().map(|r| r.id).collect::<Vec<_>>();
    assert_eq!(first.total, 30);
    assert_eq!(ids(&first), made.iter().take(20).copied().collect::<Vec<_>>(), "the newest 20 challenges");
    let rest = db.store.list_records(&RecordQuery { cursor: first.next_cursor.clone(), ..query }).await.unwrap();
    assert_eq!(ids(&rest), made.iter().skip(20).copied().collect::<Vec<_>>(), "then the other 10");
    assert!(rest.next_cursor.is_none());

    // The list's own statement (`list_records_query`), for the plan.
    let sql = "SELECT r.data FROM records r WHERE r.id IN (SELECT r.id FROM records r \
               WHERE r.deleted_at IS NULL AND r.status = 'published' AND r.hidden = {f} AND r.restricted = {f} \
               AND r.kind = 'challenge' ORDER BY r.id DESC LIMIT 21) ORDER BY r.id DESC";
    let plan: Vec<String> = match &db.database {
        banyan_testkit::Database::Sqlite { .. } => {
            let path = db.sqlite_file().unwrap();
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            sqlx::query("ANALYZE").execute(&mut c).await.unwrap();
            let explain = format!("EXPLAIN QUERY PLAN {}", sql.replace("{f}", "0"));
            let rows = sqlx::query(&explain).fetch_all(&mut c).await.unwrap();
            rows.iter().map(|r| sqlx::Row::get::<String, _>(r, "detail")).collect()
        }
        banyan_testkit::Database::Postgres { url, .. } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query("VACUUM ANALYZE records").execute(&mut c).await.unwrap();
            let explain = format!("EXPLAIN {}", sql.replace("{f}", "false"));
            sqlx::query_scalar(&explain).fetch_all(&mut c).await.unwrap()
        }
    };
    let plan = plan.join("\n");
    // Read in the index's order: backwards on PostgreSQL, with no sorting on SQLite.
    let in_order = match &db.database {
        banyan_testkit::Database::Sqlite { .. } => {
            plan.contains("INDEX records_listed_by_kind") && !plan.contains("TEMP B-TREE")
        }
        banyan_testkit::Database::Postgres { .. } => plan.contains("Backward using records_listed_by_kind"),
    };
    assert!(in_order, "the page's ids come from the index of its columns, in its order:\n{plan}");
}

/// Rows of `record_counts`.
async fn kept_rows(db: &TestDb) -> i64 {
    use sqlx::Connection;
    let sql = "SELECT COUNT(*) FROM record_counts";
    match &db.database {
        banyan_testkit::Database::Sqlite { .. } => {
            let path = db.sqlite_file().unwrap();
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
        banyan_testkit::Database::Postgres { url, .. } => {
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_scalar(sql).fetch_one(&mut c).await.unwrap()
        }
    }
}
