//! Styles: SLD 1.0.0 and SLD 1.1.0 / Symbology Encoding 1.1, read into one model a renderer
//! draws from and a legend is derived from.
//!
//! - [`model`]: the style tree (layers, user styles, feature type styles, rules, symbolizers),
//!   colours, per-feature values, colour maps.
//! - [`parse`] (in `sld_reader.rs`): reads a document, refusing with the element named (path,
//!   line and column) whatever it cannot represent exactly.
//! - [`legend`]: the entries a legend draws for a style.
//!
//! The rule filters are the shared filter AST ([`crate::filter::Filter`]), read by the same
//! interpreter as WFS filters: a rule's `ogc:Filter` is evaluated by the server's filter engine.

pub mod legend;
pub mod model;
pub mod maplibre;
mod sld_reader;
#[cfg(test)]
mod tests;

pub use legend::{LegendEntry, legend_entries};
pub use model::*;
pub use sld_reader::parse;

/// A style document that could not be read, or that uses something not supported.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{message}{}", at(.path, .line, .column))]
pub struct StyleError {
    pub message: String,
    /// The element the error is about, as qualified names from the root
    /// (`sld:StyledLayerDescriptor/sld:NamedLayer/.../se:Rule[3]/se:PointSymbolizer`), with the
    /// position among same-named siblings when there are several; empty when the document
    /// could not be read as XML.
    pub path: String,
    /// 1-based line and column of the element's start tag (0 when unknown).
    pub line: usize,
    pub column: usize,
}

fn at(path: &str, line: &usize, column: &usize) -> String {
    match (path.is_empty(), *line) {
        (true, 0) => String::new(),
        (true, l) => format!(" (line {l}, column {column})"),
        (false, 0) => format!(" (at {path})"),
        (false, l) => format!(" (at {path}, line {l}, column {column})"),
    }
}
