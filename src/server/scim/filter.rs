//! SCIM filters (RFC 7644 §3.4.2.2), read into a tree and matched against a resource as SCIM
//! shows it: `userName eq "a@b.c" and (emails co "@example.com" or not (active eq false))`,
//! `emails[type eq "work" and value ew ".com"]`, `urn:…:enterprise:2.0:User:department sw "Sal"`,
//! `title pr`. Strings compare without regard to case (every attribute here is caseExact false).

use serde_json::Value;

#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Op {
    Eq,
    Ne,
    Co,
    Sw,
    Ew,
    Gt,
    Ge,
    Lt,
    Le,
}

/// A filter, ready to match.
#[derive(Debug, Clone, PartialEq)]
pub enum Filter {
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
    Present(Path),
    Compare(Path, Op, Value),
    /// `attr[filter]`, optionally `.sub` after it is not allowed in filters (only in PATCH paths).
    Within(String, Box<Filter>),
}

/// An attribute path: an optional schema URN, the attribute, an optional sub-attribute.
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    pub urn: Option<String>,
    pub attr: String,
    pub sub: Option<String>,
}

#[derive(Debug, Clone, PartialEq)]
enum Tok {
    Word(String),
    Str(String),
    Open,
    Close,
    OpenBracket,
    CloseBracket,
}

fn tokens(s: &str) -> Result<Vec<Tok>, String> {
    let mut out = Vec::new();
    let mut chars = s.chars().peekable();
    while let Some(&c) = chars.peek() {
        match c {
            ' ' | '\t' => {
                chars.next();
            }
            '(' => {
                chars.next();
                out.push(Tok::Open);
            }
            ')' => {
                chars.next();
                out.push(Tok::Close);
            }
            '[' => {
                chars.next();
                out.push(Tok::OpenBracket);
            }
            ']' => {
                chars.next();
                out.push(Tok::CloseBracket);
            }
            '"' => {
                chars.next();
                let mut text = String::new();
                let mut closed = false;
                while let Some(c) = chars.next() {
                    match c {
                        '\\' => {
                            let escaped = chars.next().ok_or("a string ends with a lone backslash")?;
                            text.push(escaped);
                        }
                        '"' => {
                            closed = true;
                            break;
                        }
                        c => text.push(c),
                    }
                }
                if !closed {
                    return Err("a string in the filter has no closing quote".into());
                }
                out.push(Tok::Str(text));
            }
            _ => {
                let mut word = String::new();
                while let Some(&c) = chars.peek() {
                    if matches!(c, ' ' | '\t' | '(' | ')' | '[' | ']' | '"') {
                        break;
                    }
                    word.push(c);
                    chars.next();
                }
                out.push(Tok::Word(word));
            }
        }
    }
    Ok(out)
}

/// Reads a path: `attr`, `attr.sub`, `urn:…:attr`, `urn:…:attr.sub`.
pub fn path(text: &str) -> Result<Path, String> {
    let (urn, rest) = if text.to_ascii_lowercase().starts_with("urn:") {
        match text.rsplit_once(':') {
            Some((u, r)) => (Some(u.to_string()), r),
            None => (None, text),
        }
    } else {
        (None, text)
    };
    let (attr, sub) = match rest.split_once('.') {
        Some((a, s)) => (a, Some(s.to_string())),
        None => (rest, None),
    };
    let valid = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '-' || c == '$');
    if !valid(attr) || sub.as_deref().is_some_and(|s| !valid(s)) {
        return Err(format!("`{text}` is not an attribute name"));
    }
    Ok(Path { urn, attr: attr.to_string(), sub })
}

struct Reader {
    toks: Vec<Tok>,
    at: usize,
}

impl Reader {
    fn peek(&self) -> Option<&Tok> {
        self.toks.get(self.at)
    }
    fn next(&mut self) -> Option<Tok> {
        let t = self.toks.get(self.at).cloned();
        self.at += 1;
        t
    }
    fn keyword(&self, k: &str) -> bool {
        matches!(self.peek(), Some(Tok::Word(w)) if w.eq_ignore_ascii_case(k))
    }

