//! Native dumps: a node whole, out of one backend and into an empty node of either, exactly.

use std::collections::BTreeMap;

use banyan_domain::{Email, OrgRole, Role, Side};
use banyan_store::dump::{DERIVED, DumpRow, TABLES, Table};
use banyan_store::sql::SqlType;
use banyan_store::{
    Actor, NewMail, NewToken, OneTimeToken, OrganisationQuery, Purpose, ReportTarget, Session, SessionKind, Store,
    StoreError,
};
use banyan_testkit::{TestDb, backend_tests};
use chrono::{Duration, Utc};
use serde_json::json;

use crate::conversations::{open_conversation, person};

backend_tests!(
    a_dump_names_every_table_and_column_of_the_schema,
    a_node_with_a_row_in_every_table_loads_into_an_empty_node_of_either_backend_exactly,
    a_load_into_a_node_that_is_not_empty_is_refused_and_changes_nothing,
    a_row_that_does_not_fit_is_refused_by_line_and_nothing_is_kept,
    a_dry_run_checks_every_row_and_keeps_none,
    a_dump_taken_while_records_are_written_is_one_moment,
);

/// The columns of every table, as the database itself describes them.
async fn schema(db: &TestDb) -> BTreeMap<String, Vec<(String, String)>> {
    let sql = match db.backend() {
        "sqlite" => {
            "SELECT m.name AS t, p.name AS c, p.type AS ty FROM sqlite_master m, pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations' \
             ORDER BY m.name, p.cid"
        }
        _ => {
            "SELECT table_name::text AS t, column_name::text AS c, data_type::text AS ty FROM information_schema.columns \
             WHERE table_schema = current_schema() AND table_name <> '_sqlx_migrations' \
             ORDER BY table_name, ordinal_position"
        }
    };
    let rows: Vec<(String, String, String)> = match &db.database {
        banyan_testkit::Database::Sqlite { .. } => {
            use sqlx::Connection;
            let path = db.sqlite_file().unwrap();
            let mut c = sqlx::SqliteConnection::connect(&format!("sqlite://{}", path.display())).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
        banyan_testkit::Database::Postgres { url, .. } => {
            use sqlx::Connection;
            let mut c = sqlx::PgConnection::connect(url).await.unwrap();
            sqlx::query_as(sql).fetch_all(&mut c).await.unwrap()
        }
    };
    let mut tables: BTreeMap<String, Vec<(String, String)>> = BTreeMap::new();
    for (t, c, ty) in rows {
        tables.entry(t).or_default().push((c, ty.to_lowercase()));
    }
    tables
}

/// The database types a dump's type may be kept in, on either backend.
fn kept_as(ty: SqlType) -> &'static [&'static str] {
    match ty {
        SqlType::Uuid => &["uuid", "text"],
        SqlType::Time => &["timestamp with time zone", "text"],
        SqlType::Json => &["jsonb", "text"],
        SqlType::Bool => &["boolean", "integer"],
        SqlType::Int => &["bigint", "integer"],
        SqlType::Float => &["double precision", "real"],
        SqlType::Text => &["text"],
    }
}

async fn a_dump_names_every_table_and_column_of_the_schema(db: TestDb) {
    let schema = schema(&db).await;
    let listed: Vec<&str> = TABLES.iter().map(|t| t.name).collect();
    let mut in_schema: Vec<&str> = schema.keys().map(String::as_str).collect();
    in_schema.sort_unstable();
    let mut sorted: Vec<&str> = listed.iter().chain(DERIVED).copied().collect();
    sorted.sort_unstable();
    assert_eq!(sorted, in_schema, "dump::TABLES and dump::DERIVED list exactly the schema's tables");
    for table in TABLES {
        let columns = &schema[table.name];
        let names: Vec<&str> = columns.iter().map(|(c, _)| c.as_str()).collect();
        let ours: Vec<&str> = table.columns.iter().map(|(c, _)| *c).collect();
        assert_eq!(ours, names, "{}: every column, in order", table.name);
        for ((name, ty), (_, kept)) in table.columns.iter().zip(columns) {
            assert!(kept_as(*ty).contains(&kept.as_str()), "{}.{name}: {ty:?} kept as {kept}", table.name);
        }
    }
}

