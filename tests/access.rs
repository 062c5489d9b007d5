//! Access rights across every face: what anonymous callers, group A (an area, a hidden
//! attribute, a row filter), group B (an area made of a commune) and an editor may see, over
//! GeoPackage and PostGIS; and refused credentials (wrong password, forged, expired or
//! misdirected tokens, brute force).

mod common;

use std::net::SocketAddr;
use std::path::Path;

use geozero::mvt::Message;
use jsonwebtoken::{EncodingKey, Header};
use serde_json::{Value, json};

const SECRET: &[u8] = b"test-only-hmac-secret-for-ossature-access";
const ISSUER: &str = "https://idp.example.test/realms/region";
const AUDIENCE: &str = "ossature";
/// Group A's area: the north of the demo area (Capinghem, Lompret, Pérenchies, Prémesques).
const NORTH: &str = "POLYGON((690000 7060900, 705000 7060900, 705000 7066000, 690000 7066000, 690000 7060900))";

#[derive(Clone, Copy, Debug)]
enum Who {
    Anonymous,
    /// Group A: north area, `auteur` hidden, only `statut = 'publié'`.
    A,
    /// Group B: the commune of Lille (an area from the communes layer).
    B,
    Editor,
}

const EVERYONE: [Who; 4] = [Who::Anonymous, Who::A, Who::B, Who::Editor];

struct Server {
    base: String,
    client: reqwest::Client,
}

fn config() -> String {
    let hash = |p: &str| ossature::access::hash_password(p).unwrap();
    let jwks = std::env::temp_dir().join(format!("ossature-access-jwks-{}.json", std::process::id()));
    use base64::Engine;
    let k = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(SECRET);
    std::fs::write(&jwks, json!({"keys": [{"kty": "oct", "kid": "test", "alg": "HS256", "k": k}]}).to_string()).unwrap();
    let mut layers = String::from(
        r#"
[sources.demo]
type = "geopackage"
path = "../demo/demo.gpkg"

[[layers]]
id = "communes"
source = "demo"
table = "communes"

[[layers]]
id = "signalements"
source = "demo"
table = "signalements"
"#,
    );
    if common::has_pg() {
        layers.push_str(
            r#"
[access.user_table]
url = "${OSSATURE_TEST_PG}"
query = "SELECT password_hash, groups FROM access_test_users WHERE login = $1"

[sources.pg]
type = "postgis"
url = "${OSSATURE_TEST_PG}"

[[layers]]
id = "pg_signalements"
source = "pg"
table = "signalements"
"#,
        );
    }
    format!(
        r#"[server]
bind = "127.0.0.1:0"
{layers}
[[rasters]]
id = "ortho"
files = ["../demo/ortho"]

[access]
realm = "Test realm"

[[access.users]]
name = "alice"
password = "{a}"
groups = ["secteur_nord"]

[[access.users]]
name = "bob"
password = "{b}"
groups = ["lille"]

[[access.users]]
name = "carol"
password = "{c}"
groups = ["contributeurs"]

[[access.users]]
name = "dave"
password = "{d}"
groups = ["contributeurs"]

[[access.api_keys]]
name = "carol's key"
key = "carol-key-0123456789"
groups = ["contributeurs"]

[access.oidc]
issuer = "{ISSUER}"
audience = "{AUDIENCE}"
jwks = "{jwks}"
groups_claim = "roles"

[access.limits]
max_failures = 3
window_s = 60

[[access.rules]]
group = "anonymous"
layers = ["communes"]

[[access.rules]]
group = "secteur_nord"
layers = ["signalements", "pg_signalements"]
area = {{ wkt = "{NORTH}", crs = "EPSG:2154" }}
hidden = ["auteur"]
filter = "statut = 'publié'"

[[access.rules]]
group = "lille"
keywords = []
layers = ["signalements", "pg_signalements"]
area = {{ layer = "communes", filter = "insee = '59350'" }}

[[access.rules]]
group = "contributeurs"
layers = ["*"]
right = "write"
"#,
        a = hash("alice-pw"),
        b = hash("bob-pw"),
        c = hash("carol-pw"),
        d = hash("dave-pw"),
        jwks = jwks.display(),
    )
}

