//! CQL2-text (OGC 21-065r2, CQL2 1.0) parsed into the shared filter AST.
//!
//! Hand-written recursive descent rather than a parser generator: clients get the exact character
//! where their filter went wrong, nesting is bounded so hostile input cannot overflow the stack,
//! and the grammar's one real ambiguity (a parenthesis may open a condition or an arithmetic
//! group: `(a = 1) AND b` vs `(a + 1) * 2 > 3`) is resolved by parsing both into one [`Node`] and
//! deciding when the next operator shows which it was, in linear time without backtracking.
//!
//! What the AST cannot say is refused with an error rather than approximated: `%`, `^` and `div`,
//! array functions, `INTERVAL` bounds taken from properties, `ACCENTI` around a LIKE pattern that
//! has accented characters, functions other than `CASEI`/`ACCENTI`, and boxes crossing the
//! antimeridian.

use std::ops::Range;

use chrono::{DateTime, NaiveDate, Utc};
use geo_types::{Coord, Geometry, GeometryCollection, LineString, MultiLineString, MultiPoint, MultiPolygon, Point, Polygon};

use super::{ArithmeticOp, CompareOp, Expr, Filter, FilterError, Function, SpatialOp, TemporalOp};
use crate::crs::Crs;
use crate::datetime::Interval;
use crate::value::Value;

type Result<T> = std::result::Result<T, FilterError>;

/// Deep enough for any filter a person or a client library writes, shallow enough that the
/// recursion stays far from the stack limit of a 2 MiB worker thread even in debug builds.
const MAX_DEPTH: usize = 100;

/// Words that can never name a property unquoted, so `a = NOT` fails where it is wrong.
const RESERVED: [&str; 8] = ["AND", "OR", "NOT", "LIKE", "BETWEEN", "IN", "IS", "NULL"];

const GEOMETRY_TAGS: [&str; 7] = ["POINT", "LINESTRING", "POLYGON", "MULTIPOINT", "MULTILINESTRING", "MULTIPOLYGON", "GEOMETRYCOLLECTION"];

const ARRAY_FUNCTIONS: [&str; 4] = ["A_EQUALS", "A_CONTAINS", "A_CONTAINEDBY", "A_OVERLAPS"];

/// Parses CQL2-text. `filter_crs` is the CRS of geometry literals (CRS84 when None).
pub fn parse(text: &str, filter_crs: Option<Crs>) -> std::result::Result<Filter, FilterError> {
    let tokens = lex(text)?;
    let mut parser = Parser { src: text, tokens, at: 0, depth: 0, crs: filter_crs.unwrap_or(Crs::Crs84) };
    parser.filter()
}

/// Messages carry a 1-based character (not byte) position, which is what a person counts in the
/// query string they typed.
fn error(pos: usize, message: impl std::fmt::Display) -> FilterError {
    FilterError::new(format!("at character {pos}: {message}"))
}

// ---------------------------------------------------------------------------------------------
// Lexer
// ---------------------------------------------------------------------------------------------

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Kind {
    /// An unquoted identifier or keyword; keywords are recognised by the parser, in context.
    Word,
    /// A double-quoted identifier: always a property, even if it spells a keyword.
    Quoted,
    Str,
    Num,
    Sym,
    End,
}

#[derive(Debug)]
struct Token {
    kind: Kind,
    /// Decoded content: the name, the string without quotes, the digits, the symbol.
    value: String,
    /// 1-based character position, for messages.
    pos: usize,
    /// Byte span in the source, to quote the token as the client wrote it.
    span: Range<usize>,
}

/// Tokenising up front keeps the parser's lookahead trivial (`POINT Z (` needs three tokens) and
/// makes every token's position available for messages.
struct Lexer<'a> {
    src: &'a str,
    byte: usize,
    chars: usize,
    tokens: Vec<Token>,
}

fn lex(src: &str) -> Result<Vec<Token>> {
    let mut lexer = Lexer { src, byte: 0, chars: 0, tokens: Vec::new() };
    while let Some(c) = lexer.skip_whitespace() {
        lexer.token(c)?;
    }
    let end = src.len();
    lexer.tokens.push(Token { kind: Kind::End, value: String::new(), pos: lexer.chars + 1, span: end..end });
    Ok(lexer.tokens)
}

impl Lexer<'_> {
    fn peek(&self) -> Option<char> {
        self.src[self.byte..].chars().next()
    }

    fn peek_nth(&self, n: usize) -> Option<char> {
        self.src[self.byte..].chars().nth(n)
    }

    fn bump(&mut self) -> Option<char> {
        let c = self.peek()?;
        self.byte += c.len_utf8();
        self.chars += 1;
        Some(c)
    }

    fn skip_whitespace(&mut self) -> Option<char> {
        while let Some(c) = self.peek() {
            if !c.is_whitespace() {
                return Some(c);
            }
            self.bump();
        }
        None
    }

    fn token(&mut self, c: char) -> Result<()> {
        let (start, pos) = (self.byte, self.chars + 1);
        let (kind, value) = if c == '\'' {
            (Kind::Str, self.string(pos)?)
        } else if c == '"' {
            (Kind::Quoted, self.quoted(pos)?)
        } else if c.is_ascii_digit() || (c == '.' && self.peek_nth(1).is_some_and(|d| d.is_ascii_digit())) {
            (Kind::Num, self.number())
        } else if is_ident_start(c) {
            (Kind::Word, self.word())
        } else {
            (Kind::Sym, self.symbol(c, pos)?)
        };
        self.tokens.push(Token { kind, value, pos, span: start..self.byte });
        Ok(())
    }

    /// `''` is the only escape: the BNF's alternative `\'` would make a string ending in a
    /// backslash impossible to close, and `\` must stay free to escape LIKE wildcards.
    fn string(&mut self, pos: usize) -> Result<String> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(error(pos, "expected a closing ' for the string starting here but found end of input")),
                Some('\'') if self.peek() == Some('\'') => {
                    self.bump();
                    out.push('\'');
                }
                Some('\'') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    /// Any character but `"` is accepted between double quotes: quoting exists precisely for
    /// names the unquoted form cannot spell.
    fn quoted(&mut self, pos: usize) -> Result<String> {
        self.bump();
        let mut out = String::new();
        loop {
            match self.bump() {
                None => return Err(error(pos, "expected a closing \" for the name starting here but found end of input")),
                Some('"') if out.is_empty() => return Err(error(pos, "expected a property name between the double quotes but found \"\"")),
                Some('"') => return Ok(out),
                Some(c) => out.push(c),
            }
        }
    }

    fn number(&mut self) -> String {
        let start = self.byte;
        self.digits();
        if self.peek() == Some('.') {
            self.bump();
            self.digits();
        }
        if matches!(self.peek(), Some('e' | 'E')) && self.exponent_follows() {
            self.bump();
            if matches!(self.peek(), Some('+' | '-')) {
                self.bump();
            }
            self.digits();
        }
        self.src[start..self.byte].to_string()
    }

    fn digits(&mut self) {
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.bump();
        }
    }

    /// An `e` only starts an exponent when digits follow, so `2east` stays a number and a word.
    fn exponent_follows(&self) -> bool {
        match self.peek_nth(1) {
            Some(d) if d.is_ascii_digit() => true,
            Some('+' | '-') => self.peek_nth(2).is_some_and(|d| d.is_ascii_digit()),
            _ => false,
        }
    }

    fn word(&mut self) -> String {
        let start = self.byte;
        while self.peek().is_some_and(is_ident_part) {
            self.bump();
        }
        self.src[start..self.byte].to_string()
    }

    fn symbol(&mut self, c: char, pos: usize) -> Result<String> {
        self.bump();
        let pair = match (c, self.peek()) {
            ('<', Some('>')) => "<>",
            ('<', Some('=')) => "<=",
            ('>', Some('=')) => ">=",
            _ if "(),=<>+-*/%^".contains(c) => return Ok(c.to_string()),
            _ => return Err(error(pos, format!("expected a name, a literal, an operator or a parenthesis but found {c:?}"))),
        };
        self.bump();
        Ok(pair.to_string())
    }
}

/// The BNF's `identifierStart` (the XML name start characters).
fn is_ident_start(c: char) -> bool {
    matches!(c,
        ':' | '_' | 'A'..='Z' | 'a'..='z'
        | '\u{C0}'..='\u{D6}' | '\u{D8}'..='\u{F6}' | '\u{F8}'..='\u{2FF}'
        | '\u{370}'..='\u{37D}' | '\u{37F}'..='\u{1FFE}' | '\u{200C}'..='\u{200D}'
        | '\u{2070}'..='\u{218F}' | '\u{2C00}'..='\u{2FEF}' | '\u{3001}'..='\u{D7FF}'
        | '\u{F900}'..='\u{FDCF}' | '\u{FDF0}'..='\u{FFFD}' | '\u{10000}'..='\u{EFFFF}')
}

/// The BNF's `identifierPart`: `.` lets `properties.name` and `eo:cloud_cover` stay one name.
fn is_ident_part(c: char) -> bool {
    is_ident_start(c) || matches!(c, '.' | '0'..='9' | '\u{300}'..='\u{36F}' | '\u{203F}'..='\u{2040}')
}

// ---------------------------------------------------------------------------------------------
// Parser
// ---------------------------------------------------------------------------------------------

/// What a sub-expression turned out to be. CQL2-text only tells a condition from a value by what
/// follows it, so both are carried until an operator needs one or the other.
///
/// Boxed so that the many `Parsed` temporaries of each recursive frame stay small: unoptimised
/// builds give every temporary its own stack slot, and unboxed nodes made each level of nesting
/// cost tens of kilobytes of stack.
enum Node {
    Cond(Box<Filter>),
    Value(Box<Expr>),
}

fn cond(filter: Filter) -> Node {
    Node::Cond(Box::new(filter))
}

fn val(expr: Expr) -> Node {
    Node::Value(Box::new(expr))
}

/// A node and the tokens it spans, so a misplaced node is reported where it starts or ends.
struct Parsed {
    node: Node,
    /// Index of its first token.
    start: usize,
    /// Index of the first token after it.
    end: usize,
}

struct Parser<'a> {
    src: &'a str,
    tokens: Vec<Token>,
    at: usize,
    depth: usize,
    crs: Crs,
}

