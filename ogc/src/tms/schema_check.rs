//! Test support: validates JSON documents against the OGC API Tiles schemas (YAML, with
//! relative `$ref`s) using Python's `jsonschema` from the workspace's `.venv`.
//!
//! Like the XML check, it is skipped where the venv is missing and required in CI (env `CI`
//! set), where `.ci/run` installs it before the tests run.

use std::io::Write;
use std::path::PathBuf;
use std::process::{Command, Stdio};

use crate::ows::schema_check::schemas_dir;

/// The folder of the OGC API Tiles 1.0 OpenAPI building blocks.
pub const TILES_OPENAPI: &str = "ogcapi/tiles/part1/1.0/openapi";

const VALIDATOR: &str = r##"
import json, pathlib, sys
import yaml, jsonschema, referencing
from referencing.jsonschema import DRAFT7

def retrieve(uri):
    return referencing.Resource.from_contents(yaml.safe_load(pathlib.Path(uri[len("file://"):]).read_text()), default_specification=DRAFT7)

registry = referencing.Registry(retrieve=retrieve)
root = pathlib.Path(sys.argv[1]).resolve().as_uri() + "#" + sys.argv[2]
validator = jsonschema.Draft7Validator({"$ref": root}, registry=registry)
errors = sorted(validator.iter_errors(json.load(sys.stdin)), key=lambda e: list(e.absolute_path))
for e in errors:
    print("/".join(map(str, e.absolute_path)), ":", e.message)
sys.exit(1 if errors else 0)
"##;

fn unavailable(reason: &str) {
    if std::env::var_os("CI").is_some() {
        panic!("JSON schema validation required in CI: {reason}");
    }
    eprintln!("skipping JSON schema validation: {reason}");
}

fn python() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../.venv/bin/python")
}

/// Validates `document` against the schema at `pointer` (a JSON pointer, `""` for the whole
/// file) in `schema` (relative to [`TILES_OPENAPI`]). Returns whether the validation ran;
/// panics with the violations when the document is invalid.
pub fn validate_json(document: &serde_json::Value, schema: &str, pointer: &str) -> bool {
    let path = schemas_dir().join(TILES_OPENAPI).join(schema);
    if !path.is_file() {
        unavailable(&format!("{} not found (set OSSATURE_OGC_SCHEMAS)", path.display()));
        return false;
    }
    let python = python();
    let probe = Command::new(&python).args(["-c", "import yaml, jsonschema, referencing"]).output();
    if !probe.is_ok_and(|o| o.status.success()) {
        unavailable(&format!(
            "{} cannot import yaml, jsonschema, referencing (run .ci/run --setup-only)",
            python.display()
        ));
        return false;
    }
    let mut child = Command::new(&python)
        .args(["-c", VALIDATOR])
        .arg(&path)
        .arg(pointer)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("python starts");
    child.stdin.take().expect("piped stdin").write_all(document.to_string().as_bytes()).expect("write to python");
    let out = child.wait_with_output().expect("python output");
    assert!(
        out.status.success(),
        "{schema}#{pointer} rejects the document:\n{}{}\n{document:#}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    true
}
