//! Spatial SQL functions registered on every GeoPackage connection, so spatial filters run
//! inside SQLite (under any AND/OR/NOT, with paging in SQL) without SpatiaLite: geometries are
//! decoded from the GeoPackage blob and tested with the `geo` crate.
//!
//! `ossature_relate(geom, wkb, op)` → 1/0 for the DE-9IM predicate `op` (see [`RelateOp`]);
//! `ossature_distance(geom, wkb)` → the planar distance in the CRS's units.

use std::cell::RefCell;
use std::ffi::c_int;

use geo::{Distance, Euclidean, Intersects, Relate};
use geo_traits::to_geo::ToGeoGeometry;
use libsqlite3_sys as ffi;

use super::gpkg::gpkg_to_wkb;

/// Predicate codes passed as the third argument of `ossature_relate`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[repr(i64)]
pub enum RelateOp {
    Intersects = 1,
    Disjoint = 2,
    Contains = 3,
    Within = 4,
    Touches = 5,
    Crosses = 6,
    Overlaps = 7,
    Equals = 8,
}

impl RelateOp {
    fn from_code(code: i64) -> Option<RelateOp> {
        use RelateOp::*;
        [Intersects, Disjoint, Contains, Within, Touches, Crosses, Overlaps, Equals].into_iter().find(|o| *o as i64 == code)
    }

    fn holds(self, a: &geo::Geometry<f64>, b: &geo::Geometry<f64>) -> bool {
        if self == RelateOp::Intersects {
            return a.intersects(b);
        }
        let m = a.relate(b);
        match self {
            RelateOp::Intersects => m.is_intersects(),
            RelateOp::Disjoint => m.is_disjoint(),
            RelateOp::Contains => m.is_contains(),
            RelateOp::Within => m.is_within(),
            RelateOp::Touches => m.is_touches(),
            RelateOp::Crosses => m.is_crosses(),
            RelateOp::Overlaps => m.is_overlaps(),
            RelateOp::Equals => m.is_equal_topo(),
        }
    }
}

thread_local! {
    /// The literal of the statement being run: the same bytes come with every row, so they are
    /// decoded once per thread rather than once per row.
    static LITERAL: RefCell<Option<(Vec<u8>, geo::Geometry<f64>)>> = const { RefCell::new(None) };
}

fn with_literal<T>(wkb: &[u8], f: impl FnOnce(&geo::Geometry<f64>) -> T) -> Option<T> {
    LITERAL.with(|cell| {
        let mut cached = cell.borrow_mut();
        if cached.as_ref().is_none_or(|(bytes, _)| bytes != wkb) {
            let g = wkb::reader::read_wkb(wkb).ok()?.to_geometry();
            *cached = Some((wkb.to_vec(), g));
        }
        cached.as_ref().map(|(_, g)| f(g))
    })
}

/// # Safety
/// `value` must be a valid `sqlite3_value` of the current call.
unsafe fn blob<'a>(value: *mut ffi::sqlite3_value) -> Option<&'a [u8]> {
    // SAFETY: sqlite guarantees the pointer and length describe the value's blob until the
    // value is changed, which does not happen during this call.
    unsafe {
        if ffi::sqlite3_value_type(value) != ffi::SQLITE_BLOB {
            return None;
        }
        let len = usize::try_from(ffi::sqlite3_value_bytes(value)).ok()?;
        let ptr = ffi::sqlite3_value_blob(value).cast::<u8>();
        (!ptr.is_null()).then(|| std::slice::from_raw_parts(ptr, len))
    }
}

fn feature_geometry(blob: &[u8]) -> Option<geo::Geometry<f64>> {
    Some(wkb::reader::read_wkb(gpkg_to_wkb(blob)?).ok()?.to_geometry())
}

unsafe extern "C" fn relate(ctx: *mut ffi::sqlite3_context, n: c_int, args: *mut *mut ffi::sqlite3_value) {
    // SAFETY: sqlite passes `n` valid values; n is checked against the registered arity.
    unsafe {
        if n != 3 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let (geom, literal, op) = (*args, *args.add(1), *args.add(2));
        let op = RelateOp::from_code(ffi::sqlite3_value_int64(op));
        let result = match (blob(geom).and_then(feature_geometry), blob(literal), op) {
            (Some(g), Some(l), Some(op)) => with_literal(l, |lit| op.holds(&g, lit)),
            _ => None,
        };
        match result {
            Some(b) => ffi::sqlite3_result_int(ctx, c_int::from(b)),
            None => ffi::sqlite3_result_null(ctx),
        }
    }
}