/// Every row of a node, as JSON lines by table.
async fn dump(store: &dyn Store) -> BTreeMap<&'static str, Vec<String>> {
    let mut tables: BTreeMap<&'static str, Vec<String>> = BTreeMap::new();
    let counts = store
        .dump(&mut |row: DumpRow| {
            let values: Vec<_> = row.values.iter().map(banyan_store::dump::to_json).collect();
            tables.entry(row.table.name).or_default().push(serde_json::Value::from(values).to_string());
            Ok(())
        })
        .await
        .unwrap();
    for (table, rows) in &tables {
        assert_eq!(counts[table], rows.len() as u64, "{table}: the counts are the rows");
    }
    tables
}

fn rows_of(tables: &BTreeMap<&'static str, Vec<String>>) -> Vec<DumpRow> {
    let mut out = Vec::new();
    for table in TABLES {
        for line in tables.get(table.name).into_iter().flatten() {
            let values: Vec<serde_json::Value> = serde_json::from_str(line).unwrap();
            let values = table
                .columns
                .iter()
                .zip(&values)
                .map(|((_, ty), v)| banyan_store::dump::from_json(*ty, v).unwrap())
                .collect();
            out.push(DumpRow { table, values, line: out.len() as u64 + 1 });
        }
    }
    out
}

