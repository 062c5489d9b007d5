//! Parsing and compiling a typical filter (criterion): CQL2-text, CQL2-JSON and FES 2.0 parsed,
//! bound to a layer and compiled to PostGIS SQL. Target (issue): under 20 µs.
//!
//! `cargo bench --bench filter`

use criterion::{Criterion, criterion_group, criterion_main};
use ogc::crs::Crs;
use ogc::filter::{Filter, cql2_json, cql2_text, fes};
use ogc::value::FieldType;
use ossature::source::filter_sql::where_clause;
use ossature::source::postgis::PgDialect;
use ossature::source::sql::{Dialect, Sql};
use ossature::source::{Field, Order, Table};

const TEXT: &str = "code_cs = 'CS2.1.1.1' AND surf_m2 > 3000 AND S_INTERSECTS(geom, BBOX(2.95, 50.64, 2.96, 50.65))";
const JSON: &str = r#"{"op":"and","args":[{"op":"=","args":[{"property":"code_cs"},"CS2.1.1.1"]},{"op":">","args":[{"property":"surf_m2"},3000]},{"op":"s_intersects","args":[{"property":"geom"},{"bbox":[2.95,50.64,2.96,50.65]}]}]}"#;
const FES: &str = r#"<fes:Filter xmlns:fes="http://www.opengis.net/fes/2.0" xmlns:gml="http://www.opengis.net/gml/3.2"><fes:And><fes:PropertyIsEqualTo><fes:ValueReference>code_cs</fes:ValueReference><fes:Literal>CS2.1.1.1</fes:Literal></fes:PropertyIsEqualTo><fes:PropertyIsGreaterThan><fes:ValueReference>surf_m2</fes:ValueReference><fes:Literal>3000</fes:Literal></fes:PropertyIsGreaterThan><fes:BBOX><fes:ValueReference>geom</fes:ValueReference><gml:Envelope srsName="urn:ogc:def:crs:EPSG::4326"><gml:lowerCorner>50.64 2.95</gml:lowerCorner><gml:upperCorner>50.65 2.96</gml:upperCorner></gml:Envelope></fes:BBOX></fes:And></fes:Filter>"#;

fn table() -> Table {
    let field = |name: &str, ty| Field { name: name.into(), ty };
    Table {
        name: "ocs2d".into(),
        geometry_column: "geom".into(),
        geometry_type: "POLYGON".into(),
        crs: Crs::Epsg(2154),
        id: Some(field("id", FieldType::Integer)),
        fields: vec![field("code_cs", FieldType::Text), field("code_us", FieldType::Text), field("millesime", FieldType::Integer), field("surf_m2", FieldType::Number)],
        extent: None,
        footprint: Vec::new(),
        temporal: None,
        temporal_extent: None,
        order: Order::Id,
        rtree: None,
        hidden: Vec::new(),
        required: Vec::new(),
    }
}

fn compile(filter: Filter, table: &Table) -> usize {
    let bound = ossature::bind::bind(filter, table, Crs::Crs84).expect("binds");
    let mut sql = Sql::new(Dialect::Postgres);
    where_clause(&mut sql, table, None, Some(&bound), &PgDialect).expect("compiles");
    sql.text.len()
}

fn bench(c: &mut Criterion) {
    let table = table();
    c.bench_function("cql2-text parse+bind+compile", |b| b.iter(|| compile(cql2_text::parse(TEXT, None).unwrap(), &table)));
    c.bench_function("cql2-json parse+bind+compile", |b| b.iter(|| compile(cql2_json::parse(JSON, None).unwrap(), &table)));
    c.bench_function("fes-2.0 parse+bind+compile", |b| b.iter(|| compile(fes::parse(FES).unwrap(), &table)));
    c.bench_function("fes-2.0 parse", |b| b.iter(|| fes::parse(FES).unwrap()));
    c.bench_function("cql2-text parse", |b| b.iter(|| cql2_text::parse(TEXT, None).unwrap()));
}

criterion_group!(benches, bench);
criterion_main!(benches);
