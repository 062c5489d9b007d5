//! Editing through OGC API Features Part 4, over GeoPackage (a copy of the demo's) and PostGIS
//! (a table of its own per test): the create / replace / update / delete cycle with ETags,
//! atomic batches, schema and rights refusals, the audit rows, and the tile cache of the
//! edited area.

mod common;

use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use geozero::mvt::Message;
use reqwest::Method;
use serde_json::{Value, json};

/// Nina's area, Lambert-93: the north of the demo area.
const NORTH: &str = "POLYGON((690000 7060900, 705000 7060900, 705000 7066000, 690000 7066000, 690000 7060900))";
const L93: &str = "<http://www.opengis.net/def/crs/EPSG/0/2154>";

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    /// Reads the layers, may not write.
    Reader,
    /// May write everywhere.
    Editor,
    /// May write in the north only.
    North,
    /// Another member of carol's group.
    Colleague,
    /// Moderates the layers when they are moderated.
    Moderator,
}

struct Server {
    base: String,
    client: reqwest::Client,
    state: ossature::http::AppState,
    gpkg: PathBuf,
    /// The layers under test: (id, source) for the GeoPackage copy and, when available, PostGIS.
    layers: Vec<(String, Source)>,
}

#[derive(Clone, Copy, Debug, PartialEq)]
enum Source {
    Gpkg,
    Pg,
}

async fn pg_pool() -> sqlx::PgPool {
    sqlx::PgPool::connect(&std::env::var("OSSATURE_TEST_PG").unwrap()).await.unwrap()
}

/// A copy of the demo GeoPackage and a fresh PostGIS table (titre required), for one test;
/// `moderated`: contributions to them wait for a moderator.
async fn start(name: &str, moderated: bool) -> Server {
    start_with(name, "", moderated).await
}

/// `start`, with `layer_lines` added to the configuration of each edited layer.
async fn start_with(name: &str, layer_lines: &str, moderated: bool) -> Server {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let gpkg = std::env::temp_dir().join(format!("ossature-edit-{name}-{}.gpkg", std::process::id()));
    std::fs::copy(root.join("demo/demo.gpkg"), &gpkg).unwrap();
    let hash = |p: &str| ossature::access::hash_password(p).unwrap();
    let pg_table = format!("edit_{name}");
    let pg_layer = format!("pg_{name}");
    let mut layers = vec![("sig".to_string(), Source::Gpkg)];
    let mut text = format!(
        r#"[server]
bind = "127.0.0.1:0"

[sources.copy]
type = "geopackage"
path = "{}"

[[layers]]
id = "communes"
source = "copy"
table = "communes"

[[layers]]
id = "sig"
source = "copy"
table = "signalements"
{layer_lines}
"#,
        gpkg.display()
    );
    if common::has_pg() {
        let pool = pg_pool().await;
        for q in [
            format!("DROP TABLE IF EXISTS {pg_table}"),
            format!("CREATE TABLE {pg_table} (id serial PRIMARY KEY, titre varchar NOT NULL, description varchar, statut varchar, auteur varchar, date date, geom geometry(Point, 2154))"),
            format!("INSERT INTO {pg_table} (titre, description, statut, auteur, date, geom) SELECT titre, description, statut, auteur, date, geom FROM signalements ORDER BY id"),
            format!("CREATE INDEX ON {pg_table} USING gist (geom)"),
            // The audit rows of earlier runs name the same layer and ids.
            format!("DO $$ BEGIN IF to_regclass('ossature_audit') IS NOT NULL THEN DELETE FROM ossature_audit WHERE layer = '{pg_layer}'; END IF; END $$"),
        ] {
            sqlx::query(sqlx::AssertSqlSafe(q)).execute(&pool).await.unwrap();
        }
        layers.push((pg_layer.clone(), Source::Pg));
        text.push_str(&format!("\n[sources.pg]\ntype = \"postgis\"\nurl = \"${{OSSATURE_TEST_PG}}\"\n\n[[layers]]\nid = \"{pg_layer}\"\nsource = \"pg\"\ntable = \"{pg_table}\"\n{layer_lines}\n"));
    }
    text.push_str(&format!(
        r#"
[access]
realm = "Edit realm"

[[access.users]]
name = "rita"
password = "{r}"
groups = ["lecteurs"]

[[access.users]]
name = "carol"
password = "{c}"
groups = ["contributeurs"]

[[access.users]]
name = "nina"
password = "{n}"
groups = ["nord"]

[[access.rules]]
group = "anonymous"
layers = ["communes"]

[[access.rules]]
group = "lecteurs"
layers = ["sig", "{pg_layer}"]

[[access.rules]]
group = "contributeurs"
layers = ["sig", "{pg_layer}"]
right = "write"

[[access.users]]
name = "dan"
password = "{d}"
groups = ["contributeurs"]

[[access.users]]
name = "mona"
password = "{m}"
groups = ["moderateurs"]

[[access.rules]]
group = "nord"
layers = ["sig", "{pg_layer}"]
right = "write"
area = {{ wkt = "{NORTH}", crs = "EPSG:2154" }}

[[access.rules]]
group = "moderateurs"
layers = ["sig", "{pg_layer}"]
right = "write"
"#,
        r = hash("rita-pw"),
        c = hash("carol-pw"),
        n = hash("nina-pw"),
        d = hash("dan-pw"),
        m = hash("mona-pw"),
    ));
    if moderated {
        for (layer, _) in &layers {
            text.push_str(&format!(
                "\n[[access.moderation]]\nlayer = \"{layer}\"\nmoderators = [\"moderateurs\"]\nstatus = \"statut\"\nauthor = \"auteur\"\ninitial = \"en attente\"\npublished = [\"publié\", \"résolu\"]\n"
            ));
        }
    }
    let config = ossature::config::Config::parse(&root.join("tests/editing.toml"), text).expect("editing test config is valid");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ossature::http::build_state(&config, addr).await.expect("registry builds");
    let app = ossature::http::app(state.clone());
    tokio::spawn(async move { axum::serve(listener, axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(app)).await.unwrap() });
    Server { base: format!("http://{addr}"), client: reqwest::Client::new(), state, gpkg, layers }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(&self.gpkg);
    }
}

