//! OGC API Records over the catalogue: the layers' records and the demo's imported ISO records,
//! searched with q, bbox, datetime, filter, ids and paged; errors as problem details.

mod common;

use std::collections::HashSet;
use std::path::Path;

use ossature::catalogue::store::{Location, Mode, Store};
use serde_json::Value;

const ITEMS: &str = "/collections/catalogue/items";
/// The demo's PLU record (demo/catalogue/0000-plu.xml): Surcamps, published 2021-01-15.
const PLU: &str = "c0e3bb0c-ec9d-5562-b912-df42bd58d315";

async fn server() -> common::TestServer {
    let dir = std::env::temp_dir().join(format!("ossature-records-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("catalogue.db");
    let store = Store::open(&Location::File(db.clone()), Mode::Import).await.unwrap();
    let demo = Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalogue");
    let report = ossature::catalogue::import_folder(&store, &demo, &indicatif::ProgressBar::hidden()).await.unwrap();
    assert_eq!(report.added.len(), 6, "{report:?}");
    common::start_with(&format!("[catalogue]\nstore = \"{}\"\n", db.display())).await
}

fn ids(page: &Value) -> Vec<String> {
    page["features"].as_array().unwrap().iter().map(|f| f["id"].as_str().unwrap().to_string()).collect()
}

fn link<'a>(doc: &'a Value, rel: &str) -> Option<&'a str> {
    doc["links"].as_array()?.iter().find(|l| l["rel"] == rel).and_then(|l| l["href"].as_str())
}

async fn problem(server: &common::TestServer, path: &str, status: u16) -> Value {
    let res = server.get(path).await;
    assert_eq!(res.status().as_u16(), status, "{path}");
    assert_eq!(res.headers()["content-type"], "application/problem+json", "{path}");
    res.json().await.unwrap()
}