async fn start() -> Server {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/access.toml");
    let config = ossature::config::Config::parse(&path, config()).expect("access test config is valid");
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    let state = ossature::http::build_state(&config, addr).await.expect("registry builds");
    let app = ossature::http::app(state);
    tokio::spawn(async move { axum::serve(listener, axum::ServiceExt::<axum::extract::Request>::into_make_service_with_connect_info::<SocketAddr>(app)).await.unwrap() });
    Server { base: format!("http://{addr}"), client: reqwest::Client::new() }
}

impl Server {
    fn request(&self, who: Who, path: &str) -> reqwest::RequestBuilder {
        let r = self.client.get(format!("{}{path}", self.base));
        match who {
            Who::Anonymous => r,
            Who::A => r.basic_auth("alice", Some("alice-pw")),
            Who::B => r.basic_auth("bob", Some("bob-pw")),
            Who::Editor => r.basic_auth("carol", Some("carol-pw")),
        }
    }

    async fn get(&self, who: Who, path: &str) -> (u16, String) {
        let res = self.request(who, path).send().await.unwrap();
        (res.status().as_u16(), res.text().await.unwrap())
    }

    async fn json(&self, who: Who, path: &str) -> Value {
        let (status, text) = self.get(who, path).await;
        assert_eq!(status, 200, "{who:?} {path}: {text}");
        serde_json::from_str(&text).unwrap()
    }

    async fn bytes(&self, who: Who, path: &str) -> (u16, Vec<u8>) {
        let res = self.request(who, path).send().await.unwrap();
        (res.status().as_u16(), res.bytes().await.unwrap().to_vec())
    }
}

fn layers() -> Vec<&'static str> {
    if common::has_pg() { vec!["signalements", "pg_signalements"] } else { vec!["signalements"] }
}

/// The titles of the signalements each caller may read.
fn expected(who: Who) -> Vec<&'static str> {
    let mut titles = match who {
        Who::Anonymous => vec![],
        Who::A => vec!["Nid-de-poule rue de Lille", "Arrêt de bus sans abri", "Piste cyclable interrompue", "Arbre menaçant de tomber"],
        Who::B => vec!["Fuite d'eau sur la voirie", "Trottoir dégradé"],
        Who::Editor => vec![
            "Nid-de-poule rue de Lille",
            "Dépôt sauvage",
            "Éclairage public en panne",
            "Haie à tailler",
            "Fossé bouché",
            "Panneau de signalisation tombé",
            "Arrêt de bus sans abri",
            "Piste cyclable interrompue",
            "Graffiti sur l'école",
            "Arbre menaçant de tomber",
            "Fuite d'eau sur la voirie",
            "Trottoir dégradé",
        ],
    };
    titles.sort();
    titles
}

fn titles(features: &Value) -> Vec<String> {
    let mut t: Vec<String> = features["features"].as_array().unwrap().iter().map(|f| f["properties"]["titre"].as_str().unwrap().to_string()).collect();
    t.sort();
    t
}