impl Server {
    fn request(&self, who: Who, method: Method, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.request(method, format!("{}{path}", self.base));
        match who {
            Who::Anonymous => r,
            Who::Reader => r.basic_auth("rita", Some("rita-pw")),
            Who::Editor => r.basic_auth("carol", Some("carol-pw")),
            Who::North => r.basic_auth("nina", Some("nina-pw")),
            Who::Colleague => r.basic_auth("dan", Some("dan-pw")),
            Who::Moderator => r.basic_auth("mona", Some("mona-pw")),
        }
    }

    /// Sends a JSON body in Lambert-93 coordinates.
    async fn send(&self, who: Who, method: Method, path: &str, body: &Value, if_match: Option<&str>) -> reqwest::Response {
        let mut r = self.request(who, method, path).header("content-crs", L93).body(body.to_string());
        if let Some(e) = if_match {
            r = r.header("if-match", e);
        }
        r.send().await.unwrap()
    }

    async fn get(&self, who: Who, path: &str) -> reqwest::Response {
        self.request(who, Method::GET, path).send().await.unwrap()
    }

    async fn tile(&self, path: &str) -> Vec<String> {
        let res = self.get(Who::Editor, path).await;
        let status = res.status().as_u16();
        tile_titles(status, &res.bytes().await.unwrap())
    }

    async fn titles(&self, layer: &str) -> Vec<String> {
        let page: Value = self.get(Who::Editor, &format!("/collections/{layer}/items?limit=1000")).await.json().await.unwrap();
        let mut t: Vec<String> = page["features"].as_array().unwrap().iter().map(|f| f["properties"]["titre"].as_str().unwrap_or("").to_string()).collect();
        t.sort();
        t
    }

    /// The audit rows of one feature: (who, operation, before, after), oldest first.
    async fn audit(&self, layer: &str, source: Source, fid: &str) -> Vec<(String, String, Option<String>, Option<String>)> {
        let q = "SELECT who, operation, before, after FROM ossature_audit WHERE layer = $1 AND feature_id = $2 ORDER BY id";
        match source {
            Source::Pg => sqlx::query_as(q).bind(layer).bind(fid).fetch_all(&pg_pool().await).await.unwrap(),
            Source::Gpkg => {
                let pool = sqlx::SqlitePool::connect(&format!("sqlite://{}", self.gpkg.display())).await.unwrap();
                sqlx::query_as(q).bind(layer).bind(fid).fetch_all(&pool).await.unwrap()
            }
        }
    }
}

fn feature(titre: Value, x: f64, y: f64) -> Value {
    json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [x, y] },
            "properties": { "titre": titre, "description": "posé par le test", "statut": "en attente", "date": "2026-11-29" } })
}

fn etag(res: &reqwest::Response) -> String {
    res.headers()["etag"].to_str().unwrap().to_string()
}

#[tokio::test]
async fn create_replace_update_delete_with_versions_and_audit() {
    let s = start("cycle", false).await;
    for (layer, source) in s.layers.clone() {
        let layer = layer.as_str();
        let items = format!("/collections/{layer}/items");
        let res = s.send(Who::Editor, Method::POST, &items, &feature(json!("Banc cassé"), 697000.0, 7063000.0), None).await;
        assert_eq!(res.status(), 201, "{layer}: {}", res.text().await.unwrap());
        let location = res.headers()["location"].to_str().unwrap().to_string();
        let created = etag(&res);
        let path = location.strip_prefix(&s.base).unwrap().to_string();
        let fid = path.rsplit('/').next().unwrap().to_string();
        let got = s.get(Who::Editor, &path).await;
        assert_eq!(etag(&got), created, "{layer}: the ETag of GET is the version POST returned");
        let body: Value = got.json().await.unwrap();
        assert_eq!(body["properties"]["titre"], "Banc cassé");
        let lon = body["geometry"]["coordinates"][0].as_f64().unwrap();
        assert!((lon - 2.957643).abs() < 1e-5, "{layer}: stored in Lambert-93, read back in CRS84: {body}");

        // PATCH with the current version; then the old version is stale (412).
        let patch = json!({ "properties": { "statut": "traité", "description": null } });
        let res = s.send(Who::Editor, Method::PATCH, &path, &patch, Some(&created)).await;
        assert_eq!(res.status(), 204, "{layer}");
        let patched = etag(&res);
        assert_ne!(patched, created);
        let res = s.send(Who::Editor, Method::PATCH, &path, &json!({ "properties": { "statut": "rejeté" } }), Some(&created)).await;
        assert_eq!(res.status(), 412, "{layer}: stale version");
        let body: Value = s.get(Who::Editor, &path).await.json().await.unwrap();
        assert_eq!(body["properties"]["statut"], "traité");
        assert_eq!(body["properties"]["description"], Value::Null);
        assert_eq!(body["properties"]["titre"], "Banc cassé", "PATCH leaves other properties");

        // PUT replaces the whole feature: properties it leaves out are cleared.
        let replacement = json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [697100.0, 7063100.0] }, "properties": { "titre": "Banc réparé" } });
        let res = s.send(Who::Editor, Method::PUT, &path, &replacement, Some(&patched)).await;
        assert_eq!(res.status(), 204, "{layer}: {}", res.text().await.unwrap_or_default());
        let body: Value = s.get(Who::Editor, &path).await.json().await.unwrap();
        assert_eq!(body["properties"]["titre"], "Banc réparé");
        assert_eq!(body["properties"]["statut"], Value::Null);

        let res = s.request(Who::Editor, Method::DELETE, &path).header("if-match", &patched).send().await.unwrap();
        assert_eq!(res.status(), 412, "{layer}: delete with a stale version");
        let res = s.request(Who::Editor, Method::DELETE, &path).send().await.unwrap();
        assert_eq!(res.status(), 204, "{layer}");
        assert_eq!(s.get(Who::Editor, &path).await.status(), 404);
        assert_eq!(s.request(Who::Editor, Method::DELETE, &path).send().await.unwrap().status(), 404);

        // Who did what, with the feature before and after, refused edits left out.
        let audit = s.audit(layer, source, &fid).await;
        let ops: Vec<(&str, &str)> = audit.iter().map(|(w, o, _, _)| (w.as_str(), o.as_str())).collect();
        assert_eq!(ops, [("carol", "insert"), ("carol", "update"), ("carol", "replace"), ("carol", "delete")], "{layer}");
        assert!(audit[0].2.is_none() && audit[3].3.is_none());
        let before: Value = serde_json::from_str(audit[1].2.as_deref().unwrap()).unwrap();
        let after: Value = serde_json::from_str(audit[1].3.as_deref().unwrap()).unwrap();
        assert_eq!((before["properties"]["statut"].as_str(), after["properties"]["statut"].as_str()), (Some("en attente"), Some("traité")));
        assert_eq!(after["geometry"]["type"], "Point");
    }
}