/// The precedence levels, as the operator parsers that call each other.
///
/// Functions on the recursive path only parse and pass [`Parsed`] nodes on; the `Filter`s (192
/// bytes) are built in separate functions called after the recursion returns, so their stack
/// slots are not multiplied by the nesting depth in unoptimised builds.
impl Parser<'_> {
    fn filter(&mut self) -> Result<Filter> {
        let parsed = self.or()?;
        let filter = self.condition(parsed)?;
        if self.tok().kind != Kind::End {
            return Err(self.expected("AND, OR or the end of the filter"));
        }
        Ok(filter)
    }

    fn or(&mut self) -> Result<Parsed> {
        let first = self.and()?;
        if self.is_word("OR") { self.connective(first, "OR") } else { Ok(first) }
    }

    fn and(&mut self) -> Result<Parsed> {
        let first = self.not()?;
        if self.is_word("AND") { self.connective(first, "AND") } else { Ok(first) }
    }

    /// A run of one connective is one flat `And`/`Or`, as CQL2-JSON writes it.
    fn connective(&mut self, first: Parsed, keyword: &str) -> Result<Parsed> {
        let start = first.start;
        self.ensure_condition(&first)?;
        let mut parts = vec![first];
        while self.eat_word(keyword) {
            let next = if keyword == "OR" { self.and()? } else { self.not()? };
            self.ensure_condition(&next)?;
            parts.push(next);
        }
        self.join(parts, keyword, start)
    }

    fn join(&self, parts: Vec<Parsed>, keyword: &str, start: usize) -> Result<Parsed> {
        let all = parts.into_iter().map(|p| self.condition(p)).collect::<Result<Vec<_>>>()?;
        let joined = if keyword == "OR" { Filter::Or(all) } else { Filter::And(all) };
        Ok(self.node(cond(joined), start))
    }

    fn not(&mut self) -> Result<Parsed> {
        if !self.is_word("NOT") {
            return self.predicate();
        }
        self.enter()?;
        let start = self.advance();
        let operand = self.not()?;
        self.leave();
        self.negation(operand, start)
    }

    fn negation(&self, operand: Parsed, start: usize) -> Result<Parsed> {
        let inner = self.condition(operand)?;
        Ok(self.node(cond(Filter::Not(Box::new(inner))), start))
    }

    /// A value, then whatever operator turns it into a condition (or none: it may be a
    /// parenthesised condition, a spatial function, or a value the caller needs).
    fn predicate(&mut self) -> Result<Parsed> {
        let lhs = self.additive()?;
        let operator_follows = self.compare_op().is_some() || ["NOT", "IS", "LIKE", "BETWEEN", "IN"].iter().any(|k| self.is_word(k));
        if operator_follows { self.predicate_operator(lhs) } else { Ok(lhs) }
    }

    fn predicate_operator(&mut self, lhs: Parsed) -> Result<Parsed> {
        let start = lhs.start;
        let node = if let Some(op) = self.compare_op() {
            self.compare(op, lhs)?
        } else if self.eat_word("NOT") {
            self.negatable(lhs, true)?
        } else if self.is_word("IS") {
            self.is_null(lhs)?
        } else {
            self.negatable(lhs, false)?
        };
        Ok(self.node(node, start))
    }

    fn additive(&mut self) -> Result<Parsed> {
        let left = self.term()?;
        if matches!(self.sym(), Some("+" | "-")) { self.additive_operators(left) } else { Ok(left) }
    }

    fn additive_operators(&mut self, mut left: Parsed) -> Result<Parsed> {
        loop {
            let op = match self.sym() {
                Some("+") => ArithmeticOp::Add,
                Some("-") => ArithmeticOp::Sub,
                _ => return Ok(left),
            };
            self.advance();
            let right = self.term()?;
            left = self.arithmetic(op, left, right)?;
        }
    }

    fn term(&mut self) -> Result<Parsed> {
        let left = self.unary()?;
        if matches!(self.sym(), Some("*" | "/" | "%" | "^")) || self.is_word("div") { self.multiplicative_operators(left) } else { Ok(left) }
    }

    fn multiplicative_operators(&mut self, mut left: Parsed) -> Result<Parsed> {
        loop {
            self.refuse_unsupported_operator()?;
            let op = match self.sym() {
                Some("*") => ArithmeticOp::Mul,
                Some("/") => ArithmeticOp::Div,
                _ => return Ok(left),
            };
            self.advance();
            let right = self.unary()?;
            left = self.arithmetic(op, left, right)?;
        }
    }

    /// A sign directly before a number is part of the literal (so `-9223372036854775808` and
    /// coordinates stay exact); before anything else it negates.
    fn unary(&mut self) -> Result<Parsed> {
        let negative = match self.sym() {
            Some("-") => true,
            Some("+") if self.kind_at(self.at + 1) == Kind::Num => false,
            _ => return self.primary(),
        };
        if self.kind_at(self.at + 1) == Kind::Num {
            let start = self.advance();
            return self.signed_literal(start, negative);
        }
        self.enter()?;
        let start = self.advance();
        let operand = self.unary()?;
        self.leave();
        self.negate(operand, start)
    }

    fn signed_literal(&mut self, start: usize, negative: bool) -> Result<Parsed> {
        let idx = self.advance();
        let value = self.number_value(idx, negative)?;
        Ok(self.node(val(Expr::Literal(value)), start))
    }

    fn primary(&mut self) -> Result<Parsed> {
        match self.tok().kind {
            Kind::Sym if self.is_sym("(") => self.group(),
            Kind::Word => self.word(),
            _ => self.literal(),
        }
    }

    fn literal(&mut self) -> Result<Parsed> {
        let start = self.at;
        let value = self.tok().value.clone();
        let expr = match self.tok().kind {
            Kind::Num => Expr::Literal(self.number_value(start, false)?),
            Kind::Str => Expr::Literal(Value::Text(value)),
            Kind::Quoted => Expr::Property(value),
            _ => return Err(self.expected("a property, a literal, a function or '('")),
        };
        self.advance();
        Ok(self.node(val(expr), start))
    }

    fn group(&mut self) -> Result<Parsed> {
        self.enter()?;
        let start = self.advance();
        let inner = self.or()?;
        self.leave();
        self.expect_sym(")")?;
        Ok(self.node(inner.node, start))
    }

    /// A name followed by `(` is a function or a literal constructor; otherwise a keyword or a
    /// property.
    fn word(&mut self) -> Result<Parsed> {
        let start = self.at;
        let upper = self.tok().value.to_ascii_uppercase();
        let tagged_z = GEOMETRY_TAGS.contains(&upper.as_str()) && self.is_word_at(start + 1, "Z") && self.is_sym_at(start + 2, "(");
        if !self.is_sym_at(start + 1, "(") && !tagged_z {
            return self.name(start, &upper);
        }
        self.enter()?;
        let node = self.call(&upper)?;
        self.leave();
        Ok(self.node(node, start))
    }

    fn name(&mut self, start: usize, upper: &str) -> Result<Parsed> {
        let name = self.tok().value.clone();
        let expr = match upper {
            "TRUE" => Expr::Literal(Value::Bool(true)),
            "FALSE" => Expr::Literal(Value::Bool(false)),
            "NULL" => return Err(self.error_at(start, "expected a value but found 'NULL' (test for a missing value with IS NULL or IS NOT NULL)")),
            _ if RESERVED.contains(&upper) => return Err(self.expected("a property, a literal, a function or '('")),
            _ => Expr::Property(name),
        };
        self.advance();
        Ok(self.node(val(expr), start))
    }
}

/// Functions and literal constructors: everything written `NAME(...)`.
impl Parser<'_> {
    fn call(&mut self, upper: &str) -> Result<Node> {
        if let Some(op) = spatial_op(upper) {
            let (left, right) = self.two_args()?;
            return self.spatial(op, left, right);
        }
        if let Some(op) = temporal_op(upper) {
            let (left, right) = self.two_args()?;
            return self.temporal(op, left, right);
        }
        match upper {
            "CASEI" => self.text_function(Function::CaseInsensitive),
            "ACCENTI" => self.text_function(Function::AccentInsensitive),
            "DATE" => self.date(),
            "TIMESTAMP" => self.timestamp(),
            "INTERVAL" => self.interval(),
            "BBOX" => self.bbox(),
            _ if GEOMETRY_TAGS.contains(&upper) => self.geometry_literal(),
            _ => Err(self.unknown_function(upper)),
        }
    }

    fn unknown_function(&self, upper: &str) -> FilterError {
        let name = &self.tok().value;
        if ARRAY_FUNCTIONS.contains(&upper) {
            return self.error_at(self.at, format!("the array function '{name}' is not supported"));
        }
        self.error_at(
            self.at,
            format!("unknown function '{name}' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
        )
    }

    /// `NAME ( a , b )`, the operands checked by the caller once both are parsed.
    fn two_args(&mut self) -> Result<(Parsed, Parsed)> {
        self.advance();
        self.expect_sym("(")?;
        let first = self.additive()?;
        self.expect_sym(",")?;
        let second = self.additive()?;
        self.expect_sym(")")?;
        Ok((first, second))
    }

    fn spatial(&self, op: SpatialOp, left: Parsed, right: Parsed) -> Result<Node> {
        let left = self.geometry_operand(left)?;
        let right = self.geometry_operand(right)?;
        Ok(cond(Filter::Spatial { op, left, right }))
    }

    fn temporal(&self, op: TemporalOp, left: Parsed, right: Parsed) -> Result<Node> {
        let left = self.temporal_operand(left)?;
        let right = self.temporal_operand(right)?;
        Ok(cond(Filter::Temporal { op, left, right }))
    }

    fn text_function(&mut self, function: Function) -> Result<Node> {
        self.advance();
        self.expect_sym("(")?;
        let arg = self.additive()?;
        self.expect_sym(")")?;
        self.function(function, arg)
    }

    fn function(&self, function: Function, arg: Parsed) -> Result<Node> {
        let arg = self.character(arg)?;
        Ok(val(Expr::Function { function, args: vec![arg] }))
    }

    fn date(&mut self) -> Result<Node> {
        let (idx, text) = self.string_argument("a quoted date such as '2021-06-30'")?;
        let date = parse_date(&text).ok_or_else(|| self.error_at(idx, format!("expected a date such as '2021-06-30' but found '{text}'")))?;
        self.expect_sym(")")?;
        Ok(val(Expr::Literal(Value::Date(date))))
    }

    fn timestamp(&mut self) -> Result<Node> {
        let (idx, text) = self.string_argument("a quoted timestamp such as '2021-06-30T12:00:00Z'")?;
        let t = parse_timestamp(&text)
            .ok_or_else(|| self.error_at(idx, format!("expected a timestamp such as '2021-06-30T12:00:00Z' but found '{text}'")))?;
        self.expect_sym(")")?;
        Ok(val(Expr::Literal(Value::DateTime(t))))
    }

    /// Consumes `NAME (` and one string literal.
    fn string_argument(&mut self, what: &str) -> Result<(usize, String)> {
        self.advance();
        self.expect_sym("(")?;
        if self.tok().kind != Kind::Str {
            return Err(self.expected(what));
        }
        let idx = self.advance();
        Ok((idx, self.tokens[idx].value.clone()))
    }

    fn interval(&mut self) -> Result<Node> {
        self.advance();
        self.expect_sym("(")?;
        let start_idx = self.at;
        let start = self.interval_bound(false)?;
        self.expect_sym(",")?;
        let end = self.interval_bound(true)?;
        self.expect_sym(")")?;
        if let (Some(s), Some(e)) = (start, end)
            && s > e
        {
            return Err(self.error_at(start_idx, "the INTERVAL starts after it ends"));
        }
        Ok(val(Expr::Interval(Interval { start, end })))
    }

    /// A date bound covers its whole day (its first instant at the start, its last at the end),
    /// as the `datetime` parameter does, so `INTERVAL('2021-01-01','2021-12-31')` is all of 2021.
    fn interval_bound(&mut self, is_end: bool) -> Result<Option<DateTime<Utc>>> {
        let idx = self.at;
        match self.tok().kind {
            Kind::Str => {}
            Kind::Word | Kind::Quoted => {
                return Err(self.error_at(idx, "INTERVAL bounds taken from properties or functions are not supported; expected a quoted date, timestamp or '..'"));
            }
            _ => return Err(self.expected("a quoted date, timestamp or '..'")),
        }
        self.advance();
        let text = &self.tokens[idx].value;
        if text == ".." {
            return Ok(None);
        }
        let instant = if parse_date(text).is_some() {
            Interval::parse(text).ok()
        } else {
            parse_timestamp(text).map(|t| Interval { start: Some(t), end: Some(t) })
        };
        let instant = instant.ok_or_else(|| self.error_at(idx, format!("expected a date, a timestamp or '..' but found '{text}'")))?;
        Ok(if is_end { instant.end } else { instant.start })
    }
}