    fn or(&mut self) -> Result<Filter, String> {
        let mut left = self.and()?;
        while self.keyword("or") {
            self.next();
            let right = self.and()?;
            left = Filter::Or(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn and(&mut self) -> Result<Filter, String> {
        let mut left = self.unit()?;
        while self.keyword("and") {
            self.next();
            let right = self.unit()?;
            left = Filter::And(Box::new(left), Box::new(right));
        }
        Ok(left)
    }

    fn unit(&mut self) -> Result<Filter, String> {
        if self.keyword("not") {
            self.next();
            if self.next() != Some(Tok::Open) {
                return Err("`not` must be followed by a filter in parentheses".into());
            }
            let inner = self.or()?;
            if self.next() != Some(Tok::Close) {
                return Err("a parenthesis is not closed".into());
            }
            return Ok(Filter::Not(Box::new(inner)));
        }
        match self.next() {
            Some(Tok::Open) => {
                let inner = self.or()?;
                if self.next() != Some(Tok::Close) {
                    return Err("a parenthesis is not closed".into());
                }
                Ok(inner)
            }
            Some(Tok::Word(w)) => {
                if self.peek() == Some(&Tok::OpenBracket) {
                    self.next();
                    let inner = self.or()?;
                    if self.next() != Some(Tok::CloseBracket) {
                        return Err("a bracket is not closed".into());
                    }
                    return Ok(Filter::Within(w, Box::new(inner)));
                }
                let p = path(&w)?;
                let op = match self.next() {
                    Some(Tok::Word(op)) => op.to_ascii_lowercase(),
                    _ => return Err(format!("`{w}` must be followed by an operator (eq, ne, co, sw, ew, gt, ge, lt, le, pr)")),
                };
                let op = match op.as_str() {
                    "pr" => return Ok(Filter::Present(p)),
                    "eq" => Op::Eq,
                    "ne" => Op::Ne,
                    "co" => Op::Co,
                    "sw" => Op::Sw,
                    "ew" => Op::Ew,
                    "gt" => Op::Gt,
                    "ge" => Op::Ge,
                    "lt" => Op::Lt,
                    "le" => Op::Le,
                    other => return Err(format!("`{other}` is not an operator")),
                };
                let value = match self.next() {
                    Some(Tok::Str(s)) => Value::String(s),
                    Some(Tok::Word(w)) => match w.to_ascii_lowercase().as_str() {
                        "true" => Value::Bool(true),
                        "false" => Value::Bool(false),
                        "null" => Value::Null,
                        _ => w.parse::<f64>().ok().and_then(serde_json::Number::from_f64).map(Value::Number).ok_or_else(|| {
                            format!("`{w}` is not a value: put text in double quotes")
                        })?,
                    },
                    _ => return Err("a comparison needs a value".into()),
                };
                Ok(Filter::Compare(p, op, value))
            }
            _ => Err("the filter is cut short or has a stray symbol".into()),
        }
    }
}

/// Reads a filter, or says what is wrong with it.
pub fn parse(text: &str) -> Result<Filter, String> {
    let mut r = Reader { toks: tokens(text)?, at: 0 };
    let f = r.or()?;
    if r.at != r.toks.len() {
        return Err("the filter has something left over after its end".into());
    }
    Ok(f)
}

/// The value of key `name` in `o`, whatever its case.
pub fn get_ci<'a>(o: &'a Value, name: &str) -> Option<&'a Value> {
    o.as_object()?.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v)
}

/// Whether a URN is a resource's core schema (its attributes are at the top).
pub fn is_core(urn: &str) -> bool {
    urn.eq_ignore_ascii_case(super::USER) || urn.eq_ignore_ascii_case(super::GROUP)
}

/// The values a path reaches in a resource (several for multi-valued attributes).
fn values<'a>(resource: &'a Value, p: &Path) -> Vec<&'a Value> {
    let holder = match &p.urn {
        Some(urn) if !is_core(urn) => get_ci(resource, urn),
        _ => Some(resource),
    };
    let Some(v) = holder.and_then(|h| get_ci(h, &p.attr)) else { return Vec::new() };
    let items: Vec<&Value> = match v {
        Value::Array(a) => a.iter().collect(),
        other => vec![other],
    };
    items
        .into_iter()
        .filter_map(|i| match (&p.sub, i) {
            (Some(s), i) => get_ci(i, s),
            // A multi-valued complex attribute compared as a whole compares its `value`.
            (None, Value::Object(_)) => get_ci(i, "value"),
            (None, i) => Some(i),
        })
        .collect()
}