#[tokio::test]
async fn ogc_api_features_collections_items_and_queryables() {
    let s = start().await;
    for who in EVERYONE {
        let collections = s.json(who, "/collections").await;
        let ids: Vec<&str> = collections["collections"].as_array().unwrap().iter().map(|c| c["id"].as_str().unwrap()).collect();
        assert!(ids.contains(&"communes"), "{who:?}: {ids:?}");
        assert_eq!(ids.contains(&"signalements"), !matches!(who, Who::Anonymous), "{who:?}: {ids:?}");
        assert_eq!(ids.contains(&"ortho"), matches!(who, Who::Editor), "{who:?}: {ids:?}");
        // The API definition names the caller's collections only, their tiles included.
        let api = s.json(who, "/api?f=json").await;
        let paths = api["paths"].as_object().unwrap();
        let names = |id: &str| paths.keys().any(|p| p.contains(&format!("/collections/{id}/")));
        assert!(names("communes"), "{who:?}");
        assert_eq!(names("signalements"), !matches!(who, Who::Anonymous), "{who:?}");
        assert_eq!(paths.contains_key("/collections/ortho/map/tiles/{tileMatrixSetId}/{tileMatrix}/{tileRow}/{tileCol}"), matches!(who, Who::Editor), "{who:?}");
        assert!(!api.to_string().contains("signalements") || !matches!(who, Who::Anonymous), "{who:?}: the hidden layer is named");
        for layer in layers() {
            let items = format!("/collections/{layer}/items?limit=100");
            if let Who::Anonymous = who {
                let res = s.request(who, &items).send().await.unwrap();
                assert_eq!(res.status(), 401, "a login can help: {layer}");
                assert_eq!(res.headers()["www-authenticate"], "Basic realm=\"Test realm\", charset=\"UTF-8\"");
                continue;
            }
            let page = s.json(who, &items).await;
            assert_eq!(titles(&page), expected(who), "{who:?} {layer}");
            let has_author = page["features"][0]["properties"].get("auteur").is_some();
            assert_eq!(has_author, !matches!(who, Who::A), "{who:?} {layer}: auteur hidden from A only");
            // The grant is in the SQL, before the LIMIT: a short page is a page of allowed rows.
            let short = s.json(who, &format!("/collections/{layer}/items?limit=1")).await;
            assert_eq!(short["features"].as_array().unwrap().len(), 1);
            assert_eq!(short["numberMatched"], expected(who).len(), "{who:?} {layer}");
            let queryables = s.json(who, &format!("/collections/{layer}/queryables")).await;
            assert_eq!(queryables["properties"].get("auteur").is_some(), !matches!(who, Who::A), "{who:?} {layer}");
            // Filtering on a hidden attribute would tell its values: it is unknown.
            let (status, _) = s.get(who, &format!("/collections/{layer}/items?filter=auteur%3D'm.durand'")).await;
            assert_eq!(status, if matches!(who, Who::A) { 400 } else { 200 }, "{who:?} {layer}");
        }
    }
    // A single feature outside the caller's area or rows is not found.
    let all = s.json(Who::Editor, "/collections/signalements/items?limit=100").await;
    let lille = all["features"].as_array().unwrap().iter().find(|f| f["properties"]["titre"] == "Trottoir dégradé").unwrap()["id"].clone();
    let path = format!("/collections/signalements/items/{lille}");
    assert_eq!(s.get(Who::A, &path).await.0, 404);
    assert_eq!(s.get(Who::B, &path).await.0, 200);
    assert_eq!(s.get(Who::Editor, &path).await.0, 200);
}

#[tokio::test]
async fn wfs_capabilities_describe_and_get_feature() {
    let s = start().await;
    for who in EVERYONE {
        let (_, caps) = s.get(who, "/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetCapabilities").await;
        assert!(caps.contains("<wfs:Name>ossature:communes</wfs:Name>"), "{who:?}");
        assert_eq!(caps.contains("ossature:signalements<"), !matches!(who, Who::Anonymous), "{who:?}");
        for layer in layers() {
            let describe = format!("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=DescribeFeatureType&TYPENAMES=ossature:{layer}");
            let get = format!("/wfs?SERVICE=WFS&VERSION=2.0.0&REQUEST=GetFeature&TYPENAMES=ossature:{layer}&OUTPUTFORMAT=application/json&COUNT=100");
            if let Who::Anonymous = who {
                assert_eq!(s.get(who, &describe).await.0, 401);
                assert_eq!(s.get(who, &get).await.0, 401);
                continue;
            }
            let (status, schema) = s.get(who, &describe).await;
            assert_eq!(status, 200, "{schema}");
            assert_eq!(schema.contains("name=\"auteur\""), !matches!(who, Who::A), "{who:?} {layer}: {schema}");
            assert!(schema.contains("name=\"titre\""));
            assert_eq!(titles(&s.json(who, &get).await), expected(who), "{who:?} {layer}");
        }
    }
}