/// Geometry literals (WKT and BBOX), read from the same tokens as the rest of the filter so
/// errors inside them have exact positions too.
impl Parser<'_> {
    /// A BBOX literal becomes the polygon it covers (counter-clockwise from the south-west
    /// corner); elevations of a 6-number box are dropped, as for `POINT Z`.
    fn bbox(&mut self) -> Result<Node> {
        let start = self.at;
        self.advance();
        let numbers = self.list(Self::signed_number)?;
        let (w, s, e, n) = match numbers[..] {
            [w, s, e, n] | [w, s, _, e, n, _] => (w, s, e, n),
            _ => return Err(self.error_at(start, format!("expected 4 or 6 numbers in BBOX but found {}", numbers.len()))),
        };
        if s > n {
            return Err(self.error_at(start, "the BBOX's southern bound is north of its northern bound"));
        }
        if w > e {
            return Err(self.error_at(start, "the BBOX's western bound is east of its eastern bound (boxes crossing the antimeridian are not supported)"));
        }
        let ring = vec![Coord { x: w, y: s }, Coord { x: e, y: s }, Coord { x: e, y: n }, Coord { x: w, y: n }, Coord { x: w, y: s }];
        Ok(val(Expr::Geometry { geometry: Geometry::Polygon(Polygon::new(LineString(ring), vec![])), crs: Some(self.crs), authority_axes: true }))
    }

    fn geometry_literal(&mut self) -> Result<Node> {
        let geometry = self.geometry(true)?;
        Ok(val(Expr::Geometry { geometry, crs: Some(self.crs), authority_axes: true }))
    }

    /// Simple Features' spatial relations are evaluated on x and y, and geo-types is 2D, so a
    /// `Z` coordinate is read and dropped.
    fn geometry(&mut self, allow_collection: bool) -> Result<Geometry<f64>> {
        let tag = self.tok().value.to_ascii_uppercase();
        let known = self.tok().kind == Kind::Word && GEOMETRY_TAGS.contains(&tag.as_str());
        if !known || (!allow_collection && tag == "GEOMETRYCOLLECTION") {
            return Err(self.expected("POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING or MULTIPOLYGON"));
        }
        self.advance();
        self.eat_word("Z");
        Ok(match tag.as_str() {
            "POINT" => Geometry::Point(Point(self.point_text()?)),
            "LINESTRING" => Geometry::LineString(self.line_text()?),
            "POLYGON" => Geometry::Polygon(self.polygon_text()?),
            "MULTIPOINT" => Geometry::MultiPoint(MultiPoint(self.list(Self::multipoint_member)?)),
            "MULTILINESTRING" => Geometry::MultiLineString(MultiLineString(self.list(Self::line_text)?)),
            "MULTIPOLYGON" => Geometry::MultiPolygon(MultiPolygon(self.list(Self::polygon_text)?)),
            _ => Geometry::GeometryCollection(GeometryCollection(self.list(|p| p.geometry(false))?)),
        })
    }

    fn point_text(&mut self) -> Result<Coord<f64>> {
        self.expect_sym("(")?;
        let c = self.coord()?;
        self.expect_sym(")")?;
        Ok(c)
    }

    /// Both `MULTIPOINT((1 2),(3 4))` (the BNF) and `MULTIPOINT(1 2, 3 4)` (common WKT) are
    /// unambiguous, and clients send both.
    fn multipoint_member(&mut self) -> Result<Point<f64>> {
        if self.is_sym("(") { self.point_text().map(Point) } else { self.coord().map(Point) }
    }

    fn line_text(&mut self) -> Result<LineString<f64>> {
        let start = self.at;
        let coords = self.list(Self::coord)?;
        if coords.len() < 2 {
            return Err(self.error_at(start, "a LINESTRING needs at least 2 positions"));
        }
        Ok(LineString(coords))
    }

    fn polygon_text(&mut self) -> Result<Polygon<f64>> {
        let mut rings = self.list(Self::ring)?.into_iter();
        let exterior = rings.next().unwrap_or_else(|| LineString(vec![]));
        Ok(Polygon::new(exterior, rings.collect()))
    }

    /// Rings are checked rather than silently closed: an unclosed ring is usually a truncated
    /// or mistyped polygon, and the client should hear about it.
    fn ring(&mut self) -> Result<LineString<f64>> {
        let start = self.at;
        let coords = self.list(Self::coord)?;
        if coords.len() < 4 || coords.first() != coords.last() {
            return Err(self.error_at(start, "a polygon ring needs at least 4 positions and must end where it starts"));
        }
        Ok(LineString(coords))
    }

    fn coord(&mut self) -> Result<Coord<f64>> {
        let x = self.signed_number()?;
        let y = self.signed_number()?;
        let z_follows = self.tok().kind == Kind::Num || (matches!(self.sym(), Some("-" | "+")) && self.kind_at(self.at + 1) == Kind::Num);
        if z_follows {
            self.signed_number()?;
        }
        Ok(Coord { x, y })
    }

    fn signed_number(&mut self) -> Result<f64> {
        let negative = self.eat_sym("-");
        if !negative {
            self.eat_sym("+");
        }
        if self.tok().kind != Kind::Num {
            return Err(self.expected("a number"));
        }
        let idx = self.advance();
        let text = &self.tokens[idx].value;
        let signed = if negative { format!("-{text}") } else { text.clone() };
        signed.parse::<f64>().ok().filter(|v| v.is_finite()).ok_or_else(|| self.error_at(idx, format!("the number {signed} is out of range")))
    }

    /// `( item {, item} )`, at least one item.
    fn list<T>(&mut self, mut item: impl FnMut(&mut Self) -> Result<T>) -> Result<Vec<T>> {
        self.expect_sym("(")?;
        let mut out = vec![item(self)?];
        while self.eat_sym(",") {
            out.push(item(self)?);
        }
        self.expect_sym(")")?;
        Ok(out)
    }
}

/// The comparison predicates that follow their first operand.
impl Parser<'_> {
    fn compare(&mut self, op: CompareOp, lhs: Parsed) -> Result<Node> {
        self.advance();
        let rhs = self.additive()?;
        self.comparison(op, lhs, rhs)
    }

    fn comparison(&self, op: CompareOp, lhs: Parsed, rhs: Parsed) -> Result<Node> {
        let left = self.scalar(lhs)?;
        let right = self.scalar(rhs)?;
        Ok(cond(Filter::Compare { op, left, right }))
    }

    /// LIKE, BETWEEN and IN, the predicates `NOT` may precede.
    fn negatable(&mut self, lhs: Parsed, negated: bool) -> Result<Node> {
        if self.is_word("LIKE") {
            self.like(lhs, negated)
        } else if self.is_word("BETWEEN") {
            self.between(lhs, negated)
        } else if self.is_word("IN") {
            self.in_list(lhs, negated)
        } else {
            Err(self.expected("LIKE, BETWEEN or IN"))
        }
    }

    fn like(&mut self, lhs: Parsed, negated: bool) -> Result<Node> {
        self.advance();
        let expr = self.character(lhs)?;
        let (pattern, case_insensitive) = self.pattern()?;
        Ok(negate_if(negated, Filter::Like { expr, pattern, case_insensitive }))
    }

    /// The pattern stays a string, so its wrappers become the `case_insensitive` flag. ACCENTI
    /// has no flag: it is exact to drop only when the pattern is ASCII, where it changes nothing.
    fn pattern(&mut self) -> Result<(String, bool)> {
        let idx = self.at;
        if self.tok().kind == Kind::Str {
            self.advance();
            return Ok((self.tokens[idx].value.clone(), false));
        }
        let accent = self.is_word("ACCENTI");
        if !(accent || self.is_word("CASEI")) || !self.is_sym_at(idx + 1, "(") {
            return Err(self.expected("a quoted pattern, CASEI('...') or ACCENTI('...')"));
        }
        self.enter()?;
        self.advance();
        self.advance();
        let (pattern, case_insensitive) = self.pattern()?;
        self.leave();
        self.expect_sym(")")?;
        if accent && !pattern.is_ascii() {
            return Err(self.error_at(idx, "ACCENTI around a LIKE pattern with accented or other non-ASCII characters is not supported; write the pattern without accents"));
        }
        Ok((pattern, case_insensitive || !accent))
    }

    fn between(&mut self, lhs: Parsed, negated: bool) -> Result<Node> {
        self.advance();
        self.ensure_numeric(&lhs)?;
        let low = self.additive()?;
        self.ensure_numeric(&low)?;
        if !self.eat_word("AND") {
            return Err(self.expected("AND"));
        }
        let high = self.additive()?;
        self.range(lhs, low, high, negated)
    }

    fn range(&self, lhs: Parsed, low: Parsed, high: Parsed, negated: bool) -> Result<Node> {
        Ok(negate_if(negated, Filter::Between { expr: self.numeric(lhs)?, low: self.numeric(low)?, high: self.numeric(high)? }))
    }

    fn in_list(&mut self, lhs: Parsed, negated: bool) -> Result<Node> {
        self.advance();
        self.ensure_scalar(&lhs)?;
        self.expect_sym("(")?;
        let mut items = vec![];
        loop {
            let item = self.additive()?;
            self.ensure_scalar(&item)?;
            items.push(item);
            if !self.eat_sym(",") {
                break;
            }
        }
        self.expect_sym(")")?;
        self.membership(lhs, items, negated)
    }

    fn membership(&self, lhs: Parsed, items: Vec<Parsed>, negated: bool) -> Result<Node> {
        let list = items.into_iter().map(|item| self.scalar(item)).collect::<Result<Vec<_>>>()?;
        Ok(negate_if(negated, Filter::In { expr: self.scalar(lhs)?, list }))
    }

    fn is_null(&mut self, lhs: Parsed) -> Result<Node> {
        self.advance();
        let negated = self.eat_word("NOT");
        if !self.eat_word("NULL") {
            return Err(self.expected(if negated { "NULL" } else { "NULL or NOT NULL" }));
        }
        let test = Filter::IsNull(self.value(lhs)?);
        Ok(cond(if negated { Filter::Not(Box::new(test)) } else { test }))
    }

    fn compare_op(&self) -> Option<CompareOp> {
        Some(match self.sym()? {
            "=" => CompareOp::Eq,
            "<>" => CompareOp::Ne,
            "<" => CompareOp::Lt,
            "<=" => CompareOp::Le,
            ">" => CompareOp::Gt,
            ">=" => CompareOp::Ge,
            _ => return None,
        })
    }

    /// Named here rather than left to a generic "unexpected token": they are valid CQL2 the
    /// filter model cannot express.
    fn refuse_unsupported_operator(&self) -> Result<()> {
        let op = match self.sym() {
            Some(op @ ("%" | "^")) => op,
            _ if self.is_word("div") => "div",
            _ => return Ok(()),
        };
        Err(self.error_at(self.at, format!("the operator '{op}' is not supported (only + - * / are)")))
    }
}

