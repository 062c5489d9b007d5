//! Start-up validation against the data: errors name the file, the line and the key.

use std::path::Path;

use ossature::config::Config;
use ossature::registry::Registry;

async fn build(layer: &str) -> String {
    let text = format!("[sources.demo]\ntype = \"geopackage\"\npath = \"../demo/demo.gpkg\"\n\n[[layers]]\nid = \"x\"\nsource = \"demo\"\n{layer}");
    let config = Config::parse(&Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/bad.toml"), text).expect("syntactically valid");
    match Registry::build(&config).await {
        Ok(_) => panic!("{layer}: should be refused"),
        Err(e) => e.to_string(),
    }
}

#[tokio::test]
async fn data_errors_name_file_line_and_key() {
    let e = build("table = \"no_such_table\"\n").await;
    assert!(e.contains("tests/bad.toml:8: layers[0].table: no feature table 'no_such_table'"), "{e}");
    let e = build("table = \"communes\"\nfields = [\"nom\", \"population\"]\n").await;
    assert!(e.contains("tests/bad.toml:9: layers[0].fields: no field 'population' in 'communes'"), "{e}");
    let e = build("table = \"communes\"\ntemporal = \"nom\"\n").await;
    assert!(e.contains("tests/bad.toml:9: layers[0].temporal: 'nom' is not a date or timestamp field"), "{e}");
    let e = build("table = \"communes\"\nid_column = \"nope\"\n").await;
    assert!(e.contains("tests/bad.toml:9: layers[0].id_column: no column 'nope'"), "{e}");
}

#[tokio::test]
async fn styles_drawing_what_is_not_supported_are_refused_naming_the_element() {
    let e = build("table = \"communes\"\nstyles = [\"data/styles/graphic_fill.sld\"]\n").await;
    assert!(e.contains("tests/bad.toml:9: layers[0].styles[0]:") && e.contains("graphic_fill.sld: unsupported SLD element GraphicFill"), "{e}");
    assert!(e.contains("PolygonSymbolizer/Fill/GraphicFill, line 11"), "{e}");
    let e = build("table = \"communes\"\nstyles = [\"data/styles/unknown_property.sld\"]\n").await;
    assert!(e.contains("rule 1 (big): the filter reads 'population', which the layer does not have"), "{e}");
    let e = build("table = \"communes\"\nstyles = [\"data/styles/missing.sld\"]\n").await;
    assert!(e.contains("layers[0].styles[0]:") && e.contains("missing.sld"), "{e}");
}

#[tokio::test]
async fn unreachable_postgis_is_reported_at_start_up() {
    let text = "[sources.pg]\ntype = \"postgis\"\nurl = \"postgresql://nobody:x@127.0.0.1:1/none\"\n\n[[layers]]\nid = \"x\"\nsource = \"pg\"\ntable = \"t\"\n";
    let config = Config::parse(Path::new("/tmp/pg.toml"), text.to_string()).unwrap();
    let e = Registry::build(&config).await.err().expect("must fail").to_string();
    assert!(e.starts_with("/tmp/pg.toml:7: layers[0].source: cannot read from source 'pg': the data source is unavailable"), "{e}");
}

#[test]
fn a_missing_geopackage_is_named() {
    let text = "[sources.demo]\ntype = \"geopackage\"\npath = \"missing.gpkg\"\n";
    let e = Config::parse(Path::new("/tmp/x.toml"), text.to_string()).unwrap_err().to_string();
    assert!(e.starts_with("/tmp/x.toml:1: sources.demo.path: no such file: /tmp/missing.gpkg"), "{e}");
}

#[test]
fn catalogue_publishers_need_a_store_a_login_and_a_named_group() {
    let error = |text: &str| Config::parse(Path::new("/tmp/x.toml"), text.to_string()).unwrap_err().to_string();
    let access = "[access]\n[[access.rules]]\ngroup = \"anonymous\"\nlayers = [\"*\"]\n";
    assert!(error("[catalogue]\npublishers = [\"editeurs\"]\n").contains("catalogue.publishers: publishers write to the catalogue's store"));
    assert!(error("[catalogue]\nstore = \"c.db\"\npublishers = [\"editeurs\"]\n").contains("catalogue.publishers: publishers must log in"));
    let anonymous = format!("[catalogue]\nstore = \"c.db\"\npublishers = [\"anonymous\"]\n{access}");
    assert!(error(&anonymous).contains("anonymous callers cannot publish"));
    Config::parse(Path::new("/tmp/x.toml"), format!("[catalogue]\nstore = \"c.db\"\npublishers = [\"editeurs\"]\n{access}")).expect("valid");
}