#[tokio::test]
async fn wms_capabilities_map_and_feature_info() {
    let s = start().await;
    // The demo area, Lambert-93: north (group A) and Lille (group B) both inside.
    let bbox = "694000,7058000,705000,7064500";
    for who in EVERYONE {
        let (_, caps) = s.get(who, "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetCapabilities").await;
        assert!(caps.contains("<Name>communes</Name>"), "{who:?}");
        assert_eq!(caps.contains("<Name>signalements</Name>"), !matches!(who, Who::Anonymous), "{who:?}");
        assert_eq!(caps.contains("<Name>ortho</Name>"), matches!(who, Who::Editor), "{who:?}");
    }
    let map = |layer: &str| format!("/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetMap&LAYERS={layer}&STYLES=&CRS=EPSG:2154&BBOX={bbox}&WIDTH=440&HEIGHT=260&FORMAT=image/png&TRANSPARENT=TRUE");
    for layer in layers() {
        assert_eq!(s.get(Who::Anonymous, &map(layer)).await.0, 401);
        let mut drawn = Vec::new();
        for who in [Who::A, Who::B, Who::Editor] {
            let (status, png) = s.bytes(who, &map(layer)).await;
            assert_eq!(status, 200);
            let img = image_pixels(&png);
            std::fs::write(format!("{}/access-{layer}-{who:?}.png", std::env::temp_dir().display()), &png).unwrap();
            drawn.push(img.chunks(4).filter(|p| p[3] > 0).count());
        }
        // A sees 4 points, B 2, the editor 12: each point draws the same number of pixels.
        assert!(drawn[0] > 0 && drawn[1] > 0, "{drawn:?}");
        assert!(drawn[2] > drawn[0] && drawn[0] > drawn[1], "{layer}: {drawn:?}");
        // GetFeatureInfo on Lille's "Trottoir dégradé" (703500, 7059300): outside A's area.
        let (i, j) = ((703500.0 - 694000.0) / 11000.0 * 440.0, (7064500.0 - 7059300.0) / 6500.0 * 260.0);
        let gfi = format!(
            "/wms?SERVICE=WMS&VERSION=1.3.0&REQUEST=GetFeatureInfo&LAYERS={layer}&QUERY_LAYERS={layer}&STYLES=&CRS=EPSG:2154&BBOX={bbox}&WIDTH=440&HEIGHT=260&I={}&J={}&INFO_FORMAT=application/json&FEATURE_COUNT=10",
            i as u32, j as u32
        );
        assert_eq!(s.get(Who::Anonymous, &gfi).await.0, 401);
        for (who, found) in [(Who::A, false), (Who::B, true), (Who::Editor, true)] {
            let info = s.json(who, &gfi).await;
            let n = info["features"].as_array().unwrap().len();
            assert_eq!(n > 0, found, "{who:?} {layer}: {info}");
            if found {
                assert_eq!(info["features"][0]["properties"]["titre"], "Trottoir dégradé");
            }
        }
    }
}

fn image_pixels(png: &[u8]) -> Vec<u8> {
    let decoder = png::Decoder::new(std::io::Cursor::new(png));
    let mut reader = decoder.read_info().unwrap();
    let mut buf = vec![0; reader.output_buffer_size().unwrap()];
    let info = reader.next_frame(&mut buf).unwrap();
    buf.truncate(info.buffer_size());
    match info.color_type {
        png::ColorType::Rgba => buf,
        png::ColorType::Rgb => buf.chunks(3).flat_map(|p| [p[0], p[1], p[2], 255]).collect(),
        other => panic!("unexpected PNG colour type {other:?}"),
    }
}