#[tokio::test]
async fn an_invalid_feature_changes_nothing() {
    let s = start("invalid", false).await;
    for (layer, source) in s.layers.clone() {
        let layer = layer.as_str();
        let items = format!("/collections/{layer}/items");
        let before = s.titles(layer).await;
        let batch = |bad: Value| json!({ "type": "FeatureCollection", "features": [
            feature(json!("Premier"), 697000.0, 7063000.0), bad, feature(json!("Troisième"), 697200.0, 7063000.0) ] });
        let line = json!({ "type": "Feature", "geometry": { "type": "LineString", "coordinates": [[697000.0, 7063000.0], [697100.0, 7063000.0]] }, "properties": { "titre": "Ligne" } });
        let mut unknown = feature(json!("Inconnu"), 697000.0, 7063000.0);
        unknown["properties"]["priorite"] = json!(3);
        let mut cases = vec![("wrong type", feature(json!(12), 697000.0, 7063000.0)), ("wrong geometry type", line), ("unknown property", unknown)];
        if source == Source::Pg {
            let mut missing = feature(json!("x"), 697000.0, 7063000.0);
            missing["properties"].as_object_mut().unwrap().remove("titre");
            cases.push(("missing required value", missing));
        }
        for (what, bad) in cases {
            let res = s.send(Who::Editor, Method::POST, &items, &batch(bad), None).await;
            assert_eq!(res.status(), 422, "{layer}: {what}");
            let problem: Value = res.json().await.unwrap();
            assert!(problem["detail"].as_str().is_some_and(|d| !d.is_empty()), "{layer}: {what}: {problem}");
        }
        let res = s.request(Who::Editor, Method::POST, &items).body("{\"type\": \"Feature\", ").send().await.unwrap();
        assert_eq!(res.status(), 400, "{layer}: malformed JSON");
        assert_eq!(s.titles(layer).await, before, "{layer}: nothing was inserted");
        // The same batch without the bad feature goes in whole.
        let good = json!({ "type": "FeatureCollection", "features": [feature(json!("Premier"), 697000.0, 7063000.0), feature(json!("Troisième"), 697200.0, 7063000.0)] });
        let res = s.send(Who::Editor, Method::POST, &items, &good, None).await;
        assert_eq!(res.status(), 201);
        let created: Value = res.json().await.unwrap();
        assert_eq!(created["created"].as_array().unwrap().len(), 2);
        assert_eq!(s.titles(layer).await.len(), before.len() + 2);
    }
}