fn compare(have: &Value, op: Op, want: &Value) -> bool {
    match (have, want) {
        (Value::String(h), Value::String(w)) => {
            let (h, w) = (h.to_lowercase(), w.to_lowercase());
            match op {
                Op::Eq => h == w,
                Op::Ne => h != w,
                Op::Co => h.contains(&w),
                Op::Sw => h.starts_with(&w),
                Op::Ew => h.ends_with(&w),
                Op::Gt => h > w,
                Op::Ge => h >= w,
                Op::Lt => h < w,
                Op::Le => h <= w,
            }
        }
        (Value::Number(h), Value::Number(w)) => {
            let (h, w) = (h.as_f64().unwrap_or(0.0), w.as_f64().unwrap_or(0.0));
            match op {
                Op::Eq => h == w,
                Op::Ne => h != w,
                Op::Gt => h > w,
                Op::Ge => h >= w,
                Op::Lt => h < w,
                Op::Le => h <= w,
                _ => false,
            }
        }
        (h, w) => match op {
            Op::Eq => h == w,
            Op::Ne => h != w,
            _ => false,
        },
    }
}

impl Filter {
    /// Whether a resource (as SCIM shows it) matches.
    pub fn matches(&self, resource: &Value) -> bool {
        match self {
            Filter::And(a, b) => a.matches(resource) && b.matches(resource),
            Filter::Or(a, b) => a.matches(resource) || b.matches(resource),
            Filter::Not(a) => !a.matches(resource),
            Filter::Present(p) => values(resource, p).iter().any(|v| match v {
                Value::Null => false,
                Value::String(s) => !s.is_empty(),
                Value::Array(a) => !a.is_empty(),
                Value::Object(o) => !o.is_empty(),
                _ => true,
            }),
            Filter::Compare(p, Op::Ne, want) => !values(resource, p).iter().any(|v| compare(v, Op::Eq, want)),
            Filter::Compare(p, op, want) => values(resource, p).iter().any(|v| compare(v, *op, want)),
            Filter::Within(attr, inner) => {
                let Ok(p) = path(attr) else { return false };
                let holder = match &p.urn {
                    Some(urn) if !is_core(urn) => get_ci(resource, urn).unwrap_or(resource),
                    _ => resource,
                };
                match get_ci(holder, &p.attr) {
                    Some(Value::Array(items)) => items.iter().any(|i| inner.matches(i)),
                    Some(one @ Value::Object(_)) => inner.matches(one),
                    _ => false,
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn person() -> Value {
        json!({
            "userName": "Rita.Rep@example.com", "active": true, "displayName": "Rita Rep",
            "emails": [{ "value": "rita@example.com", "type": "work", "primary": true }, { "value": "r@home.test", "type": "home" }],
            "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User": { "department": "Sales North" },
        })
    }

    #[test]
    fn filters_match_as_rfc_7644_says() {
        let p = person();
        let yes = [
            r#"userName eq "rita.rep@example.com""#,
            r#"userName sw "rita" and active eq true"#,
            r#"displayName co "rep" or userName eq "nobody""#,
            r#"emails co "@home.test""#,
            r#"emails.value ew "example.com""#,
            r#"emails[type eq "work" and value sw "rita"]"#,
            r#"not (active eq false)"#,
            r#"urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:department sw "sales""#,
            r#"displayName pr"#,
            r#"userName ne "someone@else.test""#,
        ];
        for f in yes {
            assert!(parse(f).map(|f| f.matches(&p)).unwrap_or(false), "{f} should match");
        }
        let no = [
            r#"userName eq "rita""#,
            r#"emails[type eq "home" and primary eq true]"#,
            r#"title pr"#,
            r#"active eq false or displayName sw "x""#,
            r#"userName ne "RITA.REP@example.com""#,
        ];
        for f in no {
            assert!(!parse(f).map(|f| f.matches(&p)).unwrap_or(true), "{f} should not match");
        }
    }

    #[test]
    fn a_filter_that_cannot_be_read_says_why() {
        for bad in [r#"userName eq"#, r#"userName xx "a""#, r#"(userName eq "a""#, r#"userName eq rita"#, r#"userName eq "a" extra"#, r#""open"#] {
            assert!(parse(bad).is_err(), "{bad} should be refused");
        }
    }
}