/// Operand checks: what the grammar allows where, with the AST node kind named in the error.
impl Parser<'_> {
    fn condition(&self, parsed: Parsed) -> Result<Filter> {
        match parsed.node {
            Node::Cond(f) => Ok(*f),
            Node::Value(e) => match *e {
                Expr::Literal(Value::Bool(b)) => Ok(Filter::Bool(b)),
                _ => Err(self.expected_at(parsed.end, "a comparison operator, LIKE, BETWEEN, IN or IS")),
            },
        }
    }

    /// Checks without consuming, so a bad operand is reported before what follows it is parsed.
    fn ensure_condition(&self, parsed: &Parsed) -> Result<()> {
        match &parsed.node {
            Node::Value(e) if !matches!(**e, Expr::Literal(Value::Bool(_))) => {
                Err(self.expected_at(parsed.end, "a comparison operator, LIKE, BETWEEN, IN or IS"))
            }
            _ => Ok(()),
        }
    }

    fn value(&self, parsed: Parsed) -> Result<Expr> {
        match parsed.node {
            Node::Value(e) => Ok(*e),
            Node::Cond(_) => Err(self.error_at(parsed.start, "expected a value but found a condition")),
        }
    }

    fn operand(&self, parsed: Parsed, expected: &str, accept: fn(&Expr) -> bool) -> Result<Expr> {
        self.ensure(&parsed, expected, accept)?;
        self.value(parsed)
    }

    fn ensure(&self, parsed: &Parsed, expected: &str, accept: fn(&Expr) -> bool) -> Result<()> {
        match &parsed.node {
            Node::Cond(_) => Err(self.error_at(parsed.start, "expected a value but found a condition")),
            Node::Value(e) if !accept(e) => Err(self.error_at(parsed.start, format!("expected {expected} but found {}", describe_expr(e)))),
            Node::Value(_) => Ok(()),
        }
    }

    fn scalar(&self, parsed: Parsed) -> Result<Expr> {
        self.operand(parsed, SCALAR, is_scalar)
    }

    fn ensure_scalar(&self, parsed: &Parsed) -> Result<()> {
        self.ensure(parsed, SCALAR, is_scalar)
    }

    fn numeric(&self, parsed: Parsed) -> Result<Expr> {
        self.operand(parsed, NUMERIC, is_numeric)
    }

    fn ensure_numeric(&self, parsed: &Parsed) -> Result<()> {
        self.ensure(parsed, NUMERIC, is_numeric)
    }

    fn character(&self, parsed: Parsed) -> Result<Expr> {
        self.operand(parsed, "a string, a property, CASEI(...) or ACCENTI(...)", |e| {
            matches!(e, Expr::Literal(Value::Text(_)) | Expr::Property(_) | Expr::Function { .. })
        })
    }

    fn geometry_operand(&self, parsed: Parsed) -> Result<Expr> {
        self.operand(parsed, "a property, a WKT geometry or a BBOX", |e| matches!(e, Expr::Property(_) | Expr::Geometry { .. }))
    }

    fn temporal_operand(&self, parsed: Parsed) -> Result<Expr> {
        self.operand(parsed, "a property, DATE(...), TIMESTAMP(...) or INTERVAL(...)", |e| {
            matches!(e, Expr::Property(_) | Expr::Interval(_) | Expr::Literal(Value::Date(_) | Value::DateTime(_)))
        })
    }

    fn arithmetic(&self, op: ArithmeticOp, left: Parsed, right: Parsed) -> Result<Parsed> {
        let start = left.start;
        let left = Box::new(self.numeric(left)?);
        let right = Box::new(self.numeric(right)?);
        Ok(self.node(val(Expr::Arithmetic { op, left, right }), start))
    }

    /// Negated literals fold into the literal; anything else becomes `0 - x`, which the AST can
    /// say and SQL evaluates the same way (including for NULL).
    fn negate(&self, parsed: Parsed, start: usize) -> Result<Parsed> {
        let operand_start = parsed.start;
        let negated = match self.numeric(parsed)? {
            Expr::Literal(Value::Int(i)) => {
                Expr::Literal(Value::Int(i.checked_neg().ok_or_else(|| self.error_at(operand_start, "the negated number is out of range"))?))
            }
            Expr::Literal(Value::Float(f)) => Expr::Literal(Value::Float(-f)),
            other => Expr::Arithmetic { op: ArithmeticOp::Sub, left: Box::new(Expr::Literal(Value::Int(0))), right: Box::new(other) },
        };
        Ok(self.node(val(negated), start))
    }

    /// Integers stay exact `Int`s; a decimal point or exponent makes a `Float`.
    fn number_value(&self, idx: usize, negative: bool) -> Result<Value> {
        let text = &self.tokens[idx].value;
        let signed = if negative { format!("-{text}") } else { text.clone() };
        let value = if text.contains(['.', 'e', 'E']) {
            signed.parse::<f64>().ok().filter(|v| v.is_finite()).map(Value::Float)
        } else {
            signed.parse::<i64>().ok().map(Value::Int)
        };
        value.ok_or_else(|| self.error_at(idx, format!("the number {signed} is out of range")))
    }
}

/// Token access and error reporting.
impl Parser<'_> {
    fn tok(&self) -> &Token {
        self.token_at(self.at)
    }

    /// The lexer always ends the list with an `End` token, which lookahead past the end sees.
    fn token_at(&self, i: usize) -> &Token {
        &self.tokens[i.min(self.tokens.len() - 1)]
    }

    fn kind_at(&self, i: usize) -> Kind {
        self.token_at(i).kind
    }

    /// Moves past the current token (never past the end) and returns its index.
    fn advance(&mut self) -> usize {
        let i = self.at;
        if self.tok().kind != Kind::End {
            self.at += 1;
        }
        i
    }

    fn node(&self, node: Node, start: usize) -> Parsed {
        Parsed { node, start, end: self.at }
    }

    fn sym(&self) -> Option<&str> {
        let t = self.tok();
        (t.kind == Kind::Sym).then_some(t.value.as_str())
    }

    fn is_sym(&self, s: &str) -> bool {
        self.is_sym_at(self.at, s)
    }

    fn is_sym_at(&self, i: usize, s: &str) -> bool {
        let t = self.token_at(i);
        t.kind == Kind::Sym && t.value == s
    }

    fn is_word(&self, keyword: &str) -> bool {
        self.is_word_at(self.at, keyword)
    }

    fn is_word_at(&self, i: usize, keyword: &str) -> bool {
        let t = self.token_at(i);
        t.kind == Kind::Word && t.value.eq_ignore_ascii_case(keyword)
    }

    fn eat_word(&mut self, keyword: &str) -> bool {
        let found = self.is_word(keyword);
        if found {
            self.advance();
        }
        found
    }

    fn eat_sym(&mut self, s: &str) -> bool {
        let found = self.is_sym(s);
        if found {
            self.advance();
        }
        found
    }

    fn expect_sym(&mut self, s: &str) -> Result<()> {
        if self.eat_sym(s) { Ok(()) } else { Err(self.expected(&format!("'{s}'"))) }
    }

    /// Guards every recursion that input can repeat without bound (parentheses, NOT, signs,
    /// function arguments). An error abandons the whole parse, so only success calls `leave`.
    fn enter(&mut self) -> Result<()> {
        if self.depth >= MAX_DEPTH {
            return Err(self.error_at(self.at, format!("the filter is nested too deeply (more than {MAX_DEPTH} levels)")));
        }
        self.depth += 1;
        Ok(())
    }

    fn leave(&mut self) {
        self.depth -= 1;
    }

    fn expected(&self, what: &str) -> FilterError {
        self.expected_at(self.at, what)
    }

    fn expected_at(&self, i: usize, what: &str) -> FilterError {
        self.error_at(i, format!("expected {what} but found {}", self.describe(i)))
    }

    fn error_at(&self, i: usize, message: impl std::fmt::Display) -> FilterError {
        error(self.token_at(i).pos, message)
    }

    /// The token as the client wrote it, shortened so a huge literal cannot bloat the message.
    fn describe(&self, i: usize) -> String {
        let t = self.token_at(i);
        if t.kind == Kind::End {
            return "end of input".to_string();
        }
        let written = self.src.get(t.span.clone()).unwrap_or_default();
        let mut short: String = written.chars().take(40).collect();
        if short.len() < written.len() {
            short.push('…');
        }
        if t.kind == Kind::Str { short } else { format!("'{short}'") }
    }
}

fn negate_if(negated: bool, filter: Filter) -> Node {
    cond(if negated { Filter::Not(Box::new(filter)) } else { filter })
}

const SCALAR: &str = "a string, number, boolean, date, timestamp, property or function";

const NUMERIC: &str = "a number, a property, a function or an arithmetic expression";

fn is_scalar(e: &Expr) -> bool {
    !matches!(e, Expr::Geometry { .. } | Expr::Interval(_))
}

fn is_numeric(e: &Expr) -> bool {
    matches!(e, Expr::Literal(Value::Int(_) | Value::Float(_)) | Expr::Property(_) | Expr::Function { .. } | Expr::Arithmetic { .. })
}

fn describe_expr(e: &Expr) -> &'static str {
    match e {
        Expr::Property(_) => "a property",
        Expr::Literal(Value::Text(_)) => "a string",
        Expr::Literal(Value::Int(_) | Value::Float(_)) => "a number",
        Expr::Literal(Value::Bool(_)) => "a boolean",
        Expr::Literal(Value::Date(_)) => "a date",
        Expr::Literal(Value::DateTime(_)) => "a timestamp",
        Expr::Literal(Value::Null) => "null",
        Expr::Geometry { .. } => "a geometry",
        Expr::Interval(_) => "an interval",
        Expr::Arithmetic { .. } => "an arithmetic expression",
        Expr::Function { .. } => "a function call",
    }
}

