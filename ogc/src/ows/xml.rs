//! Small helpers over quick-xml's `Writer` shared by every OGC document writer.
//!
//! Documents are built in memory, so the only I/O error quick-xml can report is one that a
//! `Vec<u8>` never raises; the helpers keep `io::Result` so closures compose with `?`, and
//! [`finish`] is the single place that turns the buffer into a `String`.

use std::io;

use quick_xml::Writer;
use quick_xml::events::{BytesDecl, BytesText, Event};

/// The writer every document uses: indented, because capabilities are read by humans debugging
/// a client as often as by the client itself.
pub type XmlWriter = Writer<Vec<u8>>;

/// Starts a document with its XML declaration, so clients never have to guess the encoding.
pub fn document() -> XmlWriter {
    let mut w = Writer::new_with_indent(Vec::new(), b' ', 2);
    w.write_event(Event::Decl(BytesDecl::new("1.0", Some("UTF-8"), None))).expect("writing to a Vec cannot fail");
    w
}

/// Ends a document built by `build`; a `Vec` sink cannot fail and every piece written is a
/// `&str`, so neither error path can happen.
pub fn finish(mut w: XmlWriter, build: impl FnOnce(&mut XmlWriter) -> io::Result<()>) -> String {
    build(&mut w).expect("writing to a Vec cannot fail");
    String::from_utf8(w.into_inner()).expect("only UTF-8 text is written")
}

/// `<name>text</name>`, escaped.
pub fn text(w: &mut XmlWriter, name: &str, content: &str) -> io::Result<()> {
    w.create_element(name).write_text_content(BytesText::new(content))?;
    Ok(())
}

/// `<a><b>…</b></a>`: `content` inside the chain of `names`, outermost first. ISO 19139 wraps
/// every object in a property element (`gmd:contact/gmd:CI_ResponsibleParty`), and a closure per
/// level buries what is written under the nesting.
pub fn nested(w: &mut XmlWriter, names: &[&str], content: impl FnOnce(&mut XmlWriter) -> io::Result<()>) -> io::Result<()> {
    match names.split_first() {
        None => content(w),
        Some((first, rest)) => {
            w.create_element(*first).write_inner_content(|w| nested(w, rest, content))?;
            Ok(())
        }
    }
}

/// `<name attr="value"/>`, the shape of most capability flags.
pub fn empty_with(w: &mut XmlWriter, name: &str, attr: &str, value: &str) -> io::Result<()> {
    w.create_element(name).with_attribute((attr, value)).write_empty()?;
    Ok(())
}

/// Formats a coordinate without exponent notation: `xs:double` would accept `1e-7`, but the
/// `xs:string` attributes of WFS 1.0 are parsed by hand in many old clients.
pub fn number(v: f64) -> String {
    format!("{v}")
}
