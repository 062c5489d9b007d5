use super::json::{tile_matrix_set, tile_matrix_sets, wkss_uri};
use super::schema_check::validate_json;
use super::*;

fn close(a: f64, b: f64) -> bool {
    (a - b).abs() <= 1e-12 * a.abs().max(b.abs())
}

#[test]
fn web_mercator_quad_has_the_registry_values() {
    let set = TileMatrixSet::web_mercator_quad();
    assert_eq!(set.matrices.len(), 25);
    let z0 = &set.matrices[0];
    // WMTS 1.0 annex E.4 and TMS 2.0 annex D give these to the last digit.
    assert_eq!(z0.cell_size, 156543.03392804097);
    assert!(close(z0.scale_denominator, 559082264.0287178), "{}", z0.scale_denominator);
    assert_eq!(z0.point_of_origin, [-20037508.342789244, 20037508.342789244]);
    assert_eq!((z0.matrix_width, z0.matrix_height), (1, 1));
    let z24 = &set.matrices[24];
    assert_eq!((z24.id.as_str(), z24.matrix_width, z24.matrix_height), ("24", 1 << 24, 1 << 24));
    assert!(close(z24.scale_denominator, 33.32389974765287), "{}", z24.scale_denominator);
    assert_eq!(set.crs, Crs::WEB_MERCATOR);
    assert_eq!(set.well_known_scale_set.as_deref(), Some("urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"));
}

#[test]
fn world_crs84_quad_starts_with_two_tiles() {
    let set = TileMatrixSet::world_crs84_quad();
    assert_eq!(set.matrices.len(), 24);
    let z0 = &set.matrices[0];
    assert_eq!((z0.matrix_width, z0.matrix_height, z0.cell_size), (2, 1, 0.703125));
    assert!(close(z0.scale_denominator, 279541132.0143589), "{}", z0.scale_denominator);
    assert_eq!(set.axes, AxisOrder::LonLat);
    let doc = tile_matrix_set(&set);
    assert_eq!(doc["crs"], "http://www.opengis.net/def/crs/OGC/1.3/CRS84");
    assert_eq!(doc["orderedAxes"], serde_json::json!(["Lon", "Lat"]));
    assert_eq!(doc["tileMatrices"][0]["pointOfOrigin"], serde_json::json!([-180, 90]));
    assert_eq!(doc["wellKnownScaleSet"], "http://www.opengis.net/def/wkss/OGC/1.0/GoogleCRS84Quad");
}

#[test]
fn pm_is_web_mercator_quad_under_ign_s_name() {
    let pm = TileMatrixSet::pm();
    let wmq = TileMatrixSet::web_mercator_quad();
    assert_eq!(pm.id, "PM");
    assert_eq!(pm.matrices.len(), 22);
    assert_eq!(pm.matrices[..], wmq.matrices[..22]);
    assert_eq!(pm.matrices[21].id, "21");
}

#[test]
fn lamb93_matches_ign_geoplateforme() {
    let set = TileMatrixSet::lamb93_5cm();
    assert_eq!(set.id, "LAMB93_5cm_EPSG");
    assert_eq!(set.crs, Crs::LAMBERT93);
    // MatrixWidth / MatrixHeight of data.geopf.fr's LAMB93_5cm_EPSG, levels 0 to 22.
    let widths =
        [1, 1, 1, 1, 1, 1, 2, 4, 7, 13, 25, 50, 99, 197, 394, 788, 1575, 3150, 6300, 12600, 25200, 50400, 100800];
    let heights = [
        1, 1, 1, 2, 4, 7, 13, 26, 52, 103, 206, 411, 822, 1643, 3285, 6569, 13138, 26276, 52552, 105102, 210205,
        420409, 840818,
    ];
    assert_eq!(set.matrices.iter().map(|m| m.matrix_width).collect::<Vec<_>>(), widths);
    assert_eq!(set.matrices.iter().map(|m| m.matrix_height).collect::<Vec<_>>(), heights);
    assert_eq!(set.matrices[0].cell_size, 209715.2);
    assert_eq!(set.matrices[22].cell_size, 0.05);
    assert!(close(set.matrices[0].scale_denominator, 748982857.1428572));
    assert!(close(set.matrices[22].scale_denominator, 178.5714285714286));
    assert!(set.matrices.iter().all(|m| m.point_of_origin == [0.0, 12_000_000.0]));
    assert!(set.matrices.windows(2).all(|w| w[0].scale_denominator > w[1].scale_denominator));
    let hidpi = set.hidpi();
    assert_eq!(hidpi.matrices[22].cell_size, 0.025);
    assert_eq!(hidpi.matrices[22].tile_width, 512);
}