/// The BNF's `fullDate`, strictly: chrono alone would also take `2021-6-30` or `+2021-06-30`.
fn parse_date(text: &str) -> Option<NaiveDate> {
    let b = text.as_bytes();
    let shape = b.len() == 10 && b[4] == b'-' && b[7] == b'-' && b.iter().enumerate().all(|(i, c)| i == 4 || i == 7 || c.is_ascii_digit());
    if !shape {
        return None;
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d").ok()
}

/// A full date, `T`, and an RFC 3339 time. The BNF only has `Z`, but a numeric offset names the
/// same instant unambiguously, so it is accepted and normalised to UTC.
fn parse_timestamp(text: &str) -> Option<DateTime<Utc>> {
    let date_part = text.get(..10)?;
    if parse_date(date_part).is_none() || !matches!(text.as_bytes().get(10), Some(b'T' | b't')) {
        return None;
    }
    Some(DateTime::parse_from_rfc3339(text).ok()?.with_timezone(&Utc))
}

fn spatial_op(name: &str) -> Option<SpatialOp> {
    Some(match name {
        "S_INTERSECTS" => SpatialOp::Intersects,
        "S_EQUALS" => SpatialOp::Equals,
        "S_DISJOINT" => SpatialOp::Disjoint,
        "S_TOUCHES" => SpatialOp::Touches,
        "S_WITHIN" => SpatialOp::Within,
        "S_OVERLAPS" => SpatialOp::Overlaps,
        "S_CROSSES" => SpatialOp::Crosses,
        "S_CONTAINS" => SpatialOp::Contains,
        _ => return None,
    })
}

fn temporal_op(name: &str) -> Option<TemporalOp> {
    Some(match name {
        "T_AFTER" => TemporalOp::After,
        "T_BEFORE" => TemporalOp::Before,
        "T_CONTAINS" => TemporalOp::Contains,
        "T_DISJOINT" => TemporalOp::Disjoint,
        "T_DURING" => TemporalOp::During,
        "T_EQUALS" => TemporalOp::Equals,
        "T_FINISHEDBY" => TemporalOp::FinishedBy,
        "T_FINISHES" => TemporalOp::Finishes,
        "T_INTERSECTS" => TemporalOp::Intersects,
        "T_MEETS" => TemporalOp::Meets,
        "T_METBY" => TemporalOp::MetBy,
        "T_OVERLAPPEDBY" => TemporalOp::OverlappedBy,
        "T_OVERLAPS" => TemporalOp::Overlaps,
        "T_STARTEDBY" => TemporalOp::StartedBy,
        "T_STARTS" => TemporalOp::Starts,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::filter::test_support::*;
    use chrono::TimeZone;

    fn ok(text: &str) -> Filter {
        parse(text, None).unwrap_or_else(|e| panic!("{text}: {e}"))
    }

    fn err(text: &str) -> String {
        match parse(text, None) {
            Ok(f) => panic!("{text} parsed as {f:?}"),
            Err(e) => e.message,
        }
    }

    fn boolean(b: bool) -> Expr {
        Expr::Literal(Value::Bool(b))
    }

    fn date(s: &str) -> Expr {
        Expr::Literal(Value::Date(NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()))
    }

    fn timestamp(s: &str) -> Expr {
        Expr::Literal(Value::DateTime(utc(s)))
    }

    fn interval(start: Option<DateTime<Utc>>, end: Option<DateTime<Utc>>) -> Expr {
        Expr::Interval(Interval { start, end })
    }

    fn like(expr: Expr, pattern: &str) -> Filter {
        Filter::Like { expr, pattern: pattern.into(), case_insensitive: false }
    }

    fn not(f: Filter) -> Filter {
        Filter::Not(Box::new(f))
    }

    fn arith(op: ArithmeticOp, left: Expr, right: Expr) -> Expr {
        Expr::Arithmetic { op, left: Box::new(left), right: Box::new(right) }
    }

    fn func(function: Function, arg: Expr) -> Expr {
        Expr::Function { function, args: vec![arg] }
    }

    fn geom(geometry: impl Into<Geometry<f64>>) -> Expr {
        Expr::Geometry { geometry: geometry.into(), crs: Some(Crs::Crs84), authority_axes: true }
    }

    fn coords(xy: &[(f64, f64)]) -> LineString<f64> {
        LineString(xy.iter().map(|&(x, y)| Coord { x, y }).collect())
    }

    fn polygon(exterior: &[(f64, f64)]) -> Polygon<f64> {
        Polygon::new(coords(exterior), vec![])
    }

    fn bbox(w: f64, s: f64, e: f64, n: f64) -> Expr {
        geom(polygon(&[(w, s), (e, s), (e, n), (w, n), (w, s)]))
    }

    fn spatial(op: SpatialOp, left: Expr, right: Expr) -> Filter {
        Filter::Spatial { op, left, right }
    }

    fn temporal(op: TemporalOp, left: Expr, right: Expr) -> Filter {
        Filter::Temporal { op, left, right }
    }

    // --- Examples of OGC 21-065r2 (the standard's text examples), exact ASTs -------------------

    #[test]
    fn basic_comparisons() {
        assert_eq!(ok("city='Toronto'"), eq(prop("city"), text("Toronto")));
        assert_eq!(ok("landsat:scene_id = 'LC82030282019133LGN00'"), eq(prop("landsat:scene_id"), text("LC82030282019133LGN00")));
        assert_eq!(ok("floors>5"), cmp(CompareOp::Gt, prop("floors"), int(5)));
        assert_eq!(ok("taxes <= 500"), cmp(CompareOp::Le, prop("taxes"), int(500)));
        assert_eq!(ok("swimming_pool = true"), eq(prop("swimming_pool"), boolean(true)));
        assert_eq!(ok(r#""value" < 10"#), cmp(CompareOp::Lt, prop("value"), int(10)));
        assert_eq!(ok(r#""value" >= 10"#), cmp(CompareOp::Ge, prop("value"), int(10)));
        assert_eq!(
            ok(r#""id" <> 'fa7e1920-9107-422d-a3db-c468cbc5d6df'"#),
            cmp(CompareOp::Ne, prop("id"), text("fa7e1920-9107-422d-a3db-c468cbc5d6df"))
        );
        assert_eq!(ok("updated >= date('1970-01-01')"), cmp(CompareOp::Ge, prop("updated"), date("1970-01-01")));
    }

    #[test]
    fn boolean_literals_and_null_tests() {
        assert_eq!(ok("true"), Filter::Bool(true));
        assert_eq!(ok("FALSE"), Filter::Bool(false));
        assert_eq!(ok("NOT (TRUE)"), not(Filter::Bool(true)));
        assert_eq!(ok("intfield IS NULL"), Filter::IsNull(prop("intfield")));
        assert_eq!(ok("intfield is not null"), not(Filter::IsNull(prop("intfield"))));
        assert_eq!(ok("geometry IS NOT NULL"), not(Filter::IsNull(prop("geometry"))));
        assert_eq!(ok(r#"NOT "value" IS NULL"#), not(Filter::IsNull(prop("value"))));
        assert_eq!(ok("FALSE <> flag"), cmp(CompareOp::Ne, boolean(false), prop("flag")));
    }

    #[test]
    fn logical_connectives() {
        let cc = prop("eo:cloud_cover");
        assert_eq!(
            ok("eo:cloud_cover < 0.1 AND landsat:wrs_row=28 AND landsat:wrs_path=203"),
            Filter::And(vec![
                cmp(CompareOp::Lt, cc.clone(), float(0.1)),
                eq(prop("landsat:wrs_row"), int(28)),
                eq(prop("landsat:wrs_path"), int(203)),
            ])
        );
        assert_eq!(
            ok("eo:cloud_cover=0.1 OR eo:cloud_cover=0.2"),
            Filter::Or(vec![eq(cc.clone(), float(0.1)), eq(cc.clone(), float(0.2))])
        );
        assert_eq!(
            ok("eo:cloud_cover BETWEEN 0.1 AND 0.2 AND landsat:wrs_row=28 AND landsat:wrs_path=203"),
            Filter::And(vec![
                Filter::Between { expr: cc, low: float(0.1), high: float(0.2) },
                eq(prop("landsat:wrs_row"), int(28)),
                eq(prop("landsat:wrs_path"), int(203)),
            ])
        );
        assert_eq!(
            ok("swimming_pool=true AND (floors>5 OR material LIKE 'brick%' OR material LIKE '%brick')"),
            Filter::And(vec![
                eq(prop("swimming_pool"), boolean(true)),
                Filter::Or(vec![
                    cmp(CompareOp::Gt, prop("floors"), int(5)),
                    like(prop("material"), "brick%"),
                    like(prop("material"), "%brick"),
                ]),
            ])
        );
        assert_eq!(
            ok("(floors>5 AND material='brick') OR swimming_pool=true"),
            Filter::Or(vec![
                Filter::And(vec![cmp(CompareOp::Gt, prop("floors"), int(5)), eq(prop("material"), text("brick"))]),
                eq(prop("swimming_pool"), boolean(true)),
            ])
        );
        assert_eq!(
            ok("NOT (floors<5) OR swimming_pool=true"),
            Filter::Or(vec![not(cmp(CompareOp::Lt, prop("floors"), int(5))), eq(prop("swimming_pool"), boolean(true))])
        );
        assert_eq!(
            ok("(owner LIKE 'mike%' OR owner LIKE 'Mike%') AND floors<4"),
            Filter::And(vec![
                Filter::Or(vec![like(prop("owner"), "mike%"), like(prop("owner"), "Mike%")]),
                cmp(CompareOp::Lt, prop("floors"), int(4)),
            ])
        );
        assert_eq!(
            ok(r#"(NOT "name" LIKE 'foo%' AND "value" > 10)"#),
            Filter::And(vec![not(like(prop("name"), "foo%")), cmp(CompareOp::Gt, prop("value"), int(10))])
        );
        assert_eq!(
            ok(r#"("value" IS NULL OR "value" BETWEEN 10 AND 20)"#),
            Filter::Or(vec![Filter::IsNull(prop("value")), Filter::Between { expr: prop("value"), low: int(10), high: int(20) }])
        );
    }

    #[test]
    fn precedence_and_case_insensitive_keywords() {
        let (a, b, c) = (eq(prop("a"), int(1)), eq(prop("b"), int(2)), eq(prop("c"), int(3)));
        assert_eq!(ok("a = 1 OR b = 2 AND c = 3"), Filter::Or(vec![a.clone(), Filter::And(vec![b.clone(), c.clone()])]));
        assert_eq!(ok("a = 1 and b = 2 or c = 3"), Filter::Or(vec![Filter::And(vec![a.clone(), b.clone()]), c.clone()]));
        assert_eq!(ok("NOT a = 1 AND b = 2"), Filter::And(vec![not(a.clone()), b.clone()]));
        assert_eq!(ok("not not a = 1"), not(not(a.clone())));
        assert_eq!(ok("((a = 1))"), a);
        assert_eq!(
            ok("x between 1 and 2 Or NoT y LiKe 'z'"),
            Filter::Or(vec![Filter::Between { expr: prop("x"), low: int(1), high: int(2) }, not(like(prop("y"), "z"))])
        );
    }

    #[test]
    fn advanced_comparison_operators() {
        assert_eq!(ok("name LIKE 'Smith%'"), like(prop("name"), "Smith%"));
        assert_eq!(ok("owner NOT LIKE '%Mike%'"), not(like(prop("owner"), "%Mike%")));
        assert_eq!(ok("textfield like ''"), like(prop("textfield"), ""));
        assert_eq!(ok(r"textfield like '\%\_'"), like(prop("textfield"), r"\%\_"));
        assert_eq!(ok("depth BETWEEN 100.0 and 150.0"), Filter::Between { expr: prop("depth"), low: float(100.0), high: float(150.0) });
        assert_eq!(ok(r#"NOT "value" BETWEEN 10 AND 20"#), not(Filter::Between { expr: prop("value"), low: int(10), high: int(20) }));
        assert_eq!(ok("x NOT BETWEEN -1 AND y + 1"), not(Filter::Between { expr: prop("x"), low: int(-1), high: arith(ArithmeticOp::Add, prop("y"), int(1)) }));
        assert_eq!(
            ok("cityName IN ('Toronto','Frankfurt','Tokyo','New York')"),
            Filter::In { expr: prop("cityName"), list: vec![text("Toronto"), text("Frankfurt"), text("Tokyo"), text("New York")] }
        );
        assert_eq!(ok("category NOT IN (1,2,3,4)"), not(Filter::In { expr: prop("category"), list: vec![int(1), int(2), int(3), int(4)] }));
        assert_eq!(ok(r#""value" IN (1.0, 2.0, 3.0)"#), Filter::In { expr: prop("value"), list: vec![float(1.0), float(2.0), float(3.0)] });
        assert_eq!(ok(r#"NOT "value" IN ('a', 'b', 'c')"#), not(Filter::In { expr: prop("value"), list: vec![text("a"), text("b"), text("c")] }));
    }

    #[test]
    fn case_and_accent_insensitive_comparisons() {
        let casei = |e| func(Function::CaseInsensitive, e);
        let accenti = |e| func(Function::AccentInsensitive, e);
        assert_eq!(
            ok("CASEI(road_class) IN (CASEI('Οδος'),CASEI('Straße'))"),
            Filter::In { expr: casei(prop("road_class")), list: vec![casei(text("Οδος")), casei(text("Straße"))] }
        );
        assert_eq!(ok("ACCENTI(etat_vol) = ACCENTI('débárquér')"), eq(accenti(prop("etat_vol")), accenti(text("débárquér"))));
        assert_eq!(ok(r#"CASEI("owner") = casei('somebody else')"#), eq(casei(prop("owner")), casei(text("somebody else"))));
        assert_eq!(
            ok("ACCENTI(CASEI(textfield)) = accenti(casei('ÄÉ'))"),
            eq(accenti(casei(prop("textfield"))), accenti(casei(text("ÄÉ"))))
        );
        assert_eq!(
            ok("CASEI(geophys:SURVEY_NAME) LIKE CASEI('%calcutta%')"),
            Filter::Like { expr: casei(prop("geophys:SURVEY_NAME")), pattern: "%calcutta%".into(), case_insensitive: true }
        );
        assert_eq!(ok(r#""name" LIKE CASEI('FOO%')"#), Filter::Like { expr: prop("name"), pattern: "FOO%".into(), case_insensitive: true });
        assert_eq!(
            ok("ACCENTI(textfield) LIKE accenti('A%')"),
            Filter::Like { expr: accenti(prop("textfield")), pattern: "A%".into(), case_insensitive: false }
        );
        assert_eq!(
            ok("ACCENTI(CASEI(textfield)) LIKE accenti(casei('a%'))"),
            Filter::Like { expr: accenti(casei(prop("textfield"))), pattern: "a%".into(), case_insensitive: true }
        );
    }

    #[test]
    fn property_property_and_arithmetic() {
        use ArithmeticOp::*;
        assert_eq!(ok("floatfield >= intfield"), cmp(CompareOp::Ge, prop("floatfield"), prop("intfield")));
        assert_eq!(ok("balance-150.0 > 0"), cmp(CompareOp::Gt, arith(Sub, prop("balance"), float(150.0)), int(0)));
        assert_eq!(ok("vehicle_height > (bridge_clearance-1)"), cmp(CompareOp::Gt, prop("vehicle_height"), arith(Sub, prop("bridge_clearance"), int(1))));
        assert_eq!(ok(r#""value" > ("foo" + 10)"#), cmp(CompareOp::Gt, prop("value"), arith(Add, prop("foo"), int(10))));
        assert_eq!(ok(r#""value" <> (22.1 * "foo")"#), cmp(CompareOp::Ne, prop("value"), arith(Mul, float(22.1), prop("foo"))));
        assert_eq!(ok(r#""value" = (2 / "foo")"#), eq(prop("value"), arith(Div, int(2), prop("foo"))));
        assert_eq!(
            ok(r#""value" = (((-1 * "foo") * 2.0) + ("bar" / 6.1234))"#),
            eq(prop("value"), arith(Add, arith(Mul, arith(Mul, int(-1), prop("foo")), float(2.0)), arith(Div, prop("bar"), float(6.1234))))
        );
        // * binds tighter than +, both associate to the left.
        assert_eq!(
            ok("a + b * c - d / 2 > 0"),
            cmp(CompareOp::Gt, arith(Sub, arith(Add, prop("a"), arith(Mul, prop("b"), prop("c"))), arith(Div, prop("d"), int(2))), int(0))
        );
        assert_eq!(ok("a - b - c = 0"), eq(arith(Sub, arith(Sub, prop("a"), prop("b")), prop("c")), int(0)));
        assert_eq!(ok("(a + 1) * 2 > 3"), cmp(CompareOp::Gt, arith(Mul, arith(Add, prop("a"), int(1)), int(2)), int(3)));
        assert_eq!(ok("3 < (a)"), cmp(CompareOp::Lt, int(3), prop("a")));
    }

    #[test]
    fn signs_and_numbers() {
        use ArithmeticOp::*;
        assert_eq!(ok("x = -5"), eq(prop("x"), int(-5)));
        assert_eq!(ok("x = +5"), eq(prop("x"), int(5)));
        assert_eq!(ok("x = - 2.5"), eq(prop("x"), float(-2.5)));
        assert_eq!(ok("x > - -3"), cmp(CompareOp::Gt, prop("x"), int(3)));
        assert_eq!(ok("x = -(2)"), eq(prop("x"), int(-2)));
        assert_eq!(ok("x = -y"), eq(prop("x"), arith(Sub, int(0), prop("y"))));
        assert_eq!(ok("x = -9223372036854775808"), eq(prop("x"), int(i64::MIN)));
        assert_eq!(ok("x < 1.5E3"), cmp(CompareOp::Lt, prop("x"), float(1500.0)));
        assert_eq!(ok("x < 2e-3"), cmp(CompareOp::Lt, prop("x"), float(0.002)));
        assert_eq!(ok("x = .5"), eq(prop("x"), float(0.5)));
        assert_eq!(ok("x = 5."), eq(prop("x"), float(5.0)));
        assert_eq!(ok("x = 007"), eq(prop("x"), int(7)));
    }

    #[test]
    fn names_and_strings() {
        assert_eq!(ok("name = 'L''Haÿ-les-Roses'"), eq(prop("name"), text("L'Haÿ-les-Roses")));
        assert_eq!(ok("région = 'Île-de-France'"), eq(prop("région"), text("Île-de-France")));
        assert_eq!(ok("properties.name = ''"), eq(prop("properties.name"), text("")));
        assert_eq!(ok(r#""date" = DATE('2021-06-30')"#), eq(prop("date"), date("2021-06-30")));
        assert_eq!(ok(r#""AND" = "my field""#), eq(prop("AND"), prop("my field")));
        // Keywords that only construct literals stay usable as names when no '(' follows.
        assert_eq!(ok("point = interval"), eq(prop("point"), prop("interval")));
        assert_eq!(ok("a\t=\n'x'\u{3000}"), eq(prop("a"), text("x")));
    }

    #[test]
    fn spatial_functions_and_literals() {
        use SpatialOp::*;
        assert_eq!(
            ok("S_INTERSECTS(geometry,POINT(36.319836 32.288087))"),
            spatial(Intersects, prop("geometry"), geom(Point::new(36.319836, 32.288087)))
        );
        assert_eq!(ok("S_WITHIN(location,BBOX(-118,33.8,-117.9,34))"), spatial(Within, prop("location"), bbox(-118.0, 33.8, -117.9, 34.0)));
        assert_eq!(
            ok(r#"S_INTERSECTS("geometry", BBOX(-128.098193, -1.1, -99999.0, 180.0, 90.0, 100000.0))"#),
            spatial(Intersects, prop("geometry"), bbox(-128.098193, -1.1, 180.0, 90.0))
        );
        assert_eq!(
            ok(r#"S_OVERLAPS("geometry", BBOX(-179.912109, 1.9, 180.0, 16.897016))"#),
            spatial(Overlaps, prop("geometry"), bbox(-179.912109, 1.9, 180.0, 16.897016))
        );
        assert_eq!(
            ok("S_INTERSECTS(geometry,POLYGON((-10.0 -10.0,10.0 -10.0,10.0 10.0,-10.0 -10.0)))"),
            spatial(Intersects, prop("geometry"), geom(polygon(&[(-10.0, -10.0), (10.0, -10.0), (10.0, 10.0), (-10.0, -10.0)])))
        );
        assert_eq!(
            ok(r#"S_CONTAINS("geometry", POINT (-3.508362 -1.754181))"#),
            spatial(Contains, prop("geometry"), geom(Point::new(-3.508362, -1.754181)))
        );
        assert_eq!(
            ok(r#"S_CROSSES("geometry", LINESTRING (172.03086 1.5, 1.1 -90.0, -159.757695 0.99999))"#),
            spatial(Crosses, prop("geometry"), geom(coords(&[(172.03086, 1.5), (1.1, -90.0), (-159.757695, 0.99999)])))
        );
        assert_eq!(
            ok(r#"S_EQUALS(POLYGON ((-0.333333 89.0, -102.723546 -0.5, -179.0 -89.0, -0.333333 89.0)), "geometry")"#),
            spatial(Equals, geom(polygon(&[(-0.333333, 89.0), (-102.723546, -0.5), (-179.0, -89.0), (-0.333333, 89.0)])), prop("geometry"))
        );
        assert_eq!(
            ok(r#"S_DISJOINT("geometry", MULTIPOLYGON (((144.022387 45.176126, -1.1 0.0, 180.0 47.808086, 144.022387 45.176126))))"#),
            spatial(
                Disjoint,
                prop("geometry"),
                geom(MultiPolygon(vec![polygon(&[(144.022387, 45.176126), (-1.1, 0.0), (180.0, 47.808086), (144.022387, 45.176126)])]))
            )
        );
        assert_eq!(
            ok(r#"S_TOUCHES("geometry", MULTILINESTRING ((-1.9 -0.99999, 75.292574 1.5),(-1.9 -1.1, 1.5 8.547371)))"#),
            spatial(
                Touches,
                prop("geometry"),
                geom(MultiLineString(vec![coords(&[(-1.9, -0.99999), (75.292574, 1.5)]), coords(&[(-1.9, -1.1), (1.5, 8.547371)])]))
            )
        );
    }

    #[test]
    fn spatial_literal_variants() {
        use SpatialOp::*;
        let ring = |xy: &[(f64, f64)]| coords(xy);
        assert_eq!(
            ok("S_WITHIN(POLYGON Z ((-49.88 0.5 -75993.3, -1.5 -0.99 -100000.0, 0.0 0.5 -0.33, -49.88 0.5 -75993.3), (-65.8 2.0 -1.0, 0.3 -53.0 -7.9, 180.0 0.0 1852.6, -65.8 2.0 -1.0)), \"geometry\")"),
            spatial(
                Within,
                geom(Polygon::new(
                    ring(&[(-49.88, 0.5), (-1.5, -0.99), (0.0, 0.5), (-49.88, 0.5)]),
                    vec![ring(&[(-65.8, 2.0), (0.3, -53.0), (180.0, 0.0), (-65.8, 2.0)])]
                )),
                prop("geometry")
            )
        );
        let points = geom(MultiPoint(vec![Point::new(180.0, -0.5), Point::new(179.0, -47.121701)]));
        assert_eq!(ok(r#"S_EQUALS(MULTIPOINT ((180.0 -0.5), (179.0 -47.121701)), "geometry")"#), spatial(Equals, points.clone(), prop("geometry")));
        assert_eq!(ok(r#"S_EQUALS(MULTIPOINT (180.0 -0.5, 179.0 -47.121701), "geometry")"#), spatial(Equals, points, prop("geometry")));
        assert_eq!(
            ok(r#"S_EQUALS(GEOMETRYCOLLECTION (POINT (1.9 2.00001), LINESTRING (179.0 1.179148, 0.5 0.333333)), "geometry")"#),
            spatial(
                Equals,
                geom(Geometry::GeometryCollection(GeometryCollection(vec![
                    Point::new(1.9, 2.00001).into(),
                    coords(&[(179.0, 1.179148), (0.5, 0.333333)]).into()
                ]))),
                prop("geometry")
            )
        );
        assert_eq!(ok("s_intersects(geom, point z (1 2 3))"), spatial(Intersects, prop("geom"), geom(Point::new(1.0, 2.0))));
        // The filter-crs applies to every geometry literal, BBOX included.
        let f = parse("S_INTERSECTS(geom, BBOX(0, 1, 2, 3))", Some(Crs::LAMBERT93)).unwrap();
        let Filter::Spatial { right: Expr::Geometry { crs, .. }, .. } = f else { panic!("{f:?}") };
        assert_eq!(crs, Some(Crs::LAMBERT93));
    }

    #[test]
    fn every_spatial_and_temporal_function_name() {
        use SpatialOp as S;
        use TemporalOp as T;
        for (name, op) in [
            ("S_INTERSECTS", S::Intersects),
            ("S_EQUALS", S::Equals),
            ("S_DISJOINT", S::Disjoint),
            ("S_TOUCHES", S::Touches),
            ("S_WITHIN", S::Within),
            ("S_OVERLAPS", S::Overlaps),
            ("S_CROSSES", S::Crosses),
            ("s_contains", S::Contains),
        ] {
            assert_eq!(ok(&format!("{name}(a, b)")), spatial(op, prop("a"), prop("b")), "{name}");
        }
        for (name, op) in [
            ("T_AFTER", T::After),
            ("T_BEFORE", T::Before),
            ("T_CONTAINS", T::Contains),
            ("T_DISJOINT", T::Disjoint),
            ("T_DURING", T::During),
            ("T_EQUALS", T::Equals),
            ("T_FINISHEDBY", T::FinishedBy),
            ("T_FINISHES", T::Finishes),
            ("T_INTERSECTS", T::Intersects),
            ("T_MEETS", T::Meets),
            ("T_METBY", T::MetBy),
            ("T_OVERLAPPEDBY", T::OverlappedBy),
            ("T_OVERLAPS", T::Overlaps),
            ("T_STARTEDBY", T::StartedBy),
            ("t_starts", T::Starts),
        ] {
            assert_eq!(ok(&format!("{name}(a, b)")), temporal(op, prop("a"), prop("b")), "{name}");
        }
    }

    #[test]
    fn temporal_functions_and_literals() {
        use TemporalOp::*;
        assert_eq!(ok("T_BEFORE(built, DATE('2015-01-01'))"), temporal(Before, prop("built"), date("2015-01-01")));
        assert_eq!(ok("T_AFTER(built,DATE('2012-06-05'))"), temporal(After, prop("built"), date("2012-06-05")));
        assert_eq!(
            ok(r#"T_BEFORE("updated_at", TIMESTAMP('2012-08-10T05:30:00.000000Z'))"#),
            temporal(Before, prop("updated_at"), timestamp("2012-08-10T05:30:00Z"))
        );
        assert_eq!(
            ok("T_AFTER(ts, TIMESTAMP('2021-06-30T14:00:00+02:00'))"),
            temporal(After, prop("ts"), timestamp("2021-06-30T12:00:00Z"))
        );
        assert_eq!(
            ok("T_INTERSECTS(event_time, INTERVAL('1969-07-16T05:32:00Z', '1969-07-24T16:50:35Z'))"),
            temporal(Intersects, prop("event_time"), interval(Some(utc("1969-07-16T05:32:00Z")), Some(utc("1969-07-24T16:50:35Z"))))
        );
        assert_eq!(
            ok("T_DURING(INTERVAL('1969-07-20T20:17:40Z', '1969-07-21T17:54:00Z'), INTERVAL('1969-07-16T13:32:00Z', '1969-07-24T16:50:35Z'))"),
            temporal(
                During,
                interval(Some(utc("1969-07-20T20:17:40Z")), Some(utc("1969-07-21T17:54:00Z"))),
                interval(Some(utc("1969-07-16T13:32:00Z")), Some(utc("1969-07-24T16:50:35Z")))
            )
        );
        assert_eq!(
            ok("T_DISJOINT(INTERVAL('..', '2005-01-10T01:01:01.393216Z'), updated_at)"),
            temporal(Disjoint, interval(None, Some(utc("2005-01-10T01:01:01.393216Z"))), prop("updated_at"))
        );
        assert_eq!(
            ok("T_STARTS(ts, INTERVAL('1991-10-07T08:21:06.393262Z', '..'))"),
            temporal(Starts, prop("ts"), interval(Some(utc("1991-10-07T08:21:06.393262Z")), None))
        );
        // Date bounds cover their whole day, as in the datetime parameter.
        let last_instant = Utc.with_ymd_and_hms(2010, 2, 10, 23, 59, 59).unwrap() + chrono::Duration::microseconds(999_999);
        assert_eq!(
            ok("T_MEETS(INTERVAL('2005-01-10', '2010-02-10'), ts)"),
            temporal(Meets, interval(Some(utc("2005-01-10T00:00:00Z")), Some(last_instant)), prop("ts"))
        );
        assert_eq!(ok("T_INTERSECTS(ts, INTERVAL('..', '..'))"), temporal(Intersects, prop("ts"), interval(None, None)));
    }

    #[test]
    fn injection_attempts_stay_literal_or_fail() {
        // A quote doubled inside a string is part of the value, never the end of the literal.
        assert_eq!(ok("nom = 'x''; DROP TABLE t; --'"), eq(prop("nom"), text("x'; DROP TABLE t; --")));
        assert_eq!(ok("nom = 'a'' OR ''1''=''1'"), eq(prop("nom"), text("a' OR '1'='1")));
        assert_eq!(ok("nom = 'a' OR 1=1"), Filter::Or(vec![eq(prop("nom"), text("a")), eq(int(1), int(1))]));
        assert_eq!(err("nom = 'x'; DROP TABLE t; --"), "at character 10: expected a name, a literal, an operator or a parenthesis but found ';'");
        assert_eq!(err("nom = 'a' OR 1=1 --"), "at character 20: expected a property, a literal, a function or '(' but found end of input");
        assert_eq!(err("nom = 'a' /* comment */"), "at character 12: expected a property, a literal, a function or '(' but found '*'");
        assert_eq!(err("\"nom\" = 1; SELECT 1"), "at character 10: expected a name, a literal, an operator or a parenthesis but found ';'");
    }

    // --- Refusals: position and message -----------------------------------------------------------

    #[test]
    fn syntax_errors_name_position_and_expectation() {
        let cases = [
            ("", "at character 1: expected a property, a literal, a function or '(' but found end of input"),
            ("   ", "at character 4: expected a property, a literal, a function or '(' but found end of input"),
            ("a = 1 AND", "at character 10: expected a property, a literal, a function or '(' but found end of input"),
            ("(a = 1", "at character 7: expected ')' but found end of input"),
            ("a = 1)", "at character 6: expected AND, OR or the end of the filter but found ')'"),
            ("S_INTERSECTS(geom, POINT(1 2) AND x = 1", "at character 31: expected ')' but found 'AND'"),
            ("a = 1 b = 2", "at character 7: expected AND, OR or the end of the filter but found 'b'"),
            ("a = 1 = 2", "at character 7: expected AND, OR or the end of the filter but found '='"),
            ("a", "at character 2: expected a comparison operator, LIKE, BETWEEN, IN or IS but found end of input"),
            ("a + 1 AND b = 2", "at character 7: expected a comparison operator, LIKE, BETWEEN, IN or IS but found 'AND'"),
            ("(a) OR b = 1", "at character 5: expected a comparison operator, LIKE, BETWEEN, IN or IS but found 'OR'"),
            ("a = NULL", "at character 5: expected a value but found 'NULL' (test for a missing value with IS NULL or IS NOT NULL)"),
            ("a NOT NULL", "at character 7: expected LIKE, BETWEEN or IN but found 'NULL'"),
            ("a IS 5", "at character 6: expected NULL or NOT NULL but found '5'"),
            ("a IS NOT 5", "at character 10: expected NULL but found '5'"),
            ("a = AND", "at character 5: expected a property, a literal, a function or '(' but found 'AND'"),
            ("a BETWEEN 1 OR 2", "at character 13: expected AND but found 'OR'"),
            ("x IN ()", "at character 7: expected a property, a literal, a function or '(' but found ')'"),
            ("x IN 1", "at character 6: expected '(' but found '1'"),
            ("a LIKE b", "at character 8: expected a quoted pattern, CASEI('...') or ACCENTI('...') but found 'b'"),
            ("name = 'abc", "at character 8: expected a closing ' for the string starting here but found end of input"),
            ("\"name = 1", "at character 1: expected a closing \" for the name starting here but found end of input"),
            ("\"\" = 1", "at character 1: expected a property name between the double quotes but found \"\""),
            ("a != 1", "at character 3: expected a name, a literal, an operator or a parenthesis but found '!'"),
            ("a = 'x' AND b = 'very long literal that should be shortened in messages' c", "at character 74: expected AND, OR or the end of the filter but found 'c'"),
            ("a = 1 AND 'very long literal that should be shortened in messages'", "at character 67: expected a comparison operator, LIKE, BETWEEN, IN or IS but found end of input"),
            ("a = 1 'very long literal that should be shortened in messages'", "at character 7: expected AND, OR or the end of the filter but found 'very long literal that should be shorte…"),
        ];
        for (input, message) in cases {
            assert_eq!(err(input), message, "{input}");
        }
    }

    #[test]
    fn kind_errors_name_what_was_found() {
        let cases = [
            ("(a = 1) = TRUE", "at character 1: expected a value but found a condition"),
            ("S_INTERSECTS(a, b) IS NULL", "at character 1: expected a value but found a condition"),
            ("'abc' + 1 > 2", "at character 1: expected a number, a property, a function or an arithmetic expression but found a string"),
            ("x = -'a'", "at character 6: expected a number, a property, a function or an arithmetic expression but found a string"),
            ("a BETWEEN 'a' AND 'c'", "at character 11: expected a number, a property, a function or an arithmetic expression but found a string"),
            ("S_INTERSECTS(geom, 5)", "at character 20: expected a property, a WKT geometry or a BBOX but found a number"),
            ("S_INTERSECTS(geom, DATE('2021-01-01'))", "at character 20: expected a property, a WKT geometry or a BBOX but found a date"),
            ("T_AFTER(ts, 'x')", "at character 13: expected a property, DATE(...), TIMESTAMP(...) or INTERVAL(...) but found a string"),
            ("T_AFTER(ts, POINT(1 2))", "at character 13: expected a property, DATE(...), TIMESTAMP(...) or INTERVAL(...) but found a geometry"),
            ("g = POINT(1 2)", "at character 5: expected a string, number, boolean, date, timestamp, property or function but found a geometry"),
            ("CASEI(5) = 'a'", "at character 7: expected a string, a property, CASEI(...) or ACCENTI(...) but found a number"),
            ("5 LIKE 'a'", "at character 1: expected a string, a property, CASEI(...) or ACCENTI(...) but found a number"),
            ("CASEI(a, b) = 'a'", "at character 8: expected ')' but found ','"),
        ];
        for (input, message) in cases {
            assert_eq!(err(input), message, "{input}");
        }
    }

    #[test]
    fn literal_errors() {
        let cases = [
            ("d = DATE('2021-02-30')", "at character 10: expected a date such as '2021-06-30' but found '2021-02-30'"),
            ("d = DATE('2021-6-30')", "at character 10: expected a date such as '2021-06-30' but found '2021-6-30'"),
            ("d = DATE(2021)", "at character 10: expected a quoted date such as '2021-06-30' but found '2021'"),
            ("t = TIMESTAMP('2021-06-30')", "at character 15: expected a timestamp such as '2021-06-30T12:00:00Z' but found '2021-06-30'"),
            ("t = TIMESTAMP('2021-06-30 12:00:00Z')", "at character 15: expected a timestamp such as '2021-06-30T12:00:00Z' but found '2021-06-30 12:00:00Z'"),
            ("T_AFTER(t, INTERVAL('2022-01-01', '2021-01-01'))", "at character 21: the INTERVAL starts after it ends"),
            ("T_AFTER(t, INTERVAL('2022-01-01', ''))", "at character 35: expected a date, a timestamp or '..' but found ''"),
            ("T_AFTER(t, INTERVAL('2022-01-01'))", "at character 33: expected ',' but found ')'"),
            ("S_INTERSECTS(g, POLYGON((0 0, 1 0, 1 1)))", "at character 25: a polygon ring needs at least 4 positions and must end where it starts"),
            ("S_INTERSECTS(g, POLYGON((0 0, 1 0, 1 1, 0 1)))", "at character 25: a polygon ring needs at least 4 positions and must end where it starts"),
            ("S_INTERSECTS(g, LINESTRING(1 2))", "at character 27: a LINESTRING needs at least 2 positions"),
            ("S_INTERSECTS(g, POINT(1))", "at character 24: expected a number but found ')'"),
            ("S_INTERSECTS(g, POINT EMPTY)", "at character 23: expected ')' but found 'EMPTY'"),
            ("S_INTERSECTS(g, GEOMETRYCOLLECTION(GEOMETRYCOLLECTION(POINT(1 2))))", "at character 36: expected POINT, LINESTRING, POLYGON, MULTIPOINT, MULTILINESTRING or MULTIPOLYGON but found 'GEOMETRYCOLLECTION'"),
            ("S_INTERSECTS(g, BBOX(1,2,3))", "at character 17: expected 4 or 6 numbers in BBOX but found 3"),
            ("S_INTERSECTS(g, BBOX(0,10,10,0))", "at character 17: the BBOX's southern bound is north of its northern bound"),
            ("S_INTERSECTS(g, BBOX(170,0,-170,10))", "at character 17: the BBOX's western bound is east of its eastern bound (boxes crossing the antimeridian are not supported)"),
            ("x = 99999999999999999999", "at character 5: the number 99999999999999999999 is out of range"),
            ("x = 1e999", "at character 5: the number 1e999 is out of range"),
            ("S_INTERSECTS(g, POINT(1e999 0))", "at character 23: the number 1e999 is out of range"),
        ];
        for (input, message) in cases {
            assert_eq!(err(input), message, "{input}");
        }
    }

    #[test]
    fn refuses_what_the_model_cannot_express() {
        let cases = [
            ("avg(windSpeed) < 4", "at character 1: unknown function 'avg' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
            ("Foo(\"geometry\") = TRUE", "at character 1: unknown function 'Foo' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
            ("S_WITHIN(road,Buffer(geometry,10,'m'))", "at character 15: unknown function 'Buffer' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
            ("S_DWITHIN(geom, POINT(1 2), 10, meters)", "at character 1: unknown function 'S_DWITHIN' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
            ("A_CONTAINS(layer:ids, ('layers-ca','layers-us'))", "at character 1: the array function 'A_CONTAINS' is not supported"),
            ("a_overlaps(\"values\", ('a'))", "at character 1: the array function 'a_overlaps' is not supported"),
            ("\"value\" <= (2 ^ \"foo\")", "at character 15: the operator '^' is not supported (only + - * / are)"),
            ("0 = (\"foo\" % 2)", "at character 12: the operator '%' is not supported (only + - * / are)"),
            ("1 = (\"foo\" div 2)", "at character 12: the operator 'div' is not supported (only + - * / are)"),
            ("T_DURING(INTERVAL(starts_at, ends_at), INTERVAL('2017-06-10T07:30:00Z', '2017-06-11T10:30:00Z'))", "at character 19: INTERVAL bounds taken from properties or functions are not supported; expected a quoted date, timestamp or '..'"),
            ("a LIKE ACCENTI('é%')", "at character 8: ACCENTI around a LIKE pattern with accented or other non-ASCII characters is not supported; write the pattern without accents"),
            ("ACCENTI(CASEI(t)) LIKE accenti(casei('Ä%'))", "at character 24: ACCENTI around a LIKE pattern with accented or other non-ASCII characters is not supported; write the pattern without accents"),
            ("UPPER(name) = 'A'", "at character 1: unknown function 'UPPER' (supported: CASEI, ACCENTI, DATE, TIMESTAMP, INTERVAL, BBOX, WKT geometries, S_* and T_* functions)"),
        ];
        for (input, message) in cases {
            assert_eq!(err(input), message, "{input}");
        }
    }

    // --- Robustness -------------------------------------------------------------------------------

    #[test]
    fn nesting_is_capped_not_overflowed() {
        let nested = |depth: usize| format!("{}a = 1{}", "(".repeat(depth), ")".repeat(depth));
        assert_eq!(ok(&nested(MAX_DEPTH)), eq(prop("a"), int(1)));
        assert_eq!(err(&nested(MAX_DEPTH + 1)), "at character 101: the filter is nested too deeply (more than 100 levels)");
        for hostile in [
            "(".repeat(100_000),
            format!("{}a = 1", "NOT ".repeat(10_000)),
            format!("x = {}1", "-".repeat(10_000)),
            format!("x = {}'a'{}", "CASEI(".repeat(10_000), ")".repeat(10_000)),
            format!("x LIKE {}'a'{}", "CASEI(".repeat(10_000), ")".repeat(10_000)),
            format!("x = {}1{}", "(1 + ".repeat(10_000), ")".repeat(10_000)),
        ] {
            assert!(err(&hostile).contains("nested too deeply"), "{}", &hostile[..20]);
        }
    }

    /// Every recursive shape at the maximum depth, valid or not, on a thread with 768 KiB of
    /// stack. Unoptimised builds need up to ~512 KiB here (release builds far less), so the cap
    /// leaves a 2 MiB server worker thread most of its stack.
    #[test]
    fn deepest_filters_fit_a_small_stack() {
        let n = MAX_DEPTH;
        let inputs = [
            format!("{}a = 1{}", "(".repeat(n), ")".repeat(n)),
            format!("{}a = 1", "NOT ".repeat(n)),
            format!("x = {}y", "-".repeat(n)),
            format!("x = {}'a'{}", "CASEI(".repeat(n - 1), ")".repeat(n - 1)),
            format!("x LIKE {}'a'{}", "CASEI(".repeat(n - 1), ")".repeat(n - 1)),
            format!("x = {}1{}", "(1 + ".repeat(n), ")".repeat(n)),
            format!("x = {}1{}", "(1 * ".repeat(n), ")".repeat(n)),
            format!("{}a = 1{}", "(NOT ".repeat(n), ")".repeat(n)),
            format!("{}a = 1{}", "(a = 1 AND ".repeat(n), ")".repeat(n)),
            format!("{}a = 1{}", "(a = 1 OR ".repeat(n), ")".repeat(n)),
            "a = (".repeat(n),
            "a IN (".repeat(n),
            "a NOT IN (".repeat(n),
            "a BETWEEN (".repeat(n),
            "S_INTERSECTS(".repeat(n),
            "T_AFTER(1, ".repeat(n),
        ];
        std::thread::Builder::new()
            .stack_size(768 * 1024)
            .spawn(move || {
                for input in &inputs {
                    let _ = parse(input, None);
                }
                assert!(parse(&inputs[0], None).is_ok());
            })
            .unwrap()
            .join()
            .unwrap();
    }

    #[test]
    fn long_inputs() {
        let chain = vec!["a = 1"; 20_000].join(" AND ");
        let Filter::And(all) = ok(&chain) else { panic!() };
        assert_eq!(all.len(), 20_000);
        let big = "é".repeat(1_000_000);
        assert_eq!(ok(&format!("a = '{big}'")), eq(prop("a"), text(&big)));
        let list = (0..10_000).map(|i| i.to_string()).collect::<Vec<_>>().join(",");
        let Filter::In { list, .. } = ok(&format!("a IN ({list})")) else { panic!() };
        assert_eq!(list.len(), 10_000);
    }

    const VALID: [&str; 14] = [
        "swimming_pool=true AND (floors>5 OR material LIKE 'brick%' OR material LIKE '%brick')",
        "eo:cloud_cover BETWEEN 0.1 AND 0.2 AND landsat:wrs_row=28 AND NOT landsat:wrs_path IN (203, 204)",
        "CASEI(road_class) IN (CASEI('Οδος'),CASEI('Straße')) OR ACCENTI(etat_vol) = ACCENTI('débárquér')",
        "S_INTERSECTS(geometry,POLYGON((-10.0 -10.0,10.0 -10.0,10.0 10.0,-10.0 -10.0),(1 1, 2 1, 2 2, 1 1)))",
        "S_EQUALS(GEOMETRYCOLLECTION (POINT (1.9 2.00001), LINESTRING (179.0 1.179148, 0.5 0.333333)), \"geometry\")",
        "S_WITHIN(location,BBOX(-118,33.8,-117.9,34)) AND S_DISJOINT(g, MULTIPOINT((1 2), (3 4)))",
        "S_TOUCHES(g, MULTIPOLYGON(((0 0, 1 0, 1 1, 0 0)), ((5 5, 6 5, 6 6, 5 5)))) OR S_CROSSES(g, MULTILINESTRING((0 0, 1 1)))",
        "T_DURING(INTERVAL('1969-07-20T20:17:40Z', '..'), INTERVAL('1969-07-16', '1969-07-24T16:50:35Z'))",
        "T_AFTER(ts, TIMESTAMP('2022-04-24T07:59:57Z')) AND T_BEFORE(d, DATE('2022-04-24'))",
        "\"value\" = (((-1 * \"foo\") * 2.0) + (\"bar\" / 6.1234)) - -x",
        "NOT (a IS NULL) AND b IS NOT NULL AND c NOT LIKE CASEI('x%') AND d NOT BETWEEN 1e3 AND .5",
        "name = 'L''Haÿ-les-Roses' AND région <> 'Île-de-France'",
        "ACCENTI(CASEI(textfield)) LIKE accenti(casei('a%'))",
        "S_WITHIN(POLYGON Z ((0 0 1, 1 0 1, 1 1 1, 0 0 1)), geom)",
    ];

    #[test]
    fn every_prefix_and_suffix_of_valid_filters_is_handled() {
        for input in VALID {
            ok(input);
            for (i, _) in input.char_indices() {
                let _ = parse(&input[..i], None);
                let _ = parse(&input[i..], None);
            }
        }
    }

    /// Mutation fuzzing with a fixed seed: random insertions, deletions and replacements drawn
    /// from the characters that matter to the grammar. Any panic fails the test.
    #[test]
    fn mutated_filters_never_panic() {
        const ALPHABET: [&str; 24] = [
            "(", ")", ",", "'", "\"", "-", "+", "*", "/", "%", "^", "<", ">", "=", ".", " ", "é", "0", "9", "e", "AND ", "NOT ", "POINT(", "..",
        ];
        let mut state: u64 = 0x9E37_79B9_7F4A_7C15;
        let mut next = move || {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            state
        };
        for round in 0..20_000 {
            let mut s = VALID[round % VALID.len()].to_string();
            for _ in 0..1 + next() % 4 {
                let bounds: Vec<usize> = s.char_indices().map(|(i, _)| i).chain([s.len()]).collect();
                let at = bounds[(next() as usize) % bounds.len()];
                let piece = ALPHABET[(next() as usize) % ALPHABET.len()];
                match next() % 3 {
                    0 => s.insert_str(at, piece),
                    1 => {
                        let end = s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                        s.replace_range(at..end, "");
                    }
                    _ => {
                        let end = s[at..].chars().next().map_or(at, |c| at + c.len_utf8());
                        s.replace_range(at..end, piece);
                    }
                }
            }
            if let Err(e) = parse(&s, None) {
                assert!(e.message.starts_with("at character "), "{s}: {e}");
            }
        }
    }
}