unsafe extern "C" fn distance(ctx: *mut ffi::sqlite3_context, n: c_int, args: *mut *mut ffi::sqlite3_value) {
    // SAFETY: as in `relate`.
    unsafe {
        if n != 2 {
            ffi::sqlite3_result_null(ctx);
            return;
        }
        let result = match (blob(*args).and_then(feature_geometry), blob(*args.add(1))) {
            (Some(g), Some(l)) => with_literal(l, |lit| Euclidean.distance(&g, lit)),
            _ => None,
        };
        match result {
            Some(d) => ffi::sqlite3_result_double(ctx, d),
            None => ffi::sqlite3_result_null(ctx),
        }
    }
}

/// `ST_IsEmpty(geom)`, which the GeoPackage R-tree triggers call on every write.
unsafe extern "C" fn is_empty(ctx: *mut ffi::sqlite3_context, n: c_int, args: *mut *mut ffi::sqlite3_value) {
    // SAFETY: as in `relate`.
    unsafe {
        match (n == 1).then(|| blob(*args)).flatten() {
            Some(b) => ffi::sqlite3_result_int(ctx, c_int::from(gpkg_to_wkb(b).is_none())),
            None => ffi::sqlite3_result_null(ctx),
        }
    }
}

/// `ST_MinX` and its siblings (the R-tree triggers' envelope), picked by the user data.
unsafe extern "C" fn envelope_bound(ctx: *mut ffi::sqlite3_context, n: c_int, args: *mut *mut ffi::sqlite3_value) {
    use geo::BoundingRect;
    // SAFETY: as in `relate`; the user data is one of the static `BOUNDS` entries.
    unsafe {
        let which = *ffi::sqlite3_user_data(ctx).cast::<u8>();
        let rect = (n == 1).then(|| blob(*args)).flatten().and_then(feature_geometry).and_then(|g| g.bounding_rect());
        match rect {
            Some(r) => ffi::sqlite3_result_double(ctx, [r.min().x, r.max().x, r.min().y, r.max().y][which as usize]),
            None => ffi::sqlite3_result_null(ctx),
        }
    }
}

static BOUNDS: [u8; 4] = [0, 1, 2, 3];

/// Registers the functions on a connection.
///
/// # Safety
/// `db` must be an open connection handle, used by no other thread during the call.
pub unsafe fn register(db: *mut ffi::sqlite3) -> Result<(), String> {
    type Func = unsafe extern "C" fn(*mut ffi::sqlite3_context, c_int, *mut *mut ffi::sqlite3_value);
    let functions: [(&[u8], c_int, Func, Option<&'static u8>); 7] = [
        (b"ossature_relate\0", 3, relate, None),
        (b"ossature_distance\0", 2, distance, None),
        (b"ST_IsEmpty\0", 1, is_empty, None),
        (b"ST_MinX\0", 1, envelope_bound, Some(&BOUNDS[0])),
        (b"ST_MaxX\0", 1, envelope_bound, Some(&BOUNDS[1])),
        (b"ST_MinY\0", 1, envelope_bound, Some(&BOUNDS[2])),
        (b"ST_MaxY\0", 1, envelope_bound, Some(&BOUNDS[3])),
    ];
    for (name, arity, f, data) in functions {
        // SAFETY: the name is NUL-terminated and static; the function pointers are valid for
        // the life of the program; user data, when attached, is a static byte never written.
        let rc = unsafe {
            ffi::sqlite3_create_function_v2(
                db,
                name.as_ptr().cast(),
                arity,
                ffi::SQLITE_UTF8 | ffi::SQLITE_DETERMINISTIC,
                data.map_or(std::ptr::null_mut(), |d| std::ptr::from_ref(d).cast_mut().cast()),
                Some(f),
                None,
                None,
                None,
            )
        };
        if rc != ffi::SQLITE_OK {
            return Err(format!("cannot register {}: SQLite error {rc}", String::from_utf8_lossy(&name[..name.len() - 1])));
        }
    }
    Ok(())
}
