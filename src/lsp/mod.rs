//! The language server: takes LSP messages (over stdio, or any
//! `lsp_server::Connection`), gives diagnostics on open and change, hover,
//! completion, go-to-definition and document formatting.
//!
//! State is per document: its text, the diagnostics of that text (the same
//! `Diagnostic` values `cnpgc check` prints, converted once), and the last
//! text that parsed with its tree and [`analysis::Index`]. A change re-checks
//! only the changed document. While a document has a syntax error, hover and
//! definition answer from its last good parse, and completion takes its names
//! from there (its context comes from a tolerant scan of the current text).
//! A document is checked with the files it names in `use "…"` (read from
//! disk, as `cnpgc check` reads them) but without other files: a migration
//! naming a cluster of a file it does not import is reported (E0206) here
//! although `cnpgc check` given both files accepts it.

pub mod analysis;
pub mod complete;
pub mod convert;
pub mod flags;
pub mod hover;

use std::collections::HashMap;
use std::error::Error;

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types as lsp;
use serde_json::Value;

use crate::source::{FileId, SourceFile, SourceMap};
use crate::syntax::ast;
use analysis::Index;
use complete::CandKind;

type Result<T> = std::result::Result<T, Box<dyn Error + Send + Sync>>;

/// The last text of a document that parsed.
#[derive(Debug)]
pub struct Good {
    pub sources: SourceMap,
    pub file: ast::File,
    pub index: Index,
}

impl Good {
    pub fn source(&self) -> &SourceFile {
        self.sources.get(FileId(0))
    }
}

/// One open document.
#[derive(Debug)]
pub struct Document {
    pub uri: lsp::Uri,
    pub version: i32,
    /// The current text.
    pub current: SourceFile,
    /// The diagnostics of the current text.
    pub diagnostics: Vec<lsp::Diagnostic>,
    pub good: Option<Good>,
    /// The files the document names in `use "…"` (transitively), checked with
    /// it as `cnpgc check` does; their diagnostics are not the document's.
    pub imports: Vec<String>,
    read: ReadFile,
}

/// Reads a file the document imports (`None`: not there). The server reads
/// the filesystem; a document made without one imports nothing.
pub type ReadFile = fn(&str) -> Option<String>;

fn read_nothing(_: &str) -> Option<String> {
    None
}

