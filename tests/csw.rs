//! The catalogue end to end: importing a folder (good and broken documents, twice), then CSW
//! over the layers' records and the imported ones: paging, constraints, ISO output, POST as
//! GeoNetwork sends it, and the exceptions of bad requests.

mod common;

use std::path::{Path, PathBuf};

use ossature::catalogue::store::{Location, Mode, Store};

/// A folder with the demo's records, one document that is not XML, one that is not ISO, and one
/// readable ISO record that breaks gmd.xsd (a topic category outside its enumeration).
fn import_folder() -> PathBuf {
    let dir = std::env::temp_dir().join(format!("ossature-csw-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    for f in std::fs::read_dir(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalogue")).unwrap() {
        let f = f.unwrap().path();
        std::fs::copy(&f, dir.join(f.file_name().unwrap())).unwrap();
    }
    std::fs::write(dir.join("broken.xml"), "<gmd:MD_Metadata xmlns:gmd=\"http://www.isotc211.org/2005/gmd\"><gmd:fileIdentifier>").unwrap();
    std::fs::write(dir.join("not-iso.xml"), "<html><body>hello</body></html>").unwrap();
    let plu = std::fs::read_to_string(dir.join("0000-plu.xml")).unwrap();
    let invalid = plu.replace("c0e3bb0c-ec9d-5562-b912-df42bd58d315", INVALID).replace(">planningCadastre<", ">urbanisme<");
    assert_ne!(invalid, plu);
    std::fs::write(dir.join("invalid-topic.xml"), invalid).unwrap();
    dir
}

/// The fileIdentifier of the record that breaks gmd.xsd.
const INVALID: &str = "invalid-topic-category";

fn attr<'a>(doc: &'a str, name: &str) -> &'a str {
    let start = doc.find(&format!("{name}=\"")).unwrap_or_else(|| panic!("no {name} in {doc}")) + name.len() + 2;
    &doc[start..start + doc[start..].find('"').unwrap()]
}

