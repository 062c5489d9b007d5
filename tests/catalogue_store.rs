//! The catalogue store in SQLite and in PostgreSQL: the same folder imported into both
//! (idempotent by fileIdentifier, bad documents named and absent, each record whole with its
//! index entry), then the same constraints through CSW and OGC API Records over a server on
//! each store: identical answers, equal to `ogc::csw::search` over the stored records in memory,
//! and imports seen by a running server without a restart.

mod common;

use std::path::{Path, PathBuf};

use ogc::csw::constraint::{ConstraintLanguage, parse};
use ogc::csw::request::GetRecords;
use ossature::catalogue::store::{Location, Mode, Store};

/// The demo's six records and 36 made from them (other identifiers, titles numbered, one with
/// upper-case accented words), plus a document that is not XML and one outside gmd.xsd.
fn folder(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ossature-store-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let demo: Vec<PathBuf> = {
        let mut v: Vec<PathBuf> = std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalogue"))
            .unwrap()
            .map(|f| f.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "xml"))
            .collect();
        v.sort();
        v
    };
    for (i, f) in demo.iter().enumerate() {
        let text = std::fs::read_to_string(f).unwrap();
        std::fs::write(dir.join(f.file_name().unwrap()), &text).unwrap();
        for j in 0..6 {
            let n = i * 6 + j;
            let id = between(&text, "<gmd:fileIdentifier><gco:CharacterString>", "<");
            let title = between(&text, "<gmd:title><gco:CharacterString>", "<");
            let new_title = if n % 5 == 0 { format!("RÉSEAU ÉCOLOGIQUE lot {n}") } else { format!("{title}, lot {n}") };
            let made = text.replace(id, &format!("gen-{n:03}")).replacen(&format!("<gco:CharacterString>{title}<"), &format!("<gco:CharacterString>{new_title}<"), 1);
            std::fs::write(dir.join(format!("gen-{n:03}.xml")), made).unwrap();
        }
    }
    std::fs::write(dir.join("broken.xml"), "<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\"><gmd:fileIdentifier>").unwrap();
    let plu = std::fs::read_to_string(&demo[0]).unwrap();
    std::fs::write(dir.join("invalid.xml"), plu.replace(between(&plu, "<gmd:fileIdentifier><gco:CharacterString>", "<"), "invalid").replace(">planningCadastre<", ">urbanisme<")).unwrap();
    dir
}

fn between<'a>(text: &'a str, start: &str, end: &str) -> &'a str {
    let s = text.find(start).unwrap() + start.len();
    &text[s..s + text[s..].find(end).unwrap()]
}

const RECORDS: usize = 6 + 36;

/// The constraints both stores answer, as CSW CQL text: every prefilter shape (substrings long
/// and short, accents and case, LIKE wildcards and escapes, boxes, identifiers) under AND, OR
/// and NOT, and shapes it leaves to the evaluation (dates).
const CONSTRAINTS: [&str; 16] = [
    "csw:AnyText LIKE '%urbanisme%'",
    "csw:AnyText LIKE '%réseau écologique%'",
    "AnyText LIKE '%Lot 1%'",
    "AnyText LIKE '%lo%'",
    "dc:title LIKE '%lot_1_'",
    "dc:title LIKE 'RÉSEAU%'",
    "dc:title = 'RÉSEAU ÉCOLOGIQUE lot 10'",
    "dc:title LIKE '%100\\%%'",
    "BBOX(ows:BoundingBox, 2.0, 50.0, 2.2, 50.2)",
    "BBOX(ows:BoundingBox, 1.0, 48.0, 4.5, 51.5) AND AnyText LIKE '%plan%'",
    "AnyText LIKE '%plan%' OR dct:modified > '2024-01-01'",
    "NOT AnyText LIKE '%plan%'",
    "dc:identifier = 'gen-007' OR dc:identifier = 'gen-031'",
    "apiso:OrganisationName LIKE '%hauts-de-france%'",
    "AnyText LIKE '%nothing like this%'",
    "dct:modified >= '2020-01-01' AND dc:subject LIKE '%occupation%'",
];

fn encode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}

