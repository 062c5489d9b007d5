use super::*;
use crate::bbox::Bbox;
use crate::tms::TileMatrixSet;
use crate::value::FieldType;
use crate::tms::schema_check::validate_json;

const BASE: &str = "https://sig.example.fr";

fn ortho<'a>(tms: &'a TileMatrixSet, href: &'a str, limits: &'a [crate::tms::TileMatrixLimits]) -> TileSet<'a> {
    TileSet {
        title: "Orthophotographie 5 cm (PCRS)",
        description: "Image du PCRS, 2024",
        data_type: DataType::Map,
        tms,
        href,
        formats: &[TileFormat::Jpeg, TileFormat::Png],
        limits,
        bbox: Some(Bbox { min_x: 640_000.0, min_y: 6_850_000.0, max_x: 660_000.0, max_y: 6_870_000.0 }),
        geodata: Some("https://sig.example.fr/collections/ortho"),
        attribution: "© Région",
        layers: &[],
    }
}

#[test]
fn formats_by_media_type_and_extension() {
    assert_eq!(TileFormat::from_media_type("image/PNG; mode=8bit"), Some(TileFormat::Png));
    assert_eq!(TileFormat::from_media_type("image/jpg"), Some(TileFormat::Jpeg));
    assert_eq!(TileFormat::from_media_type("application/x-protobuf"), Some(TileFormat::Mvt));
    assert_eq!(TileFormat::from_media_type("image/gif"), None);
    assert_eq!(TileFormat::from_extension("jpeg"), Some(TileFormat::Jpeg));
    assert_eq!(TileFormat::from_extension("JPG"), Some(TileFormat::Jpeg));
    assert_eq!(TileFormat::from_extension("pbf"), Some(TileFormat::Mvt));
    assert_eq!(TileFormat::from_extension("tif"), None);
    for f in TileFormat::ALL {
        assert_eq!(TileFormat::from_media_type(f.media_type()), Some(f));
        assert_eq!(TileFormat::from_extension(f.extension()), Some(f));
    }
}

#[test]
fn tileset_document() {
    let tms = TileMatrixSet::lamb93_5cm();
    let href = format!("{BASE}/collections/ortho/map/tiles/LAMB93_5cm_EPSG");
    let bbox = Bbox { min_x: 640_000.0, min_y: 6_850_000.0, max_x: 660_000.0, max_y: 6_870_000.0 };
    let limits = tms.limits(&bbox, 15..=22);
    let doc = tileset(BASE, &ortho(&tms, &href, &limits));
    assert_eq!(doc["dataType"], "map");
    assert_eq!(doc["crs"], "http://www.opengis.net/def/crs/EPSG/0/2154");
    assert!(doc.get("tileMatrixSetURI").is_none(), "IGN's grid is not in the OGC registry");
    let links = doc["links"].as_array().unwrap();
    let rel = |r: &str| links.iter().filter(|l| l["rel"] == r).collect::<Vec<_>>();
    assert_eq!(rel("self")[0]["href"], href.as_str());
    assert_eq!(
        rel("http://www.opengis.net/def/rel/ogc/1.0/tiling-scheme")[0]["href"],
        format!("{BASE}/tileMatrixSets/LAMB93_5cm_EPSG")
    );
    assert_eq!(rel("http://www.opengis.net/def/rel/ogc/1.0/geodata")[0]["href"], format!("{BASE}/collections/ortho"));
    let items = rel("item");
    assert_eq!(items.len(), 2);
    assert_eq!(items[0]["href"], format!("{href}/{{tileMatrix}}/{{tileRow}}/{{tileCol}}?f=jpg"));
    assert_eq!(items[0]["type"], "image/jpeg");
    assert_eq!(items[0]["templated"], true);
    assert_eq!(doc["tileMatrixSetLimits"].as_array().unwrap().len(), 8);
    assert_eq!(doc["tileMatrixSetLimits"][0]["tileMatrix"], "15");
    assert_eq!(doc["boundingBox"]["lowerLeft"], serde_json::json!([640000, 6850000]));
    assert_eq!(doc["mediaTypes"], serde_json::json!(["image/jpeg", "image/png"]));
    validate_json(&doc, "schemas/tms/tileSet.yaml", "");
    validate_json(&doc, "responses/tiles-core/rTileSet.yaml", "/content/application~1json/schema");

    // A registered set carries its URI; a geographic one writes its box latitude first.
    let wmq = TileMatrixSet::web_mercator_quad();
    let href = format!("{BASE}/collections/ortho/map/tiles/WebMercatorQuad");
    let doc = tileset(BASE, &TileSet { bbox: None, limits: &[], geodata: None, ..ortho(&wmq, &href, &[]) });
    assert_eq!(doc["tileMatrixSetURI"], "http://www.opengis.net/def/tilematrixset/OGC/1.0/WebMercatorQuad");
    assert!(doc.get("tileMatrixSetLimits").is_none() && doc.get("boundingBox").is_none());
    let geo = TileMatrixSet::native(
        "geo",
        crate::crs::Crs::WGS84,
        [-5.0, 51.0],
        &[0.001],
        [256, 256],
        &Bbox { min_x: -5.0, min_y: 41.0, max_x: 10.0, max_y: 51.0 },
    );
    let doc = tileset(
        BASE,
        &TileSet { bbox: Some(Bbox { min_x: 2.0, min_y: 48.0, max_x: 3.0, max_y: 49.0 }), ..ortho(&geo, &href, &[]) },
    );
    assert_eq!(doc["boundingBox"]["lowerLeft"], serde_json::json!([48, 2]));
    assert_eq!(doc["boundingBox"]["orderedAxes"], serde_json::json!(["Lat", "Lon"]));
    validate_json(&doc, "schemas/tms/tileSet.yaml", "");
}