/// Feature titles of an MVT tile (empty for 204).
fn tile_titles(status: u16, bytes: &[u8]) -> Vec<String> {
    if status == 204 {
        return Vec::new();
    }
    assert_eq!(status, 200);
    let tile = geozero::mvt::Tile::decode(bytes).unwrap();
    let mut out = Vec::new();
    for layer in &tile.layers {
        let key = layer.keys.iter().position(|k| k == "titre").unwrap();
        let has_author = layer.keys.iter().any(|k| k == "auteur");
        for f in &layer.features {
            let v = f.tags.chunks(2).find(|kv| kv[0] as usize == key).map(|kv| layer.values[kv[1] as usize].string_value.clone().unwrap()).unwrap();
            out.push(format!("{v}{}", if has_author { " +auteur" } else { "" }));
        }
    }
    out.sort();
    out
}

#[tokio::test]
async fn vector_tiles_tilejson_wmts_and_the_cache() {
    let s = start().await;
    // WebMercatorQuad 10/344/520 holds the whole demo area.
    for layer in layers() {
        let tile = format!("/collections/{layer}/tiles/WebMercatorQuad/10/344/520");
        // Group A first, so the tile is cached; anonymous and the others must not get it.
        let (status, bytes) = s.bytes(Who::A, &tile).await;
        let a = tile_titles(status, &bytes);
        assert_eq!(a.len(), 4, "{layer}: {a:?}");
        assert!(a.iter().all(|t| !t.ends_with("+auteur")), "{a:?}");
        assert_eq!(s.bytes(Who::Anonymous, &tile).await.0, 401);
        let (status, bytes) = s.bytes(Who::B, &tile).await;
        assert_eq!(tile_titles(status, &bytes), vec!["Fuite d'eau sur la voirie +auteur", "Trottoir dégradé +auteur"]);
        let (status, bytes) = s.bytes(Who::Editor, &tile).await;
        assert_eq!(tile_titles(status, &bytes).len(), 12);
        // ETags differ with the grant.
        let etag = |who| {
            let r = s.request(who, &tile);
            async move { r.send().await.unwrap().headers()["etag"].to_str().unwrap().to_string() }
        };
        assert_ne!(etag(Who::A).await, etag(Who::Editor).await);
        // Through WMTS too (vector layers are offered as MVT).
        let wmts = format!("/wmts?SERVICE=WMTS&VERSION=1.0.0&REQUEST=GetTile&LAYER={layer}&STYLE=default&TILEMATRIXSET=WebMercatorQuad&TILEMATRIX=10&TILEROW=344&TILECOL=520&FORMAT=application/vnd.mapbox-vector-tile");
        let (status, bytes) = s.bytes(Who::A, &wmts).await;
        assert_eq!(tile_titles(status, &bytes).len(), 4);
        assert_eq!(s.bytes(Who::Anonymous, &wmts).await.0, 401);
        // TileJSON lists only the fields the caller sees.
        let tj = format!("/collections/{layer}/tiles/WebMercatorQuad/tilejson.json");
        let fields = |v: &Value| v["vector_layers"][0]["fields"].as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert!(!fields(&s.json(Who::A, &tj).await).contains(&"auteur".to_string()));
        assert!(fields(&s.json(Who::Editor, &tj).await).contains(&"auteur".to_string()));
        assert_eq!(s.get(Who::Anonymous, &tj).await.0, 401);
    }
    // Dataset tiles hold only the layers the caller may see.
    let (status, bytes) = s.bytes(Who::Anonymous, "/tiles/WebMercatorQuad/10/344/520").await;
    let tile = if status == 200 { geozero::mvt::Tile::decode(&bytes[..]).unwrap() } else { geozero::mvt::Tile::default() };
    assert!(tile.layers.iter().all(|l| l.name == "communes"), "{:?}", tile.layers.iter().map(|l| &l.name).collect::<Vec<_>>());
    for who in EVERYONE {
        let (_, caps) = s.get(who, "/wmts?SERVICE=WMTS&REQUEST=GetCapabilities").await;
        assert_eq!(caps.contains("<ows:Identifier>signalements</ows:Identifier>"), !matches!(who, Who::Anonymous), "{who:?}");
        assert_eq!(caps.contains("<ows:Identifier>ortho</ows:Identifier>"), matches!(who, Who::Editor), "{who:?}");
        let sets = s.json(who, "/tiles/WebMercatorQuad").await;
        let listed = sets.to_string();
        assert_eq!(listed.contains("signalements"), !matches!(who, Who::Anonymous), "{who:?}");
    }
    // Map tiles of an imagery layer only the editor may see.
    let map_tile = "/collections/ortho/map/tiles/WebMercatorQuad/0/0/0";
    assert_eq!(s.get(Who::Anonymous, map_tile).await.0, 401);
    assert_ne!(s.get(Who::Editor, map_tile).await.0, 401);
}

