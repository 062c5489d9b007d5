//! Test support: validates generated documents with xmllint against the offline OGC schemas.
//!
//! Schema validity is the one property clients rely on that unit assertions cannot cover, but
//! xmllint and the schema folder are not on every developer machine; they are skipped there and
//! required in CI (env `CI` set), so a missing tool cannot silently turn the check off.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

/// The schema folder: `OSSATURE_OGC_SCHEMAS`, or `shared/ogc-schemas` next to the workspace.
///
/// Canonicalised because libxml2 keys loaded schemas by URI: a path through `..` and the
/// catalog-mapped path of the same file count as two schemas and clash ("global element
/// declaration ... does already exist").
pub fn schemas_dir() -> PathBuf {
    let dir = match std::env::var_os("OSSATURE_OGC_SCHEMAS") {
        Some(dir) => PathBuf::from(dir),
        None => PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../shared/ogc-schemas"),
    };
    std::fs::canonicalize(&dir).unwrap_or(dir)
}

fn unavailable(reason: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("schema validation required in CI: {reason}");
    }
    eprintln!("skipping schema validation: {reason}");
}

/// Runs xmllint offline (`--nonet`, the folder's catalog) on `document` given on stdin, with
/// `args` after the common ones; None when xmllint cannot be run (reported by [`unavailable`]).
fn xmllint(dir: &Path, args: &[&str], document: &str) -> Option<Output> {
    let child = Command::new("xmllint")
        .env("XML_CATALOG_FILES", dir.join("catalog.xml"))
        .args(["--nonet", "--catalogs", "--noout"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => {
            unavailable(&format!("xmllint cannot be run: {e}"));
            return None;
        }
    };
    child.stdin.take().expect("piped stdin").write_all(document.as_bytes()).expect("write to xmllint");
    Some(child.wait_with_output().expect("xmllint output"))
}

/// Validates `document` against `schema` (relative to the schema folder). Returns whether the
/// validation ran; panics with xmllint's messages when the document is invalid.
pub fn validate(document: &str, schema: &str) -> bool {
    let dir = schemas_dir();
    let schema_path = dir.join(schema);
    if !schema_path.is_file() {
        unavailable(&format!("{} not found (set OSSATURE_OGC_SCHEMAS)", schema_path.display()));
        return false;
    }
    let schema_arg = schema_path.to_string_lossy();
    let Some(out) = xmllint(&dir, &["--schema", &schema_arg, "-"], document) else {
        return false;
    };
    assert!(
        out.status.success(),
        "{schema} rejects the document:\n{}\n{document}",
        String::from_utf8_lossy(&out.stderr)
    );
    true
}

/// Whether `schema` accepts `document`, for tests that expect a refusal; None when xmllint
/// cannot be run (reported like [`validate`]).
pub fn accepts(document: &str, schema: &str) -> Option<bool> {
    let dir = schemas_dir();
    let schema_arg = dir.join(schema).to_string_lossy().into_owned();
    xmllint(&dir, &["--schema", &schema_arg, "-"], document).map(|out| out.status.success())
}

/// Checks well-formedness and namespace bindings only, for documents whose schema is not in the
/// offline folder.
pub fn well_formed(document: &str) {
    let mut reader = quick_xml::reader::NsReader::from_str(document);
    loop {
        match reader.read_resolved_event() {
            Ok((quick_xml::name::ResolveResult::Unknown(p), _)) => {
                panic!("unbound prefix {p:?} in\n{document}")
            }
            Ok((_, quick_xml::events::Event::Eof)) => break,
            Ok(_) => {}
            Err(e) => panic!("not well-formed: {e}\n{document}"),
        }
    }
}

/// Validates `document` against the DTD its DOCTYPE names (WMS 1.1.1 documents), resolved
/// offline through the schema folder's catalog. Returns whether the validation ran; panics with
/// xmllint's messages when the document is invalid or its DTD is not in the folder (`--nonet`
/// makes an unresolved system id an error instead of a download).
pub fn validate_dtd(document: &str) -> bool {
    assert!(document.contains("<!DOCTYPE"), "no DOCTYPE to validate against:\n{document}");
    let dir = schemas_dir();
    let catalog = dir.join("catalog.xml");
    if !catalog.is_file() {
        unavailable(&format!("{} not found (set OSSATURE_OGC_SCHEMAS)", catalog.display()));
        return false;
    }
    let Some(out) = xmllint(&dir, &["--valid", "-"], document) else {
        return false;
    };
    let stderr = String::from_utf8_lossy(&out.stderr);
    // xmllint exits 0 on some DTD loading failures with --nonet but still reports them.
    assert!(
        out.status.success() && !stderr.contains("failed to load") && !stderr.contains("validity error"),
        "the DTD rejects the document:\n{stderr}\n{document}"
    );
    true
}