#[test]
fn native_set_from_a_cog_pyramid() {
    // A 5 cm orthophoto in the CC50 zone with three overviews, listed full resolution first.
    let extent = Bbox { min_x: 1_840_000.0, min_y: 5_170_000.0, max_x: 1_845_000.0, max_y: 5_175_000.0 };
    let set = TileMatrixSet::native(
        "ortho_native",
        Crs::Epsg(3950),
        [1_840_000.0, 5_175_000.0],
        &[0.05, 0.1, 0.4, 0.2, 0.1],
        [512, 512],
        &extent,
    );
    let cells: Vec<f64> = set.matrices.iter().map(|m| m.cell_size).collect();
    assert_eq!(cells, [0.4, 0.2, 0.1, 0.05]);
    assert_eq!(set.matrices.iter().map(|m| m.id.as_str()).collect::<Vec<_>>(), ["0", "1", "2", "3"]);
    // 5 000 m at 0.05 m/px is 100 000 px, 195.3 tiles of 512: 196.
    let finest = &set.matrices[3];
    assert_eq!((finest.matrix_width, finest.matrix_height), (196, 196));
    // 5 000 m at 0.4 m/px is 12 500 px, 24.4 tiles: 25; exact multiples do not add a tile.
    assert_eq!(set.matrices[0].matrix_width, 25);
    let exact = TileMatrixSet::native(
        "x",
        Crs::LAMBERT93,
        [0.0, 256.0],
        &[1.0],
        [256, 256],
        &Bbox { min_x: 0.0, min_y: 0.0, max_x: 256.0, max_y: 256.0 },
    );
    assert_eq!((exact.matrices[0].matrix_width, exact.matrices[0].matrix_height), (1, 1));
    assert_eq!(set.axes, AxisOrder::EastNorth);
    assert!(close(finest.scale_denominator, 0.05 / 0.00028));
}

#[test]
fn geographic_native_set_writes_latitude_first() {
    let extent = Bbox { min_x: -5.0, min_y: 41.0, max_x: 10.0, max_y: 51.0 };
    let set = TileMatrixSet::native("geo", Crs::WGS84, [-5.0, 51.0], &[0.001], [256, 256], &extent);
    assert_eq!(set.axes, AxisOrder::LatLon);
    let doc = tile_matrix_set(&set);
    assert_eq!(doc["orderedAxes"], serde_json::json!(["Lat", "Lon"]));
    assert_eq!(doc["tileMatrices"][0]["pointOfOrigin"], serde_json::json!([51, -5]));
    assert!(close(set.matrices[0].scale_denominator, 0.001 * METRES_PER_DEGREE / 0.00028));
}

#[test]
fn hidpi_variant_covers_the_same_ground() {
    let base = TileMatrixSet::web_mercator_quad();
    let hidpi = base.hidpi();
    assert_eq!(hidpi.id, "WebMercatorQuad@2x");
    assert_eq!(hidpi.uri, None);
    assert_eq!(hidpi.well_known_scale_set, None);
    for (b, h) in base.matrices.iter().zip(&hidpi.matrices) {
        assert_eq!((h.tile_width, h.tile_height), (512, 512));
        assert_eq!(h.cell_size * 2.0, b.cell_size);
        assert_eq!(h.scale_denominator * 2.0, b.scale_denominator);
        assert_eq!((h.matrix_width, h.id.as_str()), (b.matrix_width, b.id.as_str()));
    }
    assert_eq!(hidpi.tile_bbox(7, 45, 64), base.tile_bbox(7, 45, 64));
    assert_eq!(TileMatrixSet::split_hidpi("PM@2x"), ("PM", true));
    assert_eq!(TileMatrixSet::split_hidpi("PM"), ("PM", false));
    assert_eq!(TileMatrixSet::split_hidpi("@2x"), ("@2x", false));
    assert_eq!(TileMatrixSet::well_known("LAMB93_5cm_EPSG@2x").map(|s| s.id), Some("LAMB93_5cm_EPSG@2x".to_string()));
    assert_eq!(TileMatrixSet::well_known("WorldCRS84Quad").map(|s| s.matrices.len()), Some(24));
    assert!(TileMatrixSet::well_known("GoogleMapsCompatible").is_none());
}