#[tokio::test]
async fn records_collection_search_and_paging() {
    let server = server().await;
    let collections = server.json("/collections").await;
    let all = collections["collections"].as_array().unwrap();
    let catalogue = all.iter().find(|c| c["id"] == "catalogue").expect("the catalogue is listed");
    assert_eq!(catalogue["itemType"], "record");
    let served = all.len() - 1;
    let conformance = server.json("/conformance").await;
    assert!(conformance["conformsTo"].as_array().unwrap().iter().any(|c| c == "http://www.opengis.net/spec/ogcapi-records-1/1.0/conf/record-core"));
    let api = server.json("/api").await;
    assert!(api["paths"]["/collections/catalogue/items"]["get"].is_object());

    // Every record, by pages of 4 through the next links, once each.
    let mut seen = Vec::new();
    let mut page = server.json(&format!("{ITEMS}?limit=4")).await;
    let matched = page["numberMatched"].as_u64().unwrap() as usize;
    assert_eq!(matched, served + 6);
    loop {
        assert_eq!(page["numberReturned"].as_u64().unwrap() as usize, page["features"].as_array().unwrap().len());
        seen.extend(ids(&page));
        match link(&page, "next") {
            Some(next) => {
                assert_eq!(page["features"].as_array().unwrap().len(), 4, "only the last page is short");
                page = server.json_url(next).await;
            }
            None => break,
        }
    }
    assert_eq!(seen.len(), matched);
    assert_eq!(seen.iter().collect::<HashSet<_>>().len(), matched);
    assert!(seen.contains(&"ossature-communes".to_string()) && seen.contains(&PLU.to_string()));

    // q: a keyword of the PLU record; any of several terms; all words of one term.
    assert_eq!(ids(&server.json(&format!("{ITEMS}?q=ZONAGE")).await), [PLU]);
    let either = ids(&server.json(&format!("{ITEMS}?q=zonage,no-such-word")).await);
    assert_eq!(either, [PLU]);
    assert!(ids(&server.json(&format!("{ITEMS}?q=zonage%20no-such-word")).await).is_empty());
    // bbox: Surcamps is in it, the records far away (Lille's) are not.
    let surcamps = ids(&server.json(&format!("{ITEMS}?bbox=2.07,50.06,2.08,50.07&limit=100")).await);
    assert!(surcamps.contains(&PLU.to_string()), "{surcamps:?}");
    assert!(surcamps.len() < matched, "{surcamps:?}");
    assert!(ids(&server.json(&format!("{ITEMS}?bbox=-60,-10,-59,-9")).await).is_empty());
    // datetime against the citation dates.
    assert!(ids(&server.json(&format!("{ITEMS}?datetime=2021-01-15&limit=100")).await).contains(&PLU.to_string()));
    assert!(ids(&server.json(&format!("{ITEMS}?datetime=../1900-01-01")).await).is_empty());
    // filter in CQL2 text and JSON, on the queryables.
    let text = server.json(&format!("{ITEMS}?filter={}", urlencode("title LIKE 'Plan local%'"))).await;
    assert_eq!(ids(&text), [PLU]);
    let json = server.json(&format!("{ITEMS}?filter-lang=cql2-json&filter={}", urlencode(r#"{"op":"=","args":[{"property":"identifier"},"ossature-communes"]}"#))).await;
    assert_eq!(ids(&json), ["ossature-communes"]);
    let queryables = server.json("/collections/catalogue/queryables").await;
    assert!(queryables["properties"]["title"].is_object());
    // ids, in catalogue order.
    assert_eq!(ids(&server.json(&format!("{ITEMS}?ids={PLU},ossature-communes,unknown")).await), ["ossature-communes", PLU]);
    // Carried parameters survive paging.
    let first = server.json(&format!("{ITEMS}?q=hauts-de-france&limit=1")).await;
    let next = link(&first, "next").expect("several records say Hauts-de-France");
    assert!(next.contains("q=hauts-de-france") && next.contains("offset=1"), "{next}");

    // sortby: the order of CSW's SortBy on the same queryables, every record once, the dates
    // descending, and title breaking ties (the layers' records share the server's date).
    let sortables = server.json("/collections/catalogue/sortables").await;
    let names: Vec<&String> = sortables["properties"].as_object().unwrap().keys().collect();
    assert_eq!(names, ["id", "title", "type", "updated"]);
    let collection = server.json("/collections/catalogue").await;
    assert!(link(&collection, "http://www.opengis.net/def/rel/ogc/1.0/sortables").is_some());
    let sorted = server.json(&format!("{ITEMS}?sortby=-updated,title&limit=100")).await;
    let csw = server.get("/csw?service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record&resulttype=results&elementsetname=full&maxrecords=100&sortby=dct:modified:D,dc:title:A").await.text().await.unwrap();
    let csw_ids: Vec<String> = csw.split("<dc:identifier>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect();
    assert_eq!(ids(&sorted), csw_ids);
    let features = sorted["features"].as_array().unwrap();
    assert_eq!(features.len(), matched);
    let key = |f: &Value| (f["properties"]["updated"].as_str().unwrap().to_string(), f["properties"]["title"].as_str().unwrap().to_lowercase());
    assert!(features.windows(2).all(|w| { let (a, b) = (key(&w[0]), key(&w[1])); a.0[..10] > b.0[..10] || (a.0[..10] == b.0[..10] && a.1 <= b.1) }), "{:?}", features.iter().map(key).collect::<Vec<_>>());
    assert_ne!(ids(&sorted), seen, "sorting changes the catalogue order");
    let ascending = ids(&server.json(&format!("{ITEMS}?sortby=%2Bupdated,title&limit=100")).await);
    assert_eq!(ascending.first(), ids(&sorted).last());

    // One record: GeoJSON with its ISO alternate; HTML pages.
    let record = server.json(&format!("{ITEMS}/{PLU}")).await;
    assert_eq!(record["properties"]["title"], "Plan local d'urbanisme de Surcamps");
    assert_eq!(record["geometry"]["type"], "Polygon");
    let iso = record["links"].as_array().unwrap().iter().find(|l| l["type"] == "application/xml").unwrap()["href"].as_str().unwrap().to_string();
    let iso = reqwest::get(&iso).await.unwrap().text().await.unwrap();
    assert!(iso.contains(PLU) && iso.contains("gmd:MD_Metadata"), "{iso}");
    for path in [format!("{ITEMS}?f=html&q=plu"), format!("{ITEMS}/{PLU}?f=html"), "/collections/catalogue?f=html".to_string(), "/collections?f=html".to_string()] {
        let res = server.get(&path).await;
        assert_eq!(res.status(), 200, "{path}");
        let body = res.text().await.unwrap();
        assert!(body.contains("Surcamps") || body.contains("Catalogue"), "{path}");
    }
}

#[tokio::test]
async fn records_errors_are_problem_details() {
    let server = common::start().await;
    problem(&server, &format!("{ITEMS}/no-such-record"), 404).await;
    let p = problem(&server, &format!("{ITEMS}?filter={}", urlencode("title = ")), 400).await;
    assert!(p["detail"].as_str().unwrap().contains("filter"), "{p}");
    problem(&server, &format!("{ITEMS}?filter={}", urlencode("no_such_queryable = 1")), 400).await;
    problem(&server, &format!("{ITEMS}?filter={}", urlencode("S_TOUCHES(geometry, POINT(1 2))")), 400).await;
    problem(&server, &format!("{ITEMS}?bbox=1,2,3"), 400).await;
    problem(&server, &format!("{ITEMS}?datetime=yesterday"), 400).await;
    problem(&server, &format!("{ITEMS}?limit=0"), 400).await;
    let p = problem(&server, &format!("{ITEMS}?sortby=-nonsense"), 400).await;
    assert!(p["detail"].as_str().unwrap().contains("sortables"), "{p}");
    problem(&server, &format!("{ITEMS}?sortby=description"), 400).await;
    problem(&server, &format!("{ITEMS}/ossature-communes?limit=3"), 400).await;
}

#[test]
fn a_layer_cannot_take_the_catalogue_id() {
    let text = "[sources.demo]\ntype = \"geopackage\"\npath = \"../demo/demo.gpkg\"\n\n[[layers]]\nid = \"catalogue\"\nsource = \"demo\"\ntable = \"communes\"\n";
    let e = ossature::config::Config::parse(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad.toml"), text.to_string()).unwrap_err().to_string();
    assert!(e.contains("layers[0].id: 'catalogue' is the catalogue's collection id"), "{e}");
}

fn urlencode(s: &str) -> String {
    form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