/// Identifiers of a GetRecords answer, in order (brief Dublin Core).
async fn csw_ids(server: &common::TestServer, query: &str) -> Vec<String> {
    let res = server.get(&format!("/csw?service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record&resulttype=results&elementsetname=brief&maxrecords=500&{query}")).await;
    let status = res.status();
    let doc = res.text().await.unwrap();
    assert_eq!(status, 200, "{query}: {doc}");
    doc.split("<dc:identifier>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect()
}

/// What one store answers, and the checks that need no other store.
async fn answers(location: Location) -> Vec<Vec<String>> {
    let name = match &location {
        Location::File(_) => "sqlite",
        Location::Postgres(_) => "postgres",
    };
    let dir = folder(name);
    let store = Store::open(&location, Mode::Import).await.unwrap();
    let bar = indicatif::ProgressBar::hidden();
    let report = ossature::catalogue::import_folder(&store, &dir, &bar).await.unwrap();
    assert_eq!(report.added.len(), RECORDS, "{report:?}");
    let skipped: Vec<&str> = report.skipped.iter().map(|(n, _)| n.rsplit('/').next().unwrap()).collect();
    assert_eq!(skipped, ["broken.xml", "invalid.xml"], "{report:?}");
    let again = ossature::catalogue::import_folder(&store, &dir, &bar).await.unwrap();
    assert_eq!((again.added.len(), again.updated.len(), again.unchanged.len()), (0, 0, RECORDS), "importing twice changes nothing");
    let stored = store.load().await.unwrap();
    assert_eq!(stored.len(), RECORDS);
    assert!(stored.iter().all(|r| r.file_identifier != "invalid"), "nothing of a refused record is stored");
    // Every row has its index entry and no entry is left without its row.
    if let Store::Sqlite(pool) = &store {
        let orphans: i64 = sqlx::query_scalar("SELECT (SELECT count(*) FROM catalogue_text WHERE rowid NOT IN (SELECT rowid FROM catalogue)) + (SELECT count(*) FROM catalogue WHERE rowid NOT IN (SELECT rowid FROM catalogue_text))")
            .fetch_one(pool)
            .await
            .unwrap();
        assert_eq!(orphans, 0);
    }

    let server = common::start_with(&format!("[catalogue]\nstore = \"{}\"\nmax_records = 500\n", match &location {
        Location::File(p) => p.display().to_string(),
        Location::Postgres(url) => url.clone(),
    }))
    .await;
    let mut out = Vec::new();
    for cql in CONSTRAINTS {
        let ids = csw_ids(&server, &format!("constraintlanguage=CQL_TEXT&constraint={}", encode(cql))).await;
        let request = GetRecords { constraint: Some(parse(cql, ConstraintLanguage::CqlText).unwrap()), max_records: 500, ..GetRecords::new() };
        let expected: Vec<String> = ogc::csw::search::search(&stored, &request).unwrap().records.iter().map(|r| r.file_identifier.clone()).collect();
        let imported: Vec<String> = ids.iter().filter(|i| !i.starts_with("ossature-")).cloned().collect();
        assert_eq!(imported, expected, "{name}: {cql}: the store's answer is the in-memory one");
        out.push(ids);
    }
    let selective = out.iter().filter(|ids| !ids.is_empty() && ids.len() < RECORDS).count();
    assert!(selective >= 10, "{name}: the constraints select different subsets: {out:?}");
    // OGC API Records `q` and `ids` read the same store.
    let page = server.json(&format!("/collections/catalogue/items?q={}&limit=500", encode("réseau écologique"))).await;
    out.push(page["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect());
    let item = server.json("/collections/catalogue/items/gen-013").await;
    assert_eq!(item["id"], "gen-013");

    // An import while the server runs is seen at the next request; a changed document replaces
    // the record whole.
    let edited = std::fs::read_to_string(dir.join("gen-013.xml")).unwrap();
    let title = between(&edited, "<gmd:title><gco:CharacterString>", "<").to_string();
    std::fs::write(dir.join("gen-013.xml"), edited.replacen(&title, "Trame verte et bleue", 1)).unwrap();
    let plu = std::fs::read_to_string(dir.join("0000-plu.xml")).unwrap();
    std::fs::write(dir.join("late.xml"), plu.replace(between(&plu, "<gmd:fileIdentifier><gco:CharacterString>", "<"), "late-arrival")).unwrap();
    let third = ossature::catalogue::import_folder(&store, &dir, &bar).await.unwrap();
    assert_eq!((third.added.clone(), third.updated.clone()), (vec!["late-arrival".to_string()], vec!["gen-013".to_string()]), "{third:?}");
    assert_eq!(csw_ids(&server, &format!("constraintlanguage=CQL_TEXT&constraint={}", encode("AnyText LIKE '%trame verte%'"))).await, ["gen-013"]);
    assert!(csw_ids(&server, &format!("constraintlanguage=CQL_TEXT&constraint={}", encode(&format!("dc:title = '{}'", title.replace('\'', "''"))))).await.is_empty());
    assert!(csw_ids(&server, "").await.contains(&"late-arrival".to_string()));
    let _ = std::fs::remove_dir_all(&dir);
    out
}

#[tokio::test]
async fn sqlite_and_postgres_stores_answer_alike() {
    let file = std::env::temp_dir().join(format!("ossature-store-{}.db", std::process::id()));
    let _ = std::fs::remove_file(&file);
    let sqlite = answers(Location::File(file.clone())).await;
    let _ = std::fs::remove_file(&file);
    if !common::has_pg() {
        return;
    }
    // A schema of its own, so the test neither sees nor leaves records of another run.
    let url = std::env::var("OSSATURE_TEST_PG").unwrap();
    let pool = sqlx::PgPool::connect(&url).await.unwrap();
    sqlx::query("DROP SCHEMA IF EXISTS ossature_catalogue_test CASCADE").execute(&pool).await.unwrap();
    sqlx::query("CREATE SCHEMA ossature_catalogue_test").execute(&pool).await.unwrap();
    let separator = if url.contains('?') { '&' } else { '?' };
    let postgres = answers(Location::Postgres(format!("{url}{separator}options=-c%20search_path%3Dossature_catalogue_test,public"))).await;
    assert_eq!(postgres, sqlite, "both stores give the same records in the same order");
    sqlx::query("DROP SCHEMA ossature_catalogue_test CASCADE").execute(&pool).await.unwrap();
}