#[test]
fn tilesets_list() {
    let sets = [TileMatrixSet::web_mercator_quad(), TileMatrixSet::lamb93_5cm()];
    let hrefs: Vec<String> = sets.iter().map(|s| format!("{BASE}/collections/ortho/map/tiles/{}", s.id)).collect();
    let items: Vec<TileSet> = sets.iter().zip(&hrefs).map(|(s, h)| ortho(s, h, &[])).collect();
    let doc = tilesets(BASE, &format!("{BASE}/collections/ortho/map/tiles"), &items);
    assert_eq!(doc["tilesets"].as_array().unwrap().len(), 2);
    assert_eq!(doc["tilesets"][1]["links"][0]["href"], hrefs[1].as_str());
    assert!(doc["tilesets"][0].get("tileMatrixSetLimits").is_none(), "the list holds summaries only");
    validate_json(&doc, "responses/tiles-core/rTileSetsList.yaml", "/content/application~1json/schema");
}

#[test]
fn tilejson_for_xyz_clients() {
    let href = format!("{BASE}/collections/ortho/map/tiles/WebMercatorQuad");
    let tiles = [xyz_template(&href, TileFormat::Png)];
    let france = Bbox { min_x: -5.2, min_y: 41.3, max_x: 9.6, max_y: 51.1 };
    let doc = tilejson(&TileJson {
        name: "ortho",
        description: "",
        attribution: "© Région",
        tiles: &tiles,
        minzoom: 0,
        maxzoom: 21,
        bounds: Some(france),
        vector_layers: None,
    });
    assert_eq!(doc["tilejson"], "3.0.0");
    assert_eq!(doc["tiles"][0], format!("{href}/{{z}}/{{y}}/{{x}}?f=png"));
    assert_eq!(doc["bounds"], serde_json::json!([-5.2, 41.3, 9.6, 51.1]));
    // 14.8° wide fits a 1 000-pixel view at zoom 6.
    assert_eq!(doc["center"][2], 6);
    assert!(doc.get("description").is_none() && doc.get("vector_layers").is_none());

    let layers = [VectorLayer {
        id: "communes".into(),
        description: String::new(),
        fields: vec![("nom".into(), FieldType::Text), ("population".into(), FieldType::Integer)],
        geometry_dimension: Some(2),
        minzoom: Some(6),
        maxzoom: None,
    }];
    let doc = tilejson(&TileJson {
        vector_layers: Some(&layers),
        minzoom: 8,
        bounds: Some(france),
        ..TileJson {
            name: "c",
            description: "d",
            attribution: "",
            tiles: &tiles,
            minzoom: 0,
            maxzoom: 14,
            bounds: None,
            vector_layers: None,
        }
    });
    assert_eq!(doc["vector_layers"][0]["fields"]["nom"], "String");
    assert_eq!(doc["vector_layers"][0]["fields"]["population"], "Number");
    assert_eq!(doc["vector_layers"][0]["minzoom"], 6);
    assert_eq!(doc["center"][2], 8, "clamped to minzoom");
    assert!(doc.get("attribution").is_none());
}

#[test]
fn vector_tileset_lists_its_layers() {
    let wmq = TileMatrixSet::web_mercator_quad();
    let href = format!("{BASE}/collections/communes/tiles/WebMercatorQuad");
    let layers = [VectorLayer {
        id: "communes".into(),
        description: "Communes".into(),
        fields: vec![("nom".into(), FieldType::Text), ("surf_ha".into(), FieldType::Number)],
        geometry_dimension: Some(2),
        minzoom: Some(6),
        maxzoom: Some(16),
    }];
    let ts = TileSet { data_type: DataType::Vector, formats: &[TileFormat::Mvt], layers: &layers, ..ortho(&wmq, &href, &[]) };
    let doc = tileset(BASE, &ts);
    assert_eq!(doc["dataType"], "vector");
    assert_eq!(doc["layers"][0]["id"], "communes");
    assert_eq!(doc["layers"][0]["minTileMatrix"], "6");
    assert_eq!(doc["layers"][0]["maxTileMatrix"], "16");
    assert_eq!(doc["layers"][0]["geometryDimension"], 2);
    assert_eq!(doc["layers"][0]["propertiesSchema"]["properties"]["surf_ha"]["type"], "number");
    assert_eq!(doc["mediaTypes"], serde_json::json!(["application/vnd.mapbox-vector-tile"]));
    validate_json(&doc, "schemas/tms/tileSet.yaml", "");
    validate_json(&doc, "responses/tiles-core/rTileSet.yaml", "/content/application~1json/schema");
}