#[tokio::test]
async fn catalogue_lists_only_visible_layers() {
    let s = start().await;
    for who in EVERYONE {
        let (_, csw) = s.get(who, "/csw?SERVICE=CSW&VERSION=2.0.2&REQUEST=GetRecords&TYPENAMES=csw:Record&ELEMENTSETNAME=brief&RESULTTYPE=results&MAXRECORDS=100").await;
        assert!(csw.contains("ossature-communes"), "{who:?}");
        assert_eq!(csw.contains("ossature-signalements"), !matches!(who, Who::Anonymous), "{who:?}");
        let records = s.json(who, "/collections/catalogue/items?limit=100").await;
        let ids: Vec<&str> = records["features"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
        assert_eq!(ids.contains(&"ossature-signalements"), !matches!(who, Who::Anonymous), "{who:?}: {ids:?}");
        let (status, _) = s.get(who, "/collections/catalogue/items/ossature-signalements").await;
        assert_eq!(status, if matches!(who, Who::Anonymous) { 404 } else { 200 }, "{who:?}");
    }
}

fn token(secret: &[u8], audience: &str, exp_offset: i64, roles: &[&str]) -> String {
    let now = chrono::Utc::now().timestamp();
    let claims = json!({"iss": ISSUER, "aud": audience, "sub": "u-42", "preferred_username": "erin", "exp": now + exp_offset, "iat": now, "roles": roles});
    let header = Header { kid: Some("test".into()), ..Header::new(jsonwebtoken::Algorithm::HS256) };
    jsonwebtoken::encode(&header, &claims, &EncodingKey::from_secret(secret).unwrap()).unwrap()
}

/// A user of the PostgreSQL user table, in group A.
async fn table_user() {
    let pool = sqlx::PgPool::connect(&std::env::var("OSSATURE_TEST_PG").unwrap()).await.unwrap();
    sqlx::query("CREATE TABLE IF NOT EXISTS access_test_users (login text PRIMARY KEY, password_hash text NOT NULL, groups text[] NOT NULL)").execute(&pool).await.unwrap();
    sqlx::query("INSERT INTO access_test_users VALUES ('frank', $1, ARRAY['secteur_nord']) ON CONFLICT (login) DO UPDATE SET password_hash = EXCLUDED.password_hash, groups = EXCLUDED.groups")
        .bind(ossature::access::hash_password("frank-pw").unwrap())
        .execute(&pool)
        .await
        .unwrap();
}

#[tokio::test]
async fn credentials_tokens_keys_and_brute_force() {
    let s = start().await;
    if common::has_pg() {
        table_user().await;
        let items = format!("{}/collections/signalements/items?limit=100", s.base);
        let res = s.client.get(&items).basic_auth("frank", Some("frank-pw")).send().await.unwrap();
        assert_eq!(res.status(), 200);
        assert_eq!(titles(&res.json().await.unwrap()), expected(Who::A));
        let res = s.client.get(&items).basic_auth("frank", Some("wrong")).send().await.unwrap();
        assert_eq!(res.status(), 401);
    }
    let items = format!("{}/collections/signalements/items?limit=100", s.base);
    let get = |r: reqwest::RequestBuilder| async move {
        let res = r.send().await.unwrap();
        let status = res.status().as_u16();
        let headers = res.headers().clone();
        (status, headers, res.text().await.unwrap())
    };
    // A valid token: its roles claim gives group A.
    let (status, _, body) = get(s.client.get(&items).bearer_auth(token(SECRET, AUDIENCE, 300, &["secteur_nord"]))).await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(titles(&serde_json::from_str(&body).unwrap()), expected(Who::A));
    for (what, t) in [
        ("forged signature", token(b"another-secret-of-the-same-length-xxxxxx", AUDIENCE, 300, &["contributeurs"])),
        ("expired", token(SECRET, AUDIENCE, -3600, &["contributeurs"])),
        ("wrong audience", token(SECRET, "another-service", 300, &["contributeurs"])),
    ] {
        let (status, headers, _) = get(s.client.get(&items).bearer_auth(t)).await;
        assert_eq!(status, 401, "{what}");
        assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Bearer"), "{what}");
    }
    // Three refused tokens from this address: guessing tokens is slowed too.
    assert_eq!(get(s.client.get(&items).bearer_auth("not.a.jwt")).await.0, 429);
    // API keys, in the header and in the URL (taken out before the face sees the query).
    let (status, _, body) = get(s.client.get(&items).header("X-API-Key", "carol-key-0123456789")).await;
    assert_eq!(status, 200);
    assert_eq!(titles(&serde_json::from_str(&body).unwrap()), expected(Who::Editor));
    let (status, _, body) = get(s.client.get(format!("{items}&apikey=carol-key-0123456789"))).await;
    assert_eq!(status, 200, "{body}");
    assert!(!body.contains("carol-key"), "the key is never echoed into links");
    assert_eq!(get(s.client.get(format!("{items}&apikey=wrong"))).await.0, 401);
    // A wrong password is refused with the Basic challenge, not served as anonymous.
    let (status, headers, _) = get(s.client.get(format!("{}/collections", s.base)).basic_auth("dave", Some("nope"))).await;
    assert_eq!(status, 401);
    assert!(headers["www-authenticate"].to_str().unwrap().starts_with("Basic realm=\"Test realm\""));
    // Brute force: after 3 failures (max_failures), even the right password waits, though it
    // was verified a moment ago (a blocked pair is answered before the verified callers are
    // looked at, so the answer tells nothing of the password).
    assert_eq!(get(s.client.get(format!("{}/collections", s.base)).basic_auth("dave", Some("dave-pw"))).await.0, 200);
    for _ in 0..2 {
        assert_eq!(get(s.client.get(&items).basic_auth("dave", Some("guess"))).await.0, 401);
    }
    let (status, headers, _) = get(s.client.get(&items).basic_auth("dave", Some("dave-pw"))).await;
    assert_eq!(status, 429);
    let retry: u64 = headers["retry-after"].to_str().unwrap().parse().unwrap();
    assert!((1..=60).contains(&retry));
    // Another user from the same address is not slowed.
    assert_eq!(get(s.client.get(&items).basic_auth("carol", Some("carol-pw"))).await.0, 200);
}

#[tokio::test]
async fn without_access_section_everything_stays_open() {
    let s = common::start_with("\n[[layers]]\nid = \"signalements\"\nsource = \"demo\"\ntable = \"signalements\"\n").await;
    let page = s.json("/collections/signalements/items?limit=100").await;
    assert_eq!(page["features"].as_array().unwrap().len(), 12);
    let res = s.get("/collections/ocs2d/tiles/WebMercatorQuad/14/5461/8389").await;
    assert!(res.headers().get("cache-control").is_none_or(|v| v.to_str().unwrap().starts_with("public")));
}