#[tokio::test]
async fn rights_decide_who_edits_what_and_where() {
    let s = start("rights", false).await;
    // Anonymous callers may read communes, which no group may edit: not allowed for anyone.
    let res = s.send(Who::Anonymous, Method::POST, "/collections/communes/items", &feature(json!("x"), 697000.0, 7063000.0), None).await;
    assert_eq!(res.status(), 405);
    // A layer some group edits: a login may help.
    let res = s.send(Who::Anonymous, Method::POST, "/collections/sig/items", &feature(json!("x"), 697000.0, 7063000.0), None).await;
    assert_eq!(res.status(), 401);
    assert!(res.headers()["www-authenticate"].to_str().unwrap().starts_with("Basic realm=\"Edit realm\""));
    // The right is decided before the body is read.
    let res = s.request(Who::Anonymous, Method::POST, "/collections/sig/items").body("{").send().await.unwrap();
    assert_eq!(res.status(), 401);
    let res = s.request(Who::Reader, Method::POST, "/collections/sig/items").body("{").send().await.unwrap();
    assert_eq!(res.status(), 403);
    for (layer, _) in s.layers.clone() {
        let layer = layer.as_str();
        let items = format!("/collections/{layer}/items");
        let inside = feature(json!("Au nord"), 697000.0, 7063000.0);
        let outside = feature(json!("À Lille"), 703500.0, 7059000.0);
        assert_eq!(s.send(Who::Anonymous, Method::POST, &items, &inside, None).await.status(), 401, "{layer}");
        assert_eq!(s.send(Who::Reader, Method::POST, &items, &inside, None).await.status(), 403, "{layer}: read right only");
        let res = s.send(Who::North, Method::POST, &items, &outside, None).await;
        assert_eq!(res.status(), 403, "{layer}: outside nina's area");
        let res = s.send(Who::North, Method::POST, &items, &inside, None).await;
        assert_eq!(res.status(), 201, "{layer}");
        let path = res.headers()["location"].to_str().unwrap().strip_prefix(&s.base).unwrap().to_string();
        // Moving it out of the area is refused too, and changes nothing.
        let away = json!({ "geometry": { "type": "Point", "coordinates": [703500.0, 7059000.0] } });
        assert_eq!(s.send(Who::North, Method::PATCH, &path, &away, None).await.status(), 403, "{layer}");
        let body: Value = s.get(Who::North, &path).await.json().await.unwrap();
        assert!((body["geometry"]["coordinates"][0].as_f64().unwrap() - 2.957643).abs() < 1e-5);
        // A feature outside her area is not hers to see, nor to change.
        let all: Value = s.get(Who::Editor, &format!("{items}?limit=100")).await.json().await.unwrap();
        let lille = all["features"].as_array().unwrap().iter().find(|f| f["properties"]["titre"] == "Trottoir dégradé").unwrap()["id"].to_string();
        let lille = format!("{items}/{lille}");
        assert_eq!(s.send(Who::North, Method::PATCH, &lille, &json!({ "properties": { "statut": "traité" } }), None).await.status(), 404, "{layer}");
        assert_eq!(s.request(Who::North, Method::DELETE, &lille).send().await.unwrap().status(), 404, "{layer}");
        assert_eq!(s.request(Who::Reader, Method::DELETE, &lille).send().await.unwrap().status(), 403, "{layer}");
        assert_eq!(s.get(Who::Editor, &lille).await.status(), 200, "{layer}: still there");
    }
    // Part 4 is declared, and its operations described, only to callers who may edit.
    let classes = |v: Value| v["conformsTo"].as_array().unwrap().iter().any(|c| c.as_str().unwrap().contains("ogcapi-features-4"));
    assert!(classes(s.get(Who::Editor, "/conformance").await.json().await.unwrap()));
    assert!(!classes(s.get(Who::Reader, "/conformance").await.json().await.unwrap()));
    let api: Value = s.get(Who::Editor, "/api?f=json").await.json().await.unwrap();
    assert!(api["paths"]["/collections/sig/items"].get("post").is_some());
    assert!(api["paths"]["/collections/sig/items/{featureId}"].get("patch").is_some());
    assert!(api["paths"]["/collections/communes/items"].get("post").is_none());
    // Without `require_if_match`, If-Match stays optional.
    let patch = &api["paths"]["/collections/sig/items/{featureId}"]["patch"];
    assert!(patch["responses"].get("428").is_none() && patch["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "If-Match" && p["required"] == false), "{patch}");
    let api: Value = s.get(Who::Reader, "/api?f=json").await.json().await.unwrap();
    assert!(api["paths"]["/collections/sig/items"].get("post").is_none());
}

#[tokio::test]
async fn if_match_required_refuses_unconditional_changes_with_428() {
    let s = start_with("ifmatch", "require_if_match = true", false).await;
    for (layer, _) in s.layers.clone() {
        let layer = layer.as_str();
        // Creating needs no version.
        let res = s.send(Who::Editor, Method::POST, &format!("/collections/{layer}/items"), &feature(json!("Banc"), 697000.0, 7063000.0), None).await;
        assert_eq!(res.status(), 201, "{layer}");
        let created = etag(&res);
        let path = res.headers()["location"].to_str().unwrap().strip_prefix(&s.base).unwrap().to_string();
        let patch = json!({ "properties": { "statut": "traité" } });
        let replacement = feature(json!("Banc neuf"), 697000.0, 7063000.0);
        for if_match in [None, Some("*")] {
            for (method, body) in [(Method::PATCH, Some(&patch)), (Method::PUT, Some(&replacement)), (Method::DELETE, None)] {
                let res = match body {
                    Some(b) => s.send(Who::Editor, method.clone(), &path, b, if_match).await,
                    None => {
                        let mut r = s.request(Who::Editor, method.clone(), &path);
                        if let Some(e) = if_match {
                            r = r.header("if-match", e);
                        }
                        r.send().await.unwrap()
                    }
                };
                assert_eq!(res.status(), 428, "{layer}: {method} with If-Match {if_match:?}");
                assert_eq!(res.headers()["content-type"], "application/problem+json");
                let problem: Value = res.json().await.unwrap();
                assert!(problem["detail"].as_str().is_some_and(|d| d.contains("If-Match") && d.contains(layer)), "{problem}");
            }
        }
        // The right rights are still checked first: a reader gets 403, not 428.
        assert_eq!(s.send(Who::Reader, Method::PATCH, &path, &patch, None).await.status(), 403, "{layer}");
        let body: Value = s.get(Who::Editor, &path).await.json().await.unwrap();
        assert_eq!((body["properties"]["titre"].as_str(), body["properties"]["statut"].as_str()), (Some("Banc"), Some("en attente")), "{layer}: nothing changed");

        // With the feature's ETag the change goes through; the old ETag is then stale.
        let res = s.send(Who::Editor, Method::PATCH, &path, &patch, Some(&created)).await;
        assert_eq!(res.status(), 204, "{layer}");
        let patched = etag(&res);
        assert_eq!(s.send(Who::Editor, Method::PUT, &path, &replacement, Some(&created)).await.status(), 412, "{layer}");
        let res = s.send(Who::Editor, Method::PUT, &path, &replacement, Some(&patched)).await;
        assert_eq!(res.status(), 204, "{layer}");
        let replaced = etag(&res);
        assert_eq!(s.request(Who::Editor, Method::DELETE, &path).header("if-match", &patched).send().await.unwrap().status(), 412, "{layer}");
        assert_eq!(s.request(Who::Editor, Method::DELETE, &path).header("if-match", &replaced).send().await.unwrap().status(), 204, "{layer}");
        assert_eq!(s.get(Who::Editor, &path).await.status(), 404, "{layer}");

        // WFS-T has no If-Match: its transactions are unaffected.
        let body = format!(
            r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Delete typeName="ossature:{layer}"><fes:Filter><fes:PropertyIsEqualTo><fes:ValueReference>titre</fes:ValueReference><fes:Literal>Trottoir dégradé</fes:Literal></fes:PropertyIsEqualTo></fes:Filter></wfs:Delete></wfs:Transaction>"#
        );
        let (status, xml) = s.wfs(Who::Editor, body).await;
        assert!(status == 200 && xml.contains("<wfs:totalDeleted>1</wfs:totalDeleted>"), "{layer}: {xml}");
    }
    // The API document says so.
    let api: Value = s.get(Who::Editor, "/api?f=json").await.json().await.unwrap();
    for verb in ["put", "patch", "delete"] {
        let op = &api["paths"]["/collections/sig/items/{featureId}"][verb];
        assert!(op["responses"].get("428").is_some(), "{verb}: {op}");
        assert!(op["parameters"].as_array().unwrap().iter().any(|p| p["name"] == "If-Match" && p["required"] == true), "{verb}: {op}");
    }
}

/// Feature titles of an MVT tile (empty for 204).
fn tile_titles(res_status: u16, bytes: &[u8]) -> Vec<String> {
    if res_status == 204 {
        return Vec::new();
    }
    assert_eq!(res_status, 200);
    let tile = geozero::mvt::Tile::decode(bytes).unwrap();
    let mut out = Vec::new();
    for layer in &tile.layers {
        let key = layer.keys.iter().position(|k| k == "titre").unwrap();
        for f in &layer.features {
            out.extend(f.tags.chunks(2).find(|kv| kv[0] as usize == key).and_then(|kv| layer.values[kv[1] as usize].string_value.clone()));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn cached_tiles_of_the_edited_area_change() {
    let s = start("tiles", false).await;
    for (layer, _) in s.layers.clone() {
        let layer = layer.as_str();
        // 14/5511/8330 holds Lille's "Trottoir dégradé"; 14/5509/8326 is in the north.
        let near = format!("/collections/{layer}/tiles/WebMercatorQuad/14/5511/8330");
        let far = format!("/collections/{layer}/tiles/WebMercatorQuad/14/5509/8326");
        let before = s.tile(&near).await;
        assert!(before.contains(&"Trottoir dégradé".to_string()), "{layer}: {before:?}");
        s.tile(&far).await;
        let rendered = s.state.registry.tiles.renders();
        // Cached now: asking again renders nothing.
        assert_eq!(s.tile(&near).await, before);
        assert_eq!(s.state.registry.tiles.renders(), rendered);
        let res = s.send(Who::Editor, Method::POST, &format!("/collections/{layer}/items"), &feature(json!("Poubelle renversée"), 703510.0, 7059310.0), None).await;
        assert_eq!(res.status(), 201);
        let after = s.tile(&near).await;
        assert!(after.contains(&"Poubelle renversée".to_string()), "{layer}: the cached tile was dropped: {after:?}");
        assert_eq!(s.state.registry.tiles.renders(), rendered + 1, "{layer}: only the edited area is rendered again");
        s.tile(&far).await;
        assert_eq!(s.state.registry.tiles.renders(), rendered + 1, "{layer}: the tile far from the edit stayed cached");
    }
}

const WFS2: &str = r#"xmlns:wfs="http://www.opengis.net/wfs/2.0" xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2" xmlns:ossature="https://ossature.org/features""#;

impl Server {
    async fn wfs(&self, who: Who, body: String) -> (u16, String) {
        let res = self.request(who, Method::POST, "/wfs").header("content-type", "text/xml").body(body).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }
}

#[tokio::test]
async fn wfs_transactions_insert_update_replace_delete() {
    let s = start("wfst", false).await;
    for (layer, source) in s.layers.clone() {
        let layer = layer.as_str();
        let insert = |titre: &str, x: f64| {
            format!(
                r#"<ossature:{layer}><ossature:titre>{titre}</ossature:titre><ossature:statut>en attente</ossature:statut><ossature:date>2026-11-29</ossature:date>
                <ossature:geom><gml:Point srsName="urn:ogc:def:crs:EPSG::2154"><gml:pos>{x} 7063000</gml:pos></gml:Point></ossature:geom></ossature:{layer}>"#
            )
        };
        let body = format!(r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Insert>{}{}</wfs:Insert></wfs:Transaction>"#, insert("Lampadaire", 697000.0), insert("Borne", 697050.0));
        let (status, xml) = s.wfs(Who::Editor, body.clone()).await;
        assert_eq!(status, 200, "{layer}: {xml}");
        assert!(xml.contains("<wfs:totalInserted>2</wfs:totalInserted>"), "{xml}");
        let rids: Vec<String> = xml.split("rid=\"").skip(1).map(|r| r.split('"').next().unwrap().to_string()).collect();
        assert_eq!(rids.len(), 2, "{xml}");
        let fid = rids[0].strip_prefix(&format!("{layer}.")).unwrap().to_string();
        let item: Value = s.get(Who::Editor, &format!("/collections/{layer}/items/{fid}")).await.json().await.unwrap();
        assert_eq!(item["properties"]["titre"], "Lampadaire");
        // A read-only caller is refused, an anonymous one asked to log in; nothing changes.
        let (status, xml) = s.wfs(Who::Reader, body.clone()).await;
        assert_eq!(status, 403, "{xml}");
        assert!(xml.contains("exceptionCode=\"OperationProcessingFailed\""), "{xml}");
        let (status, xml) = s.wfs(Who::Anonymous, body.clone()).await;
        assert_eq!(status, 401, "{xml}");
        assert_eq!(s.titles(layer).await.iter().filter(|t| *t == "Lampadaire").count(), 1);

        let update = format!(
            r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Update typeName="ossature:{layer}"><wfs:Property><wfs:ValueReference>statut</wfs:ValueReference><wfs:Value>traité</wfs:Value></wfs:Property>
            <fes:Filter><fes:ResourceId rid="{}"/><fes:ResourceId rid="{}"/></fes:Filter></wfs:Update>
            <wfs:Delete typeName="ossature:{layer}"><fes:Filter><fes:ResourceId rid="{}"/></fes:Filter></wfs:Delete></wfs:Transaction>"#,
            rids[0], rids[1], rids[1]
        );
        let (status, xml) = s.wfs(Who::Editor, update).await;
        assert_eq!(status, 200, "{xml}");
        assert!(xml.contains("<wfs:totalUpdated>2</wfs:totalUpdated>") && xml.contains("<wfs:totalDeleted>1</wfs:totalDeleted>"), "{xml}");
        let item: Value = s.get(Who::Editor, &format!("/collections/{layer}/items/{fid}")).await.json().await.unwrap();
        assert_eq!(item["properties"]["statut"], "traité");

        // One invalid value: the whole transaction is refused with InvalidValue.
        let bad = format!(
            r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Insert>{}</wfs:Insert><wfs:Update typeName="ossature:{layer}"><wfs:Property><wfs:ValueReference>date</wfs:ValueReference><wfs:Value>pas une date</wfs:Value></wfs:Property>
            <fes:Filter><fes:ResourceId rid="{}"/></fes:Filter></wfs:Update></wfs:Transaction>"#,
            insert("Jamais", 697100.0),
            rids[0]
        );
        let (status, xml) = s.wfs(Who::Editor, bad).await;
        assert_eq!(status, 400, "{xml}");
        assert!(xml.contains("exceptionCode=\"InvalidValue\""), "{xml}");
        assert!(!s.titles(layer).await.contains(&"Jamais".to_string()));

        let replace = format!(
            r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Replace>{}<fes:Filter><fes:ResourceId rid="{}"/></fes:Filter></wfs:Replace></wfs:Transaction>"#,
            insert("Lampadaire neuf", 697000.0),
            rids[0]
        );
        let (status, xml) = s.wfs(Who::Editor, replace).await;
        assert!(status == 200 && xml.contains("<wfs:totalReplaced>1</wfs:totalReplaced>"), "{xml}");
        let item: Value = s.get(Who::Editor, &format!("/collections/{layer}/items/{fid}")).await.json().await.unwrap();
        assert_eq!((item["properties"]["titre"].as_str(), item["properties"]["description"].as_str()), (Some("Lampadaire neuf"), None));

        // WFS 1.1.0, as QGIS sends it.
        let v11 = format!(
            r#"<wfs:Transaction service="WFS" version="1.1.0" xmlns:wfs="http://www.opengis.net/wfs" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" xmlns:ossature="https://ossature.org/features">
            <wfs:Update typeName="ossature:{layer}"><wfs:Property><wfs:Name>ossature:geom</wfs:Name><wfs:Value><gml:Point srsName="EPSG:2154"><gml:pos>697010 7063010</gml:pos></gml:Point></wfs:Value></wfs:Property>
            <ogc:Filter><ogc:FeatureId fid="{}"/></ogc:Filter></wfs:Update></wfs:Transaction>"#,
            rids[0]
        );
        let (status, xml) = s.wfs(Who::Editor, v11).await;
        assert_eq!(status, 200, "{xml}");
        assert!(xml.contains("<wfs:totalUpdated>1</wfs:totalUpdated>"), "{xml}");
        let audit = s.audit(layer, source, &fid).await;
        let ops: Vec<&str> = audit.iter().map(|(_, o, _, _)| o.as_str()).collect();
        assert_eq!(ops, ["insert", "update", "replace", "update"], "{layer}");

        // WFS 1.0.0 with GML 2 coordinates, as ArcGIS and older web clients write it: answered
        // with the 1.0.0 WFS_TransactionResponse.
        let v10 = format!(
            r#"<wfs:Transaction service="WFS" version="1.0.0" xmlns:wfs="http://www.opengis.net/wfs" xmlns:gml="http://www.opengis.net/gml" xmlns:ossature="https://ossature.org/features">
            <wfs:Insert><ossature:{layer}><ossature:titre>Borne GML 2</ossature:titre><ossature:geom><gml:Point srsName="EPSG:2154"><gml:coordinates decimal="." cs="," ts=" ">697020,7063020</gml:coordinates></gml:Point></ossature:geom></ossature:{layer}></wfs:Insert></wfs:Transaction>"#
        );
        let (status, xml) = s.wfs(Who::Editor, v10).await;
        assert!(status == 200 && xml.contains("<wfs:WFS_TransactionResponse") && xml.contains("<wfs:SUCCESS/>"), "{xml}");
        let page: Value = s.get(Who::Editor, &format!("/collections/{layer}/items?limit=100&crs=http://www.opengis.net/def/crs/EPSG/0/2154")).await.json().await.unwrap();
        let borne = page["features"].as_array().unwrap().iter().find(|f| f["properties"]["titre"] == "Borne GML 2").expect("inserted");
        assert_eq!(borne["geometry"]["coordinates"], json!([697020, 7063020]), "{layer}");
    }
    // Transaction is announced to callers who may edit, only.
    let s = &s;
    let caps = |who| async move { s.get(who, "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities").await.text().await.unwrap() };
    let editor = caps(Who::Editor).await;
    assert!(editor.contains("name=\"Transaction\"") && editor.contains("ImplementsTransactionalWFS"), "{editor}");
    assert!(editor.contains("<ows:Name>ImplementsTransactionalWFS</ows:Name>") || editor.contains("name=\"ImplementsTransactionalWFS\""));
    let reader = caps(Who::Reader).await;
    assert!(!reader.contains("name=\"Transaction\""));
}

/// How many features `who` sees in `layer`.
async fn matched(s: &Server, who: Who, layer: &str) -> u64 {
    let page: Value = s.get(who, &format!("/collections/{layer}/items?limit=1")).await.json().await.unwrap();
    page["numberMatched"].as_u64().unwrap()
}

#[tokio::test]
async fn moderated_contributions_wait_for_a_moderator() {
    let s = start("moderation", true).await;
    for (layer, _) in s.layers.clone() {
        let layer = layer.as_str();
        let items = format!("/collections/{layer}/items");
        // The demo's 12 reports: 9 published or resolved, 3 waiting, by other authors; rita
        // only reads the layer.
        assert_eq!(matched(&s, Who::Reader, layer).await, 9, "{layer}");
        assert_eq!(matched(&s, Who::Editor, layer).await, 9, "{layer}");
        assert_eq!(matched(&s, Who::Moderator, layer).await, 12, "{layer}");

        // A contributor cannot publish, nor sign for someone else; the server writes both.
        let mut published = feature(json!("Lampadaire éteint"), 703510.0, 7059310.0);
        published["properties"]["statut"] = json!("publié");
        let res = s.send(Who::Editor, Method::POST, &items, &published, None).await;
        assert_eq!(res.status(), 403, "{layer}");
        assert!(res.text().await.unwrap().contains("only moderators change 'statut'"));
        let mut forged = feature(json!("Lampadaire éteint"), 703510.0, 7059310.0);
        forged["properties"]["auteur"] = json!("dan");
        assert_eq!(s.send(Who::Editor, Method::POST, &items, &forged, None).await.status(), 403, "{layer}");
        let mut blank = feature(json!("Lampadaire éteint"), 703510.0, 7059310.0);
        blank["properties"]["statut"] = json!("");
        blank["properties"]["auteur"] = Value::Null;
        let res = s.send(Who::Editor, Method::POST, &items, &blank, None).await;
        assert_eq!(res.status(), 201, "{layer}");
        let path = res.headers()["location"].to_str().unwrap().strip_prefix(&s.base).unwrap().to_string();
        let mine: Value = s.get(Who::Editor, &path).await.json().await.unwrap();
        assert_eq!((mine["properties"]["statut"].as_str(), mine["properties"]["auteur"].as_str()), (Some("en attente"), Some("carol")), "{layer}");

        // Until published: the author and the moderators alone, through every face.
        assert_eq!(matched(&s, Who::Editor, layer).await, 10, "{layer}");
        assert_eq!(matched(&s, Who::Reader, layer).await, 9, "{layer}");
        assert_eq!(s.get(Who::Colleague, &path).await.status(), 404, "{layer}");
        assert_eq!(s.get(Who::Moderator, &path).await.status(), 200, "{layer}");
        let tile = format!("/collections/{layer}/tiles/WebMercatorQuad/14/5511/8330");
        let titles = |who| {
            let s = &s;
            let tile = &tile;
            async move {
                let res = s.get(who, tile).await;
                let status = res.status().as_u16();
                tile_titles(status, &res.bytes().await.unwrap())
            }
        };
        let lamp = "Lampadaire éteint".to_string();
        assert!(titles(Who::Editor).await.contains(&lamp), "{layer}: the author's tile");
        assert!(!titles(Who::Colleague).await.contains(&lamp), "{layer}: not in a colleague's tile");
        assert!(!titles(Who::Reader).await.contains(&lamp), "{layer}");
        assert!(titles(Who::Moderator).await.contains(&lamp), "{layer}");
        let wfs = |who| {
            let s = &s;
            async move { s.get(who, &format!("/wfs?service=WFS&version=2.0.0&request=GetFeature&typeNames=ossature:{layer}&outputFormat=application/json")).await.text().await.unwrap() }
        };
        assert!(wfs(Who::Editor).await.contains("Lampadaire"), "{layer}");
        assert!(!wfs(Who::Colleague).await.contains("Lampadaire"), "{layer}");
        let info = |who| {
            let s = &s;
            async move {
                let q = format!("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layer}&QUERY_LAYERS={layer}&STYLES=&CRS=EPSG:2154\
                    &BBOX=703500,7059300,703520,7059320&WIDTH=101&HEIGHT=101&I=50&J=50&INFO_FORMAT=application/json&FORMAT=image/png");
                s.get(who, &q).await.text().await.unwrap()
            }
        };
        assert!(info(Who::Editor).await.contains("Lampadaire"), "{layer}: GetFeatureInfo");
        assert!(!info(Who::Colleague).await.contains("Lampadaire"), "{layer}: GetFeatureInfo");

        // The author edits the text, not the status nor the authorship; others cannot edit it.
        assert_eq!(s.send(Who::Editor, Method::PATCH, &path, &json!({ "properties": { "statut": "publié" } }), None).await.status(), 403, "{layer}");
        assert_eq!(s.send(Who::Editor, Method::PATCH, &path, &json!({ "properties": { "auteur": "dan" } }), None).await.status(), 403, "{layer}");
        assert_eq!(s.send(Who::Editor, Method::PATCH, &path, &json!({ "properties": { "description": "rue de Paris" } }), None).await.status(), 204, "{layer}");

        // A moderator publishes it: everyone sees it, in cached tiles too.
        assert_eq!(s.send(Who::Moderator, Method::PATCH, &path, &json!({ "properties": { "auteur": "mona" } }), None).await.status(), 403, "{layer}");
        assert_eq!(s.send(Who::Moderator, Method::PATCH, &path, &json!({ "properties": { "statut": "publié" } }), None).await.status(), 204, "{layer}");
        assert_eq!(matched(&s, Who::Reader, layer).await, 10, "{layer}");
        assert!(titles(Who::Reader).await.contains(&lamp), "{layer}: the cached tile was dropped");
        assert!(wfs(Who::Colleague).await.contains("Lampadaire"), "{layer}");
        // Published, it is still its author's alone to change; a replacement keeps status and author.
        assert_eq!(s.send(Who::Colleague, Method::PATCH, &path, &json!({ "properties": { "titre": "x" } }), None).await.status(), 403, "{layer}");
        assert_eq!(s.request(Who::Colleague, Method::DELETE, &path).send().await.unwrap().status(), 403, "{layer}");
        let replacement = json!({ "type": "Feature", "geometry": { "type": "Point", "coordinates": [703511.0, 7059311.0] }, "properties": { "titre": "Lampadaire réparé" } });
        assert_eq!(s.send(Who::Editor, Method::PUT, &path, &replacement, None).await.status(), 204, "{layer}");
        let mine: Value = s.get(Who::Reader, &path).await.json().await.unwrap();
        assert_eq!((mine["properties"]["statut"].as_str(), mine["properties"]["auteur"].as_str()), (Some("publié"), Some("carol")), "{layer}");
        assert_eq!(mine["properties"]["description"], Value::Null, "{layer}: the rest is replaced");
        assert_eq!(s.request(Who::Editor, Method::DELETE, &path).send().await.unwrap().status(), 204, "{layer}");
    }
}

#[tokio::test]
async fn moderation_is_checked_at_start_up() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let build = |moderation: &str, anonymous_right: &str| {
        let text = format!(
            "[sources.demo]\ntype = \"geopackage\"\npath = \"{}\"\n\n[[layers]]\nid = \"sig\"\nsource = \"demo\"\ntable = \"signalements\"\n\n\
             [access]\n[[access.rules]]\ngroup = \"anonymous\"\nlayers = [\"sig\"]\nright = \"{anonymous_right}\"\n\n[[access.moderation]]\n{moderation}",
            root.join("demo/demo.gpkg").display()
        );
        let config = ossature::config::Config::parse(&root.join("tests/moderation.toml"), text).expect("parses");
        async move { ossature::http::build_state(&config, "127.0.0.1:0".parse().unwrap()).await.err().map(|e| e.to_string()) }
    };
    let section = |status: &str, moderators: &str, initial: &str| {
        format!("layer = \"sig\"\nmoderators = [{moderators}]\nstatus = \"{status}\"\nauthor = \"auteur\"\ninitial = \"{initial}\"\npublished = [\"publié\"]\n")
    };
    let ok = section("statut", "\"moderateurs\"", "en attente");
    assert_eq!(build(&ok, "read").await, None);
    for (moderation, right, expected) in [
        (section("etat", "\"moderateurs\"", "en attente"), "read", "access.moderation[0].status: 'etat' is not a field of layer 'sig'"),
        (section("date", "\"moderateurs\"", "en attente"), "read", "'date' must be a text field"),
        (section("statut", "\"anonymous\"", "en attente"), "read", "'anonymous' cannot moderate"),
        (section("statut", "", "en attente"), "read", "access.moderation[0].moderators: name at least one group"),
        (section("statut", "\"moderateurs\"", "publié"), "read", "contributions would land published"),
        (ok.replace("\"sig\"", "\"communes\""), "read", "no vector layer 'communes'"),
        (ok.clone(), "write", "its contributors must log in"),
    ] {
        let error = build(&moderation, right).await.unwrap_or_else(|| panic!("accepted: {moderation}"));
        assert!(error.contains(expected), "{error}");
    }
}

/// A feature another client changes between a WFS action's selection and its write: the
/// transaction is refused (409) and the other change stands (lock-free optimistic concurrency).
#[tokio::test]
async fn wfs_transactions_refuse_features_changed_since_their_selection() {
    if !common::has_pg() {
        return;
    }
    let s = start("wfsrace", false).await;
    let (layer, table) = ("pg_wfsrace", "edit_wfsrace");
    let pool = pg_pool().await;
    // Another client holds feature 3 changed but not yet committed: the WFS action selects
    // the committed version, then waits for the row.
    let mut other = pool.begin().await.unwrap();
    sqlx::query(sqlx::AssertSqlSafe(format!("UPDATE {table} SET description = 'changé ailleurs' WHERE id = 3"))).execute(&mut *other).await.unwrap();
    let body = format!(
        r#"<wfs:Transaction service="WFS" version="2.0.0" {WFS2}><wfs:Update typeName="ossature:{layer}"><wfs:Property><wfs:ValueReference>statut</wfs:ValueReference><wfs:Value>traité</wfs:Value></wfs:Property>
        <fes:Filter><fes:ResourceId rid="{layer}.3"/></fes:Filter></wfs:Update></wfs:Transaction>"#
    );
    let request = s.request(Who::Editor, Method::POST, "/wfs").header("content-type", "text/xml").body(body).send();
    let answer = tokio::spawn(request);
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    other.commit().await.unwrap();
    let res = answer.await.unwrap().unwrap();
    let status = res.status().as_u16();
    let xml = res.text().await.unwrap();
    assert_eq!(status, 409, "{xml}");
    assert!(xml.contains("exceptionCode=\"OperationProcessingFailed\"") && xml.contains("has changed"), "{xml}");
    let item: Value = s.get(Who::Editor, &format!("/collections/{layer}/items/3")).await.json().await.unwrap();
    assert_eq!((item["properties"]["description"].as_str(), item["properties"]["statut"].as_str()), (Some("changé ailleurs"), Some("publié")));
}