#[test]
fn tile_bounds_and_ranges() {
    let set = TileMatrixSet::web_mercator_quad();
    let half = 20037508.342789244;
    assert_eq!(set.tile_bbox(1, 0, 0), Some(Bbox { min_x: -half, min_y: 0.0, max_x: 0.0, max_y: half }));
    assert_eq!(set.tile_bbox(1, 2, 0), None);
    assert!(set.matrices[3].contains(7, 7));
    assert!(!set.matrices[3].contains(8, 0));

    // A tile's own box selects that tile only, at every level of the Lambert-93 grid.
    let lamb = TileMatrixSet::lamb93_5cm();
    for z in [6, 14, 22] {
        let b = lamb.tile_bbox(z, 840_000 >> (22 - z), 70_000 >> (22 - z)).unwrap();
        let l = lamb.matrices[z].limits(&b).unwrap();
        assert_eq!(
            (l.min_row, l.max_row, l.min_col, l.max_col),
            (840_000 >> (22 - z), 840_000 >> (22 - z), 70_000 >> (22 - z), 70_000 >> (22 - z)),
            "z{z}"
        );
    }
    // Metropolitan France in Lambert-93.
    let france = Bbox { min_x: 99_000.0, min_y: 6_046_000.0, max_x: 1_243_000.0, max_y: 7_111_000.0 };
    let limits = lamb.limits(&france, 10..=12);
    assert_eq!(limits.iter().map(|l| l.tile_matrix.as_str()).collect::<Vec<_>>(), ["10", "11", "12"]);
    let z10 = &limits[0];
    // 52 428.8 m tiles: x 99 000 → col 1, 1 243 000 → col 23; y 7 111 000 → row 93, 6 046 000 → row 113.
    assert_eq!((z10.min_col, z10.max_col, z10.min_row, z10.max_row), (1, 23, 93, 113));
    assert!(z10.contains(100, 10));
    assert!(!z10.contains(92, 10));
    // Clipped to the matrix, and nothing for a box beside it.
    let beyond = Bbox { min_x: -1e7, min_y: 0.0, max_x: 1e7, max_y: 2e7 };
    let l = lamb.matrices[0].limits(&beyond).unwrap();
    assert_eq!((l.min_row, l.max_row, l.min_col, l.max_col), (0, 0, 0, 0));
    assert!(lamb.matrices[5].limits(&Bbox { min_x: -10.0, min_y: 0.0, max_x: -5.0, max_y: 1.0 }).is_none());
    // A point still touches its tile.
    let point = Bbox { min_x: 650_000.0, min_y: 6_860_000.0, max_x: 650_000.0, max_y: 6_860_000.0 };
    let l = lamb.matrices[22].limits(&point).unwrap();
    assert_eq!((l.min_col, l.max_col), (50781, 50781));
    assert_eq!((l.min_row, l.max_row), (401562, 401562));
}

#[test]
fn closest_matrix_by_ratio() {
    let lamb = TileMatrixSet::lamb93_5cm();
    assert_eq!(lamb.closest_matrix(0.05), Some(22));
    assert_eq!(lamb.closest_matrix(0.07), Some(22));
    assert_eq!(lamb.closest_matrix(0.08), Some(21));
    assert_eq!(lamb.closest_matrix(1e9), Some(0));
    assert_eq!(lamb.closest_matrix(0.0), None);
    assert_eq!(lamb.matrix("22").map(|(z, m)| (z, m.cell_size)), Some((22, 0.05)));
    assert!(lamb.matrix("23").is_none());
}

#[test]
fn json_numbers_carry_no_float_noise() {
    let text = tile_matrix_set(&TileMatrixSet::lamb93_5cm()).to_string();
    assert!(text.contains("\"pointOfOrigin\":[0,12000000]"), "{text}");
    assert!(text.contains("\"cellSize\":0.05,"), "{text}");
    assert!(text.contains("\"cellSize\":209715.2,"), "{text}");
    assert!(!text.contains(".0,") && !text.contains(".0]"), "{text}");
    assert_eq!(
        wkss_uri("urn:ogc:def:wkss:OGC:1.0:GoogleMapsCompatible"),
        "http://www.opengis.net/def/wkss/OGC/1.0/GoogleMapsCompatible"
    );
    assert_eq!(wkss_uri("http://example.com/x"), "http://example.com/x");
}

#[test]
fn documents_follow_the_tiles_schemas() {
    let sets: Vec<TileMatrixSet> =
        WELL_KNOWN.iter().filter_map(|id| TileMatrixSet::well_known(id)).chain([TileMatrixSet::pm().hidpi()]).collect();
    for set in &sets {
        let doc = tile_matrix_set(set);
        for key in ["id", "crs", "orderedAxes", "tileMatrices"] {
            assert!(doc.get(key).is_some(), "{key} missing in {}", set.id);
        }
        validate_json(&doc, "schemas/tms/tileMatrixSet.yaml", "");
    }
    let list = tile_matrix_sets("https://sig.example.fr", &sets);
    assert_eq!(list["tileMatrixSets"][3]["links"][0]["href"], "https://sig.example.fr/tileMatrixSets/LAMB93_5cm_EPSG");
    assert_eq!(list["tileMatrixSets"][3]["links"][0]["rel"], "self");
    assert!(list["tileMatrixSets"][3].get("uri").is_none());
    validate_json(&list, "responses/tiles-core/rTileMatrixSetsList.yaml", "/content/application~1json/schema");
}