/// A node with at least one row in every table.
async fn fill(db: &TestDb) {
    let store = db.store.as_ref();
    let cli = Actor::cli();
    banyan_import::demo::load(store, crate::BASE).await.unwrap();
    let (c, official, provider) = open_conversation(db).await;
    let (o, p) = (Actor::user(official.id, Role::Member), Actor::user(provider.id, Role::Member));
    store.add_message(c.id, "challenge", "Could you pilot in two hospitals?", &o).await.unwrap();
    store.mark_read(c.id, official.id).await.unwrap();
    let curator = person(db, "curator@network.example").await;
    store.invite_curator(c.id, curator.id, &o).await.unwrap();
    let pilot = crate::pilots::new_pilot(&c, Side::Offer);
    let mut pilot = store.create_pilot(&pilot, &p).await.unwrap();
    let v = pilot.version;
    pilot.apply(banyan_domain::PilotStatus::Agreed, Side::Challenge, Default::default()).unwrap();
    store
        .save_pilot(
            &pilot,
            v,
            &crate::pilots::step("agreed", banyan_domain::PilotStatus::Proposed, Side::Challenge, None),
            &o,
        )
        .await
        .unwrap();

    let org =
        store.list_organisations(&OrganisationQuery { limit: 1, ..Default::default() }).await.unwrap().items[0].id;
    store.set_membership(org, official.id, Some(OrgRole::Editor), &cli).await.unwrap();
    let comment = store.add_comment(c.challenge_id, "We tried this in Khulna.", &o).await.unwrap();
    store.create_report(ReportTarget::Comment(comment.id), "Off topic", &p).await.unwrap();
    let now = Utc::now();
    store
        .create_session(Session {
            id_hash: "session-hash".into(),
            user_id: official.id,
            kind: SessionKind::Browser,
            csrf: "csrf".into(),
            created_at: now,
            last_seen_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    store
        .create_one_time_token(OneTimeToken {
            hash: "reset-hash".into(),
            purpose: Purpose::ResetPassword,
            user_id: Some(official.id),
            email: Some(official.email.clone()),
            data: json!({"why": "forgot"}),
            created_at: now,
            expires_at: now + Duration::hours(1),
        })
        .await
        .unwrap();
    store
        .enqueue_mail(NewMail {
            to: Email::parse("official@district.example").unwrap(),
            user_id: Some(official.id),
            subject: "A new message".into(),
            body: "Provider wrote.".into(),
        })
        .await
        .unwrap();
    store
        .create_token(
            NewToken {
                id: banyan_domain::TokenId::new(),
                name: "harvester".into(),
                role: Role::Curator,
                secret_hash: "token-hash".into(),
                expires_at: Some(now + Duration::days(30)),
                user_id: Some(curator.id),
                scopes: Vec::new(),
            },
            &cli,
        )
        .await
        .unwrap();
    let peer = store.add_peer("https://peer.banyan.test", &cli).await.unwrap();
    store.finish_harvest(peer.id, Some(now), &json!({"records": 3})).await.unwrap();
}

async fn a_node_with_a_row_in_every_table_loads_into_an_empty_node_of_either_backend_exactly(db: TestDb) {
    fill(&db).await;
    let before = dump(db.store.as_ref()).await;
    for table in TABLES {
        assert!(before.get(table.name).is_some_and(|r| !r.is_empty()), "the node has rows in {}", table.name);
    }
    let mut targets = vec![db.another().await];
    let other = if db.backend() == "sqlite" { TestDb::postgres().await } else { Some(TestDb::sqlite().await) };
    targets.extend(other);
    for target in targets {
        let counts = target.store.load(&mut rows_of(&before).into_iter().map(Ok), true).await.unwrap();
        assert_eq!(counts.values().sum::<u64>(), before.values().map(|r| r.len() as u64).sum::<u64>());
        let after = dump(target.store.as_ref()).await;
        for table in TABLES {
            assert_eq!(
                before[table.name],
                after[table.name],
                "{} → {}: {}",
                db.backend(),
                target.backend(),
                table.name
            );
        }
        // The loaded node goes on working: numbers taken next come after the loaded ones.
        let last = target.store.last_seq().await.unwrap();
        assert_eq!(last, db.store.last_seq().await.unwrap());
        let org = target.store.list_organisations(&OrganisationQuery { limit: 1, ..Default::default() }).await;
        let org = org.unwrap().items[0].clone();
        let user = person(&target, "newcomer@example.org").await;
        target.store.set_membership(org.id, user.id, Some(OrgRole::Editor), &Actor::cli()).await.unwrap();
        let audited = target.store.audit_log(None, 1).await.unwrap();
        assert!(audited[0].id > db.store.audit_log(None, 1).await.unwrap()[0].id, "the audit log goes on");
    }
}

async fn a_load_into_a_node_that_is_not_empty_is_refused_and_changes_nothing(db: TestDb) {
    fill(&db).await;
    let rows = dump(db.store.as_ref()).await;
    let target = db.another().await;
    person(&target, "first@example.org").await;
    let before = dump(target.store.as_ref()).await;
    let refused = target.store.load(&mut rows_of(&rows).into_iter().map(Ok), true).await.unwrap_err();
    assert!(
        matches!(&refused, StoreError::Refused(why) if why.contains("not empty") && why.contains("users")),
        "{refused}"
    );
    assert_eq!(dump(target.store.as_ref()).await, before);
}

async fn a_row_that_does_not_fit_is_refused_by_line_and_nothing_is_kept(db: TestDb) {
    fill(&db).await;
    let rows = rows_of(&dump(db.store.as_ref()).await);
    let target = db.another().await;
    // A message whose conversation is not in the dump: the foreign key refuses it, after
    // hundreds of rows went in.
    let conversations = Table::named("conversations").unwrap();
    let without: Vec<DumpRow> = rows.iter().filter(|r| !std::ptr::eq(r.table, conversations)).cloned().collect();
    let loaded = target.store.load(&mut without.clone().into_iter().map(Ok), true).await.unwrap_err();
    let line = without.iter().find(|r| r.table.name == "conversation_curators").unwrap().line;
    assert!(
        matches!(&loaded, StoreError::Refused(why) if why.starts_with(&format!("line {line}, conversation_curators:"))),
        "{loaded}"
    );
    // Two rows with one key.
    let mut twice = rows.clone();
    let user = twice.iter().position(|r| r.table.name == "users").unwrap();
    twice.insert(user + 1, twice[user].clone());
    let refused = target.store.load(&mut twice.into_iter().map(Ok), true).await.unwrap_err();
    assert!(matches!(&refused, StoreError::Refused(why) if why.contains("users")), "{refused}");
    // A table out of order: a peer (the last table) first.
    let mut early = rows.clone();
    let peer = early.pop().unwrap();
    assert_eq!(peer.table.name, "peers");
    early.insert(0, peer);
    let refused = target.store.load(&mut early.into_iter().map(Ok), true).await.unwrap_err();
    assert!(
        matches!(&refused, StoreError::Refused(why) if why.ends_with("organisations: comes after peers rows: a dump lists its tables in order")),
        "{refused}"
    );
    // An error from the source itself, after every row.
    let mut cut = rows.into_iter().map(Ok).chain([Err(StoreError::Refused("cut short".into()))]);
    assert!(target.store.load(&mut cut, true).await.is_err());
    for table in TABLES {
        assert_eq!(target.count(table.name).await, 0, "nothing was kept in {}", table.name);
    }
}

async fn a_dry_run_checks_every_row_and_keeps_none(db: TestDb) {
    fill(&db).await;
    let rows = rows_of(&dump(db.store.as_ref()).await);
    let target = db.another().await;
    let counts = target.store.load(&mut rows.clone().into_iter().map(Ok), false).await.unwrap();
    assert_eq!(counts.values().sum::<u64>(), rows.len() as u64);
    for table in TABLES {
        assert_eq!(target.count(table.name).await, 0, "nothing was kept in {}", table.name);
    }
    target.store.load(&mut rows.into_iter().map(Ok), true).await.unwrap();
    assert!(target.count("records").await > 0);
}

async fn a_dump_taken_while_records_are_written_is_one_moment(db: TestDb) {
    fill(&db).await;
    let stop = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let writer = {
        let (store, stop) = (db.store.clone(), stop.clone());
        tokio::spawn(async move {
            let mut n = 0;
            while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                let input = banyan_testkit::fixtures::input(&banyan_testkit::fixtures::practice(&format!(
                    "Written during the dump {n}"
                )));
                store.create_record(crate::new_record(input), &Actor::cli()).await.unwrap();
                n += 1;
            }
            n
        })
    };
    // A slow reader: a millisecond a row, so that records are written between every table.
    let mut tables: BTreeMap<&'static str, Vec<DumpRow>> = BTreeMap::new();
    db.store
        .dump(&mut |row: DumpRow| {
            std::thread::sleep(std::time::Duration::from_millis(1));
            tables.entry(row.table.name).or_default().push(row);
            Ok(())
        })
        .await
        .unwrap();
    stop.store(true, std::sync::atomic::Ordering::Relaxed);
    let written = writer.await.unwrap();
    assert!(written > 20, "records were written during the dump: {written}");
    // Every record in the dump has its terms, revisions and change-log rows, and no row refers
    // to a record the dump lacks: loading it checks the foreign keys.
    let ids = |table: &str, column: usize| -> std::collections::BTreeSet<String> {
        tables[table].iter().map(|r| banyan_store::dump::to_json(&r.values[column]).to_string()).collect()
    };
    let records = ids("records", 0);
    assert_eq!(ids("change_log", 2).iter().filter(|id| records.contains(*id)).count(), records.len());
    assert!(ids("revisions", 1).is_superset(&records), "each record has its revisions");
    assert!(records.is_superset(&ids("record_terms", 0)), "no terms of a record the dump lacks");
    let target = db.another().await;
    let mut rows = TABLES.iter().flat_map(|t| tables.remove(t.name).unwrap_or_default()).map(Ok);
    target.store.load(&mut rows, true).await.unwrap();
}
