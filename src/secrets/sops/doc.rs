//! SOPS documents: takes the text of a YAML, JSON or dotenv file (plain or
//! encrypted), gives an ordered tree of scalars; and writes such a tree back.
//! Order matters: SOPS's MAC covers the values in document order
//! (getsops/sops `sops.go`, `Tree.Encrypt`). YAML and JSON are read with
//! serde_norway (JSON is YAML); dotenv as sops's dotenv store reads it
//! (`stores/dotenv/store.go`: `KEY=value` lines, `#` comments, `\n` escapes).

use super::super::Format;

/// A scalar as SOPS's stores see it.
#[derive(Debug, Clone, PartialEq)]
pub enum Scalar {
    Str(String),
    Int(i64),
    Float(f64),
    Bool(bool),
    Null,
}

impl Scalar {
    /// The bytes the MAC covers (`sops.go`, `ToBytes`).
    pub fn mac_bytes(&self) -> Vec<u8> {
        match self {
            Scalar::Str(s) => s.as_bytes().to_vec(),
            Scalar::Int(i) => i.to_string().into_bytes(),
            Scalar::Float(f) => format!("{f}").into_bytes(),
            Scalar::Bool(true) => b"True".to_vec(),
            Scalar::Bool(false) => b"False".to_vec(),
            Scalar::Null => Vec::new(),
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Scalar::Str(s) => Some(s),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Node {
    Map(Vec<(String, Node)>),
    List(Vec<Node>),
    Leaf(Scalar),
}

impl Node {
    pub fn str(s: impl Into<String>) -> Node {
        Node::Leaf(Scalar::Str(s.into()))
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        match self {
            Node::Map(m) => m.iter().find(|(k, _)| k == key).map(|(_, v)| v),
            _ => None,
        }
    }

    pub fn as_str(&self) -> Option<&str> {
        match self {
            Node::Leaf(s) => s.as_str(),
            _ => None,
        }
    }
}

/// Parses a file's text in `format`.
pub fn parse(text: &str, format: Format) -> Result<Node, String> {
    match format {
        Format::Yaml | Format::DockerConfig => {
            let v: serde_norway::Value =
                serde_norway::from_str(text).map_err(|e| format!("not valid YAML/JSON: {e}"))?;
            from_value(v, 0)
        }
        Format::Dotenv => parse_dotenv(text),
    }
}

fn from_value(v: serde_norway::Value, depth: usize) -> Result<Node, String> {
    use serde_norway::Value;
    if depth > 64 {
        return Err("nested too deeply".into());
    }
    Ok(match v {
        Value::Null => Node::Leaf(Scalar::Null),
        Value::Bool(b) => Node::Leaf(Scalar::Bool(b)),
        Value::Number(n) => match n.as_i64() {
            Some(i) => Node::Leaf(Scalar::Int(i)),
            None => Node::Leaf(Scalar::Float(n.as_f64().unwrap_or(f64::NAN))),
        },
        Value::String(s) => Node::Leaf(Scalar::Str(s)),
        Value::Sequence(s) => Node::List(
            s.into_iter()
                .map(|x| from_value(x, depth + 1))
                .collect::<Result<_, _>>()?,
        ),
        Value::Mapping(m) => {
            let mut out = Vec::with_capacity(m.len());
            for (k, v) in m {
                let Value::String(k) = k else {
                    return Err("a mapping key is not a string".into());
                };
                out.push((k, from_value(v, depth + 1)?));
            }
            Node::Map(out)
        }
        Value::Tagged(t) => from_value(t.value, depth + 1)?,
    })
}

fn parse_dotenv(text: &str) -> Result<Node, String> {
    let mut out = Vec::new();
    for line in text.split('\n') {
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let Some((k, v)) = line.split_once('=') else {
            return Err(format!(
                "invalid dotenv line ({} bytes without `=`)",
                line.len()
            ));
        };
        out.push((k.to_string(), Node::str(v.replace("\\n", "\n"))));
    }
    Ok(Node::Map(out))
}

/// Writes a tree in `format`: YAML with two-space indentation and every
/// string double-quoted (except SOPS values and multi-line text, written
/// as literal blocks), JSON with two-space indentation, dotenv lines.
pub fn emit(doc: &Node, format: Format) -> Result<String, String> {
    let mut out = String::new();
    match format {
        Format::Yaml => yaml_map_body(&mut out, doc, 0)?,
        Format::DockerConfig => {
            json(&mut out, doc, 0);
            out.push('\n');
        }
        Format::Dotenv => {
            let Node::Map(m) = doc else {
                return Err("a dotenv file is a list of KEY=value".into());
            };
            for (k, v) in m {
                let Node::Leaf(s) = v else {
                    return Err(format!("{k}: a dotenv value cannot be a list or a map"));
                };
                if k.is_empty() || k.contains(['=', '\n', '\r']) || k.starts_with('#') {
                    return Err(format!("{k:?} cannot be a dotenv key"));
                }
                let v = String::from_utf8_lossy(&s.mac_bytes()).into_owned();
                out.push_str(k);
                out.push('=');
                out.push_str(&v.replace('\n', "\\n"));
                out.push('\n');
            }
        }
    }
    Ok(out)
}

fn quoted(s: &str) -> String {
    let mut o = String::with_capacity(s.len() + 2);
    o.push('"');
    for c in s.chars() {
        match c {
            '"' => o.push_str("\\\""),
            '\\' => o.push_str("\\\\"),
            '\n' => o.push_str("\\n"),
            '\t' => o.push_str("\\t"),
            c if c.is_control() || c == '\u{feff}' || c == '\u{2028}' || c == '\u{2029}' => {
                let n = c as u32;
                if n <= 0xffff {
                    o.push_str(&format!("\\u{n:04x}"));
                } else {
                    o.push_str(&format!("\\U{n:08x}"));
                }
            }
            c => o.push(c),
        }
    }
    o.push('"');
    o
}

fn yaml_key(k: &str) -> String {
    let simple = !k.is_empty()
        && k.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'/'))
        && !k.starts_with(['-', '.'])
        && !matches!(
            k,
            "y" | "Y" | "n" | "N" | "yes" | "no" | "on" | "off" | "true" | "false" | "null" | "~"
        )
        && k.parse::<f64>().is_err();
    if simple { k.to_string() } else { quoted(k) }
}

/// A SOPS value (`ENC[AES256_GCM,…]`) needs no quotes: base64, commas and
/// brackets are plain in block context.
fn is_sops_value(s: &str) -> bool {
    s.starts_with("ENC[AES256_GCM,")
        && s.ends_with(']')
        && s.bytes().all(|b| {
            b.is_ascii_alphanumeric()
                || matches!(b, b'[' | b']' | b',' | b':' | b'+' | b'/' | b'=' | b'_')
        })
}

fn yaml_scalar(s: &Scalar) -> String {
    match s {
        Scalar::Str(v) if is_sops_value(v) => v.clone(),
        Scalar::Str(v) => quoted(v),
        Scalar::Int(i) => i.to_string(),
        Scalar::Float(f) => format!("{f:?}"),
        Scalar::Bool(b) => b.to_string(),
        Scalar::Null => "null".into(),
    }
}

fn indent(out: &mut String, n: usize) {
    for _ in 0..n {
        out.push(' ');
    }
}

/// A literal block for multi-line text that YAML keeps byte for byte:
/// ends with one newline, no trailing spaces, no tabs or carriage returns,
/// first line not indented.
fn block_ok(s: &str) -> bool {
    s.ends_with('\n')
        && !s.ends_with("\n\n")
        && !s.starts_with([' ', '\n'])
        && s.lines().all(|l| !l.ends_with(' ') && !l.is_empty())
        && !s.chars().any(|c| c.is_control() && c != '\n')
}

fn yaml_value(out: &mut String, v: &Node, level: usize) -> Result<(), String> {
    match v {
        Node::Leaf(Scalar::Str(s)) if s.contains('\n') && block_ok(s) => {
            out.push_str(" |\n");
            for l in s.lines() {
                indent(out, level + 2);
                out.push_str(l);
                out.push('\n');
            }
        }
        Node::Leaf(s) => {
            out.push(' ');
            out.push_str(&yaml_scalar(s));
            out.push('\n');
        }
        Node::Map(m) if m.is_empty() => out.push_str(" {}\n"),
        Node::List(l) if l.is_empty() => out.push_str(" []\n"),
        Node::Map(_) => {
            out.push('\n');
            yaml_map_body(out, v, level + 2)?;
        }
        Node::List(l) => {
            out.push('\n');
            for item in l {
                indent(out, level + 2);
                out.push('-');
                match item {
                    Node::Map(m) if !m.is_empty() => {
                        // The first entry on the dash line, the rest aligned with it.
                        let mut first = true;
                        for (k, v) in m {
                            if first {
                                out.push(' ');
                                first = false;
                            } else {
                                indent(out, level + 4);
                            }
                            out.push_str(&yaml_key(k));
                            out.push(':');
                            yaml_value(out, v, level + 4)?;
                        }
                    }
                    Node::List(_) => return Err("nested lists are not written".into()),
                    other => yaml_value(out, other, level + 2)?,
                }
            }
        }
    }
    Ok(())
}

fn yaml_map_body(out: &mut String, doc: &Node, level: usize) -> Result<(), String> {
    let Node::Map(m) = doc else {
        return Err("a YAML document must be a mapping".into());
    };
    for (k, v) in m {
        indent(out, level);
        out.push_str(&yaml_key(k));
        out.push(':');
        yaml_value(out, v, level)?;
    }
    Ok(())
}

fn json(out: &mut String, v: &Node, level: usize) {
    match v {
        Node::Leaf(Scalar::Str(s)) => {
            out.push_str(&serde_json::to_string(s).expect("a string serializes"))
        }
        Node::Leaf(Scalar::Int(i)) => out.push_str(&i.to_string()),
        Node::Leaf(Scalar::Float(f)) => out.push_str(&format!("{f:?}")),
        Node::Leaf(Scalar::Bool(b)) => out.push_str(&b.to_string()),
        Node::Leaf(Scalar::Null) => out.push_str("null"),
        Node::Map(m) if m.is_empty() => out.push_str("{}"),
        Node::List(l) if l.is_empty() => out.push_str("[]"),
        Node::Map(m) => {
            out.push_str("{\n");
            for (i, (k, v)) in m.iter().enumerate() {
                indent(out, level + 2);
                out.push_str(&serde_json::to_string(k).expect("a string serializes"));
                out.push_str(": ");
                json(out, v, level + 2);
                if i + 1 < m.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push('}');
        }
        Node::List(l) => {
            out.push_str("[\n");
            for (i, v) in l.iter().enumerate() {
                indent(out, level + 2);
                json(out, v, level + 2);
                if i + 1 < l.len() {
                    out.push(',');
                }
                out.push('\n');
            }
            indent(out, level);
            out.push(']');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yaml_round_trips_in_order() {
        let text = "b: \"1\"\na:\n  z: x\n  y: \"multi\\nline\"\nl:\n  - k: v\n    j: w\n";
        let doc = parse(text, Format::Yaml).unwrap();
        let out = emit(&doc, Format::Yaml).unwrap();
        assert_eq!(parse(&out, Format::Yaml).unwrap(), doc);
        let Node::Map(m) = &doc else { panic!() };
        assert_eq!(m[0].0, "b");
        let block = Node::Map(vec![(
            "enc".into(),
            Node::str("-----BEGIN\nabc\n-----END\n"),
        )]);
        let out = emit(&block, Format::Yaml).unwrap();
        assert_eq!(out, "enc: |\n  -----BEGIN\n  abc\n  -----END\n");
        assert_eq!(parse(&out, Format::Yaml).unwrap(), block);
    }

    #[test]
    fn dotenv_escapes_line_breaks_like_sops() {
        let doc = Node::Map(vec![("A".into(), Node::str("x\ny"))]);
        let out = emit(&doc, Format::Dotenv).unwrap();
        assert_eq!(out, "A=x\\ny\n");
        assert_eq!(parse(&out, Format::Dotenv).unwrap(), doc);
        assert!(
            emit(
                &Node::Map(vec![("A\nB".into(), Node::str("x"))]),
                Format::Dotenv
            )
            .is_err()
        );
    }
}