fn identifiers(doc: &str) -> Vec<String> {
    doc.split("<dc:identifier>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect()
}

#[tokio::test]
async fn import_then_harvest() {
    let folder = import_folder();
    let db = folder.join("catalogue.db");
    let store = Store::open(&Location::File(db.clone()), Mode::Import).await.unwrap();
    let bar = indicatif::ProgressBar::hidden();
    let report = ossature::catalogue::import_folder(&store, &folder, &bar).await.unwrap();
    assert_eq!(report.added.len(), 6, "{report:?}");
    let skipped: Vec<&str> = report.skipped.iter().map(|(n, _)| n.rsplit('/').next().unwrap()).collect();
    assert_eq!(skipped, ["broken.xml", "invalid-topic.xml", "not-iso.xml"], "{report:?}");
    assert!(report.skipped.iter().all(|(_, why)| !why.is_empty()));
    assert!(report.skipped[1].1.contains("gmd.xsd") && report.skipped[1].1.contains("'urbanisme'"), "{report:?}");
    // Nothing of the skipped record is in the store.
    assert!(store.load().await.unwrap().iter().all(|r| r.file_identifier != INVALID));
    let again = ossature::catalogue::import_folder(&store, &folder, &bar).await.unwrap();
    assert_eq!((again.added.len(), again.updated.len(), again.unchanged.len()), (0, 0, 6), "importing twice changes nothing");

    let server = common::start_with(&format!("[catalogue]\nstore = \"{}\"\nmax_records = 50\n", db.display())).await;
    let layers = server.collections().len();
    let get = |q: String| {
        let server = &server;
        async move {
            let res = server.get(&format!("/csw?service=CSW&version=2.0.2&{q}")).await;
            let status = res.status().as_u16();
            assert_eq!(res.headers()["content-type"], "application/xml; charset=utf-8");
            (status, res.text().await.unwrap())
        }
    };

    // A harvest: pages of 4, following nextRecord until 0, sees every record once.
    let (mut seen, mut start, mut matched) = (Vec::new(), 1, 0);
    while start != 0 {
        let (status, doc) = get(format!("request=GetRecords&typenames=csw:Record&resulttype=results&elementsetname=brief&maxrecords=4&startposition={start}")).await;
        assert_eq!(status, 200, "{doc}");
        matched = attr(&doc, "numberOfRecordsMatched").parse().unwrap();
        let page = identifiers(&doc);
        let next: usize = attr(&doc, "nextRecord").parse().unwrap();
        assert!(page.len() == 4 || next == 0, "a page is shorter than asked only when it is the last");
        seen.extend(page);
        start = next;
    }
    assert_eq!(matched, layers + 6);
    assert_eq!(seen.len(), matched);
    seen.sort();
    seen.dedup();
    assert_eq!(seen.len(), matched, "no record twice");
    assert!(seen.contains(&"ossature-communes".to_string()));

    // Constraints: CQL on AnyText, a Filter 1.1 BBOX by POST as GeoNetwork sends it.
    let (_, doc) = get("request=GetRecords&typenames=csw:Record&resulttype=results&constraintlanguage=CQL_TEXT&constraint_language_version=1.1.0&constraint=csw:AnyText%20like%20%27%25communes%25%27".into()).await;
    assert!(identifiers(&doc).contains(&"ossature-communes".to_string()), "{doc}");
    let post = r#"<csw:GetRecords xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" xmlns:gml="http://www.opengis.net/gml" service="CSW" version="2.0.2" resultType="results" startPosition="1" maxRecords="10" outputSchema="http://www.isotc211.org/2005/gmd">
  <csw:Query typeNames="csw:Record gmd:MD_Metadata"><csw:ElementSetName>full</csw:ElementSetName>
    <csw:Constraint version="1.1.0"><ogc:Filter><ogc:BBOX><ogc:PropertyName>ows:BoundingBox</ogc:PropertyName>
      <gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>49.9 2.2</gml:lowerCorner><gml:upperCorner>50.9 3.3</gml:upperCorner></gml:Envelope>
    </ogc:BBOX></ogc:Filter></csw:Constraint></csw:Query></csw:GetRecords>"#;
    let res = server.client.post(format!("{}/csw", server.base)).body(post).send().await.unwrap();
    assert_eq!(res.status(), 200);
    let doc = res.text().await.unwrap();
    assert!(doc.contains("<gmd:MD_Metadata") && attr(&doc, "numberOfRecordsMatched") != "0", "{doc}");

    // An imported record in ISO full is its own document; a layer's record points to its services.
    let (_, doc) = get(format!("request=GetRecordById&id={INVALID}")).await;
    assert!(!doc.contains(INVALID), "a record refused at import is not served: {doc}");
    let id = "c0e3bb0c-ec9d-5562-b912-df42bd58d315";
    let (_, doc) = get(format!("request=GetRecordById&id={id}&elementsetname=full&outputschema=http://www.isotc211.org/2005/gmd")).await;
    assert!(doc.contains(id), "{doc}");
    let (_, doc) = get("request=GetRecordById&id=ossature-communes&elementsetname=full".into()).await;
    assert!(doc.contains(&format!("{}/collections/communes", server.base)) && doc.contains("OGC:WFS"), "{doc}");

    // Bad requests: the standard's exception codes, and the server still answers.
    for (q, code) in [
        ("request=GetRecords&typenames=csw:Record&outputschema=http://example.org/nope", "InvalidParameterValue"),
        ("request=GetRecords&typenames=csw:Record&maxrecords=51", "InvalidParameterValue"),
        ("request=GetRecords&typenames=csw:Record&constraintlanguage=CQL_TEXT&constraint=title%20%3D%3D%3D", "InvalidParameterValue"),
        ("request=GetRecords&typenames=gmd:Nothing", "InvalidParameterValue"),
        ("request=Harvest", "OperationNotSupported"),
    ] {
        let (status, doc) = get(q.to_string()).await;
        assert!(status == 400 || status == 501, "{q}: {status}");
        assert_eq!(attr(&doc, "exceptionCode"), code, "{q}: {doc}");
    }
    let (status, _) = get("request=GetCapabilities".into()).await;
    assert_eq!(status, 200);
    let _ = std::fs::remove_dir_all(&folder);
}

/// CSW Transaction: a publisher inserts, replaces and deletes imported records, each request in
/// one store transaction; anonymous callers are asked to log in, other users refused; an action
/// that fails leaves the store as it was; served layers' records cannot be written.
#[tokio::test]
async fn publishers_transact() {
    let dir = std::env::temp_dir().join(format!("ossature-csw-t-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    let db = dir.join("catalogue.db");
    let hash = |p: &str| ossature::access::hash_password(p).unwrap();
    let server = common::start_with(&format!(
        r#"
[catalogue]
store = "{}"
publishers = ["editeurs"]

[access]
realm = "test"

[[access.users]]
name = "editeur"
password = "{}"
groups = ["editeurs"]

[[access.users]]
name = "lecteur"
password = "{}"
groups = ["lecteurs"]

[[access.rules]]
group = "anonymous"
layers = ["*"]
"#,
        db.display(),
        hash("editeur-pw"),
        hash("lecteur-pw")
    ))
    .await;
    let plu = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("demo/catalogue/0000-plu.xml")).unwrap();
    let document = |id: &str, title: &str| {
        let d = plu.replace("c0e3bb0c-ec9d-5562-b912-df42bd58d315", id).replace("Plan local d'urbanisme de Surcamps", title);
        ogc::csw::iso::embeddable(&d).to_string()
    };
    let transaction = |actions: String| {
        format!(r#"<csw:Transaction xmlns:csw="http://www.opengis.net/cat/csw/2.0.2" xmlns:ogc="http://www.opengis.net/ogc" service="CSW" version="2.0.2">{actions}</csw:Transaction>"#)
    };
    let post = |user: Option<(&'static str, &'static str)>, body: String| {
        let server = &server;
        async move {
            let mut req = server.client.post(format!("{}/csw", server.base)).body(body);
            if let Some((u, p)) = user {
                req = req.basic_auth(u, Some(p));
            }
            let res = req.send().await.unwrap();
            let status = res.status().as_u16();
            let challenge = res.headers().get("www-authenticate").map(|v| v.to_str().unwrap().to_string());
            (status, challenge, res.text().await.unwrap())
        }
    };
    let editeur = Some(("editeur", "editeur-pw"));
    let titles = |id: &'static str| {
        let server = &server;
        async move {
            let doc = server.get(&format!("/csw?service=CSW&version=2.0.2&request=GetRecordById&id={id}&elementsetname=summary")).await.text().await.unwrap();
            doc.split("<dc:title>").skip(1).map(|s| s[..s.find('<').unwrap()].to_string()).collect::<Vec<_>>()
        }
    };

    // Only publishers are offered the operation.
    let caps = |user: Option<(&'static str, &'static str)>| {
        let server = &server;
        async move {
            let mut req = server.client.get(format!("{}/csw?service=CSW&request=GetCapabilities", server.base));
            if let Some((u, p)) = user {
                req = req.basic_auth(u, Some(p));
            }
            req.send().await.unwrap().text().await.unwrap()
        }
    };
    assert!(!caps(None).await.contains("name=\"Transaction\""));
    assert!(!caps(Some(("lecteur", "lecteur-pw"))).await.contains("name=\"Transaction\""));
    assert!(caps(editeur).await.contains("<ows:Operation name=\"Transaction\">"));

    let insert = transaction(format!("<csw:Insert handle=\"lot\">{}{}</csw:Insert>", document("plu-a", "PLU A"), document("plu-b", "PLU B")));
    let (status, challenge, doc) = post(None, insert.clone()).await;
    assert_eq!(status, 401, "{doc}");
    assert!(challenge.unwrap().starts_with("Basic realm=\"test\""));
    assert_eq!(attr(&doc, "exceptionCode"), "NoApplicableCode");
    let (status, challenge, _) = post(Some(("lecteur", "lecteur-pw")), insert.clone()).await;
    assert_eq!((status, challenge), (403, None));
    assert!(titles("plu-a").await.is_empty(), "a refused transaction wrote nothing");

    let (status, _, doc) = post(editeur, insert.clone()).await;
    assert_eq!(status, 200, "{doc}");
    assert!(doc.contains("<csw:totalInserted>2</csw:totalInserted>") && doc.contains("handleRef=\"lot\""), "{doc}");
    assert_eq!(identifiers(&doc), ["plu-a", "plu-b"]);
    assert_eq!(titles("plu-a").await, ["PLU A"], "anonymous callers read what was published");

    // One failing action (inserting plu-b again) and the update before it is not kept either.
    let (status, _, doc) = post(editeur, transaction(format!("<csw:Update>{}</csw:Update><csw:Insert>{}</csw:Insert>", document("plu-a", "PLU A révisé"), document("plu-b", "PLU B bis")))).await;
    assert_eq!((status, attr(&doc, "exceptionCode"), attr(&doc, "locator")), (400, "InvalidParameterValue", "Insert"), "{doc}");
    assert_eq!(titles("plu-a").await, ["PLU A"]);

    let (status, _, doc) = post(editeur, transaction(format!("<csw:Update>{}</csw:Update>", document("plu-a", "PLU A révisé")))).await;
    assert_eq!(status, 200, "{doc}");
    assert!(doc.contains("<csw:totalUpdated>1</csw:totalUpdated>"), "{doc}");
    assert_eq!(titles("plu-a").await, ["PLU A révisé"], "a search after the update sees it");
    let found = server.get("/csw?service=CSW&version=2.0.2&request=GetRecords&typenames=csw:Record&resulttype=results&constraintlanguage=CQL_TEXT&constraint=dc:title%20like%20%27%25r%C3%A9vis%C3%A9%25%27").await.text().await.unwrap();
    assert_eq!(identifiers(&found), ["plu-a"], "{found}");

    let delete = "<csw:Delete><csw:Constraint version=\"1.1.0\"><csw:CqlText>dc:identifier = 'plu-b'</csw:CqlText></csw:Constraint></csw:Delete>";
    let (status, _, doc) = post(editeur, transaction(delete.to_string())).await;
    assert_eq!(status, 200, "{doc}");
    assert!(doc.contains("<csw:totalDeleted>1</csw:totalDeleted>"), "{doc}");
    assert!(titles("plu-b").await.is_empty());

    // Served layers' records are the server's.
    let (status, _, doc) = post(editeur, transaction(format!("<csw:Insert>{}</csw:Insert>", document("ossature-communes", "Communes")))).await;
    assert_eq!(status, 400, "{doc}");
    assert!(doc.contains("served layer"), "{doc}");
    let (status, _, doc) = post(editeur, transaction("<csw:Delete><csw:Constraint version=\"1.1.0\"><csw:CqlText>dc:identifier = 'ossature-communes'</csw:CqlText></csw:Constraint></csw:Delete>".into())).await;
    assert!(status == 200 && doc.contains("<csw:totalDeleted>0</csw:totalDeleted>"), "{doc}");
    assert_eq!(titles("ossature-communes").await.len(), 1);
    let _ = std::fs::remove_dir_all(&dir);
}