/// Reads from the filesystem (what `cnpgc lsp` uses).
pub fn read_fs(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

impl Document {
    pub fn new(uri: lsp::Uri, version: i32, text: String) -> Document {
        Document::with_reader(uri, version, text, read_nothing)
    }

    /// A document whose `use "…"` files are read with `read`.
    pub fn with_reader(uri: lsp::Uri, version: i32, text: String, read: ReadFile) -> Document {
        let mut d = Document {
            current: SourceFile::new(name_of(&uri), text),
            uri,
            version,
            diagnostics: Vec::new(),
            good: None,
            imports: Vec::new(),
            read,
        };
        d.recheck();
        d
    }

    pub fn text(&self) -> &str {
        &self.current.text
    }

    /// Replaces the text and checks it again (what `didChange` does).
    pub fn set_text(&mut self, version: i32, text: String) {
        self.version = version;
        self.current = SourceFile::new(self.current.name.clone(), text);
        self.recheck();
    }

    /// Parses and checks the current text (with the files it imports): its
    /// diagnostics, and a new last good parse when it parses.
    pub fn recheck(&mut self) {
        let name = self.current.name.clone();
        let mut imports = self.imports.clone();
        let mut checked;
        // The imports of the last check are read first; when the text now
        // names others, once more with those (rarely: imports change seldom).
        let mut rounds = 0;
        loop {
            let mut inputs: Vec<(String, String)> =
                vec![(name.clone(), self.current.text.to_string())];
            for n in &imports {
                if let Some(t) = (self.read)(n) {
                    inputs.push((n.clone(), t));
                }
            }
            checked = crate::check_sources(&inputs);
            let found = file_uses(&checked, &name);
            rounds += 1;
            if found == imports || rounds == 4 {
                break;
            }
            imports = found;
        }
        self.imports = imports;
        let crate::Checked {
            sources,
            files,
            diagnostics,
            ..
        } = checked;
        self.diagnostics = diagnostics
            .iter()
            .filter(|d| d.span.file == FileId(0) || d.is_error())
            .map(|d| convert::diagnostic(d, &sources, &self.uri))
            .collect();
        if let Some((_, Some(tree))) = files.into_iter().next() {
            let index = Index::build(&tree);
            self.good = Some(Good {
                sources,
                file: tree,
                index,
            });
        }
    }

    pub fn hover(&self, p: lsp::Position) -> Option<lsp::Hover> {
        let good = self.good.as_ref()?;
        let src = good.source();
        let tok = good.index.at(convert::offset(src, p))?;
        let text = hover::hover_text(&good.index, tok, src)?;
        Some(lsp::Hover {
            contents: lsp::HoverContents::Markup(lsp::MarkupContent {
                kind: lsp::MarkupKind::Markdown,
                value: text,
            }),
            range: Some(convert::range(src, tok.span)),
        })
    }

    pub fn completion(&self, p: lsp::Position) -> Vec<lsp::CompletionItem> {
        let empty = Index::default();
        let index = self.good.as_ref().map(|g| &g.index).unwrap_or(&empty);
        let offset = convert::offset(&self.current, p);
        complete::complete(&self.current.text, offset, index)
            .into_iter()
            .map(|c| lsp::CompletionItem {
                label: c.label,
                kind: Some(match c.kind {
                    CandKind::Statement => lsp::CompletionItemKind::KEYWORD,
                    CandKind::LinkKind => lsp::CompletionItemKind::ENUM_MEMBER,
                    CandKind::Option => lsp::CompletionItemKind::PROPERTY,
                    CandKind::Flag => lsp::CompletionItemKind::CONSTANT,
                    CandKind::Name => lsp::CompletionItemKind::REFERENCE,
                    CandKind::Value => lsp::CompletionItemKind::VALUE,
                }),
                detail: c.detail,
                documentation: c.doc.map(|d| {
                    lsp::Documentation::MarkupContent(lsp::MarkupContent {
                        kind: lsp::MarkupKind::Markdown,
                        value: d,
                    })
                }),
                ..Default::default()
            })
            .collect()
    }

    pub fn definition(&self, p: lsp::Position) -> Option<lsp::Location> {
        let good = self.good.as_ref()?;
        let src = good.source();
        let tok = good.index.at(convert::offset(src, p))?;
        let target = good.index.resolve(tok)?;
        Some(lsp::Location {
            uri: self.uri.clone(),
            range: convert::range(src, target.span),
        })
    }

    /// The edit that formats the document; `None` when it does not parse.
    pub fn formatting(&self) -> Option<Vec<lsp::TextEdit>> {
        let formatted = crate::fmt::format_source(&self.current.text).ok()?;
        if formatted == *self.current.text {
            return Some(Vec::new());
        }
        Some(vec![lsp::TextEdit {
            range: lsp::Range {
                start: lsp::Position::new(0, 0),
                end: convert::position(&self.current, self.current.text.len()),
            },
            new_text: formatted,
        }])
    }
}

/// The files named by `use "…"` in the parsed inputs of a check, relative to
/// the file that names them, in order, without `doc` itself.
fn file_uses(checked: &crate::Checked, doc: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for (id, tree) in &checked.files {
        let Some(tree) = tree else { continue };
        let from = &checked.sources.get(*id).name;
        for item in &tree.items {
            let ast::Item::Stmt(s) = item else { continue };
            if s.head.text != "use" {
                continue;
            }
            if let Some(ast::ValueKind::Str { text, .. }) = s.args.first().map(|v| &v.kind) {
                let n = crate::check::modules::relative(from, text);
                if n != doc && !out.contains(&n) {
                    out.push(n);
                }
            }
        }
    }
    out
}

/// The name a document is checked under: its path for a `file:` URI (so
/// that `use "…"` paths resolve next to it), else the last segment.
fn name_of(uri: &lsp::Uri) -> String {
    let path = percent_decode(uri.path().as_str());
    let is_file = uri.scheme().is_some_and(|s| s.as_str() == "file");
    if is_file && path.starts_with('/') {
        return path;
    }
    match path.rsplit('/').next() {
        Some(last) if !last.is_empty() => last.to_string(),
        _ => "untitled.cnpg".into(),
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%'
            && let Some(v) = s
                .get(i + 1..i + 3)
                .and_then(|h| u8::from_str_radix(h, 16).ok())
        {
            out.push(v);
            i += 3;
            continue;
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What the server can do.
pub fn capabilities() -> lsp::ServerCapabilities {
    lsp::ServerCapabilities {
        position_encoding: Some(lsp::PositionEncodingKind::UTF16),
        text_document_sync: Some(lsp::TextDocumentSyncCapability::Options(
            lsp::TextDocumentSyncOptions {
                open_close: Some(true),
                change: Some(lsp::TextDocumentSyncKind::FULL),
                ..Default::default()
            },
        )),
        hover_provider: Some(lsp::HoverProviderCapability::Simple(true)),
        completion_provider: Some(lsp::CompletionOptions {
            trigger_characters: Some(vec![" ".into(), ",".into()]),
            ..Default::default()
        }),
        definition_provider: Some(lsp::OneOf::Left(true)),
        document_formatting_provider: Some(lsp::OneOf::Left(true)),
        ..Default::default()
    }
}

/// Every open document, by URI.
pub struct Server {
    pub docs: HashMap<String, Document>,
    read: ReadFile,
}

impl Server {
    /// A server whose documents read the files they import with `read`.
    pub fn new(read: ReadFile) -> Server {
        Server {
            docs: HashMap::new(),
            read,
        }
    }
}

impl Server {
    /// Answers a request (other than `shutdown`).
    pub fn request(&mut self, req: Request) -> Response {
        let id = req.id.clone();
        let result: std::result::Result<Value, String> = match req.method.as_str() {
            "textDocument/hover" => self.with_position(req, |d, p| d.hover(p)),
            "textDocument/completion" => self.with_position(req, |d, p| d.completion(p)),
            "textDocument/definition" => self.with_position(req, |d, p| d.definition(p)),
            "textDocument/formatting" => {
                match serde_json::from_value::<lsp::DocumentFormattingParams>(req.params) {
                    Ok(params) => Ok(to_value(
                        self.docs
                            .get(params.text_document.uri.as_str())
                            .and_then(Document::formatting),
                    )),
                    Err(e) => Err(e.to_string()),
                }
            }
            _ => {
                return Response::new_err(
                    id,
                    ErrorCode::MethodNotFound as i32,
                    format!("cnpgc lsp does not answer {}", req.method),
                );
            }
        };
        match result {
            Ok(v) => Response::new_ok(id, v),
            Err(e) => Response::new_err(id, ErrorCode::InvalidParams as i32, e),
        }
    }

    fn with_position<R: serde::Serialize>(
        &self,
        req: Request,
        f: impl FnOnce(&Document, lsp::Position) -> R,
    ) -> std::result::Result<Value, String> {
        let params: lsp::TextDocumentPositionParams =
            serde_json::from_value(req.params).map_err(|e| e.to_string())?;
        Ok(match self.docs.get(params.text_document.uri.as_str()) {
            Some(d) => to_value(f(d, params.position)),
            None => Value::Null,
        })
    }

    /// Handles a notification; gives the notifications to send back.
    pub fn notification(&mut self, n: Notification) -> Vec<Notification> {
        match n.method.as_str() {
            "textDocument/didOpen" => {
                let Ok(p) = serde_json::from_value::<lsp::DidOpenTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                let t = p.text_document;
                let d = Document::with_reader(t.uri, t.version, t.text, self.read);
                let out = publish(&d);
                self.docs.insert(d.uri.as_str().to_string(), d);
                vec![out]
            }
            "textDocument/didChange" => {
                let Ok(p) = serde_json::from_value::<lsp::DidChangeTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                let Some(d) = self.docs.get_mut(p.text_document.uri.as_str()) else {
                    return Vec::new();
                };
                let mut text = d.text().to_string();
                for c in p.content_changes {
                    match c.range {
                        None => text = c.text,
                        Some(r) => {
                            // Incremental changes, should a client send them anyway.
                            let f = SourceFile::new("", text.as_str());
                            let (s, e) = (convert::offset(&f, r.start), convert::offset(&f, r.end));
                            text.replace_range(s..e.max(s), &c.text);
                        }
                    }
                }
                d.set_text(p.text_document.version, text);
                vec![publish(d)]
            }
            "textDocument/didClose" => {
                let Ok(p) = serde_json::from_value::<lsp::DidCloseTextDocumentParams>(n.params)
                else {
                    return Vec::new();
                };
                self.docs.remove(p.text_document.uri.as_str());
                vec![Notification::new(
                    "textDocument/publishDiagnostics".into(),
                    lsp::PublishDiagnosticsParams {
                        uri: p.text_document.uri,
                        diagnostics: Vec::new(),
                        version: None,
                    },
                )]
            }
            _ => Vec::new(),
        }
    }
}

fn to_value<T: serde::Serialize>(v: T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

fn publish(d: &Document) -> Notification {
    Notification::new(
        "textDocument/publishDiagnostics".into(),
        lsp::PublishDiagnosticsParams {
            uri: d.uri.clone(),
            diagnostics: d.diagnostics.clone(),
            version: Some(d.version),
        },
    )
}

/// Serves one client over a connection until `shutdown` and `exit`. An `exit`
/// without `shutdown` is an error (the protocol says: exit code 1).
pub fn serve(conn: &Connection) -> Result<()> {
    let (id, _params) = conn.initialize_start()?;
    let init = serde_json::json!({
        "capabilities": capabilities(),
        "serverInfo": { "name": "cnpgc", "version": env!("CARGO_PKG_VERSION") },
    });
    conn.initialize_finish(id, init)?;
    let mut server = Server::new(read_fs);
    for msg in &conn.receiver {
        match msg {
            Message::Request(req) => {
                if conn.handle_shutdown(&req)? {
                    return Ok(());
                }
                let resp = server.request(req);
                conn.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Err("exit before shutdown".into());
                }
                for out in server.notification(n) {
                    conn.sender.send(Message::Notification(out))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Err("the client closed the connection before exit".into())
}

/// `cnpgc lsp`: serves over standard input and output.
pub fn run_stdio() -> Result<()> {
    let (conn, io) = Connection::stdio();
    let result = serve(&conn);
    drop(conn);
    io.join()?;
    result
}
