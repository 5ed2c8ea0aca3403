//! The language server driven the way an editor drives it: `cnpgc lsp` as a
//! child process, JSON-RPC messages with Content-Length headers over its
//! stdin and stdout. initialize → didOpen (an error) → publishDiagnostics →
//! didChange (fixed) → hover, completion, definition, formatting → a syntax
//! error (hover and completion still answer) → shutdown and exit.

use std::io::{BufRead, BufReader, Write};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::Duration;

use serde_json::{Value, json};

struct Client {
    child: Child,
    stdin: ChildStdin,
    incoming: Receiver<Value>,
    /// Notifications read while waiting for a response.
    queued: Vec<Value>,
    next_id: i64,
}

/// Reads one message: headers, a blank line, `Content-Length` bytes of JSON.
fn read_message(r: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if r.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(v) = line.strip_prefix("Content-Length: ") {
            length = Some(v.parse::<usize>().unwrap());
        }
    }
    let mut body = vec![0; length.expect("a Content-Length header")];
    r.read_exact(&mut body).ok()?;
    Some(serde_json::from_slice(&body).expect("a JSON body"))
}

impl Client {
    fn start() -> Client {
        let mut child = Command::new(env!("CARGO_BIN_EXE_cnpgc"))
            .arg("lsp")
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            .spawn()
            .unwrap();
        let stdin = child.stdin.take().unwrap();
        let stdout = child.stdout.take().unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            let mut r = BufReader::new(stdout);
            while let Some(m) = read_message(&mut r) {
                if tx.send(m).is_err() {
                    break;
                }
            }
        });
        Client {
            child,
            stdin,
            incoming: rx,
            queued: Vec::new(),
            next_id: 1,
        }
    }

    fn send(&mut self, msg: Value) {
        let body = msg.to_string();
        write!(self.stdin, "Content-Length: {}\r\n\r\n{body}", body.len()).unwrap();
        self.stdin.flush().unwrap();
    }

    fn recv(&mut self) -> Value {
        self.incoming
            .recv_timeout(Duration::from_secs(20))
            .expect("the server answers within 20 s")
    }

    fn request(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(json!({"jsonrpc": "2.0", "id": id, "method": method, "params": params}));
        loop {
            let m = self.recv();
            if m["id"] == id {
                assert!(m.get("error").is_none(), "{method}: {m}");
                return m["result"].clone();
            }
            self.queued.push(m);
        }
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({"jsonrpc": "2.0", "method": method, "params": params}));
    }

    /// The next publishDiagnostics notification.
    fn diagnostics(&mut self) -> Value {
        if let Some(i) = self
            .queued
            .iter()
            .position(|m| m["method"] == "textDocument/publishDiagnostics")
        {
            return self.queued.remove(i)["params"].clone();
        }
        loop {
            let m = self.recv();
            if m["method"] == "textDocument/publishDiagnostics" {
                return m["params"].clone();
            }
            self.queued.push(m);
        }
    }
}

const URI: &str = "file:///work/app.cnpg";

/// A clean document; line 6 is blank (inside the db block).
const GOOD: &str = "\
cluster app <
  namespace database
  instances 3
  db myapp <
    owner myapp_owner
    user  myapp_user grants connect, read

  >
  link minio backups < bucket cnpg-backups >
  link app web to myapp
>
";

fn pos(line: u32, character: u32) -> Value {
    json!({"textDocument": {"uri": URI}, "position": {"line": line, "character": character}})
}

fn labels(completion: &Value) -> Vec<String> {
    let items = match completion {
        Value::Array(a) => a.clone(),
        v => v["items"].as_array().cloned().unwrap_or_default(),
    };
    items
        .iter()
        .map(|i| i["label"].as_str().unwrap().to_string())
        .collect()
}

fn hover_text(h: &Value) -> String {
    h["contents"]["value"]
        .as_str()
        .unwrap_or_default()
        .to_string()
}

#[test]
fn an_editor_session() {
    let mut c = Client::start();
    let init = c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    let caps = &init["capabilities"];
    assert_eq!(caps["hoverProvider"], true);
    assert_eq!(caps["definitionProvider"], true);
    assert_eq!(caps["documentFormattingProvider"], true);
    assert_eq!(caps["textDocumentSync"]["change"], 1, "full sync");
    assert!(caps["completionProvider"].is_object());
    assert_eq!(init["serverInfo"]["name"], "cnpgc");
    c.notify("initialized", json!({}));

    // Open a document with two mistakes: a flag misspelt, `instances` twice.
    let bad = GOOD
        .replace("connect, read", "connect, reed")
        .replace("  instances 3\n", "  instances 3\n  instances 2\n");
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": URI, "languageId": "cnpg", "version": 1, "text": bad}}),
    );
    let d = c.diagnostics();
    assert_eq!(d["uri"], URI);
    assert_eq!(d["version"], 1);
    let diags = d["diagnostics"].as_array().unwrap();
    let flag = diags.iter().find(|x| x["code"] == "E0309").expect("E0309");
    assert_eq!(flag["severity"], 1);
    assert_eq!(flag["source"], "cnpgc");
    assert_eq!(
        flag["range"],
        json!({"start": {"line": 6, "character": 37}, "end": {"line": 6, "character": 41}})
    );
    let msg = flag["message"].as_str().unwrap();
    assert!(
        msg.contains("`reed`") && msg.contains("did you mean `read`?"),
        "{msg}"
    );
    assert!(
        flag["codeDescription"]["href"]
            .as_str()
            .unwrap()
            .ends_with("docs/diagnostics/E0309.md")
    );
    let twice = diags.iter().find(|x| x["code"] == "E0204").expect("E0204");
    assert_eq!(twice["range"]["start"], json!({"line": 3, "character": 2}));
    let related = &twice["relatedInformation"][0];
    assert_eq!(related["location"]["uri"], URI);
    assert_eq!(
        related["location"]["range"]["start"],
        json!({"line": 2, "character": 2})
    );
    assert_eq!(related["message"], "first given here");

    // Fix both: no diagnostics.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 2}, "contentChanges": [{"text": GOOD}]}),
    );
    let d = c.diagnostics();
    assert_eq!(d["version"], 2);
    assert_eq!(d["diagnostics"], json!([]), "{d}");

    // Hover on a statement key: its doc from the schema.
    let h = c.request("textDocument/hover", pos(1, 4));
    let text = hover_text(&h);
    assert!(
        text.contains("Namespace of every manifest of this cluster"),
        "{text}"
    );
    assert!(text.contains("namespace <namespace>"), "{text}");
    assert_eq!(h["range"]["start"], json!({"line": 1, "character": 2}));
    // On a permission flag: what it grants.
    let text = hover_text(&c.request("textDocument/hover", pos(5, 38)));
    assert!(text.contains("`SELECT`"), "{text}");
    // On a link kind.
    let text = hover_text(&c.request("textDocument/hover", pos(8, 8)));
    assert!(text.contains("MinIO"), "{text}");

    // Completion inside the db block: its statements.
    let l = labels(&c.request("textDocument/completion", pos(6, 4)));
    assert!(
        l.contains(&"user".into()) && l.contains(&"owner".into()),
        "{l:?}"
    );
    assert!(!l.contains(&"namespace".into()), "{l:?}");
    // After `grants `: the flags.
    let l = labels(&c.request("textDocument/completion", pos(5, 28)));
    assert!(
        l.contains(&"connect".into()) && l.contains(&"metadata_access".into()),
        "{l:?}"
    );
    // After `link `: the kinds; after `to `: the dbs in scope.
    let l = labels(&c.request("textDocument/completion", pos(9, 7)));
    assert!(
        l.contains(&"minio".into()) && l.contains(&"app".into()),
        "{l:?}"
    );
    let l = labels(&c.request("textDocument/completion", pos(9, 18)));
    assert_eq!(l, vec!["myapp".to_string()]);

    // Definition of `to myapp`: the db statement.
    let def = c.request("textDocument/definition", pos(9, 19));
    assert_eq!(def["uri"], URI);
    assert_eq!(
        def["range"],
        json!({"start": {"line": 3, "character": 5}, "end": {"line": 3, "character": 10}})
    );

    // Formatting: one edit replacing the document with its canonical form.
    let edits = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    let edits = edits.as_array().unwrap();
    assert_eq!(edits.len(), 1);
    assert_eq!(
        edits[0]["range"]["start"],
        json!({"line": 0, "character": 0})
    );
    assert_eq!(
        edits[0]["range"]["end"],
        json!({"line": 11, "character": 0})
    );
    assert_eq!(
        edits[0]["newText"],
        cnpgc::fmt::format_source(GOOD).unwrap().as_str()
    );
    assert_eq!(
        edits[0]["newText"],
        "cluster app <\n  namespace database\n  instances 3\n  db myapp <\n    owner myapp_owner\n    user  myapp_user grants connect, read\n  >\n  link minio backups < bucket cnpg-backups >\n  link app web to myapp\n>\n"
    );

    // A syntax error: published first…
    let broken = format!("{GOOD}cluster other <\n  db x <\n");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": URI, "version": 3}, "contentChanges": [{"text": broken}]}),
    );
    let d = c.diagnostics();
    assert_eq!(d["version"], 3);
    assert_eq!(d["diagnostics"][0]["code"], "E0101", "{d}");
    // …and hover, definition and completion still answer from the last good parse.
    let text = hover_text(&c.request("textDocument/hover", pos(1, 4)));
    assert!(text.contains("Namespace of every manifest"), "{text}");
    let def = c.request("textDocument/definition", pos(9, 19));
    assert_eq!(def["range"]["start"], json!({"line": 3, "character": 5}));
    // In the unclosed block of the broken part: the db statements.
    let l = labels(&c.request("textDocument/completion", pos(13, 0)));
    assert!(l.contains(&"user".into()), "{l:?}");
    let l = labels(&c.request("textDocument/completion", pos(9, 18)));
    assert_eq!(l, vec!["myapp".to_string()]);
    // No formatting while it does not parse.
    let f = c.request(
        "textDocument/formatting",
        json!({"textDocument": {"uri": URI}, "options": {"tabSize": 2, "insertSpaces": true}}),
    );
    assert_eq!(f, Value::Null);

    // Shutdown, exit: the process ends with 0.
    assert_eq!(c.request("shutdown", Value::Null), Value::Null);
    c.notify("exit", Value::Null);
    let status = wait(&mut c.child);
    assert_eq!(status.code(), Some(0));
}

fn wait(child: &mut Child) -> std::process::ExitStatus {
    for _ in 0..200 {
        if let Some(s) = child.try_wait().unwrap() {
            return s;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    panic!("the server did not exit");
}

#[test]
fn exit_without_shutdown_is_exit_code_1() {
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    c.notify("exit", Value::Null);
    assert_eq!(wait(&mut c.child).code(), Some(1));
}

#[test]
fn a_document_is_checked_with_the_files_it_uses() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("sizes.cnpg"),
        "preset team.db cpu 1 memory 2Gi\n",
    )
    .unwrap();
    let path = dir.path().join("app.cnpg");
    let uri = format!("file://{}", path.display());
    let text = "use \"sizes.cnpg\"\ncluster app <\n  instances 2\n  preset team.db\n  db x\n>\n";
    let mut c = Client::start();
    c.request(
        "initialize",
        json!({"processId": null, "rootUri": null, "capabilities": {}}),
    );
    c.notify("initialized", json!({}));
    c.notify(
        "textDocument/didOpen",
        json!({"textDocument": {"uri": uri, "languageId": "cnpg", "version": 1, "text": text}}),
    );
    assert_eq!(c.diagnostics()["diagnostics"], json!([]));
    // Without the `use`, the preset is unknown.
    let without = text.replace("use \"sizes.cnpg\"\n", "");
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 2}, "contentChanges": [{"text": without}]}),
    );
    let d = c.diagnostics();
    assert_eq!(d["diagnostics"][0]["code"], "E0206", "{d}");
    // And with it again.
    c.notify(
        "textDocument/didChange",
        json!({"textDocument": {"uri": uri, "version": 3}, "contentChanges": [{"text": text}]}),
    );
    assert_eq!(c.diagnostics()["diagnostics"], json!([]));
    c.request("shutdown", Value::Null);
    c.notify("exit", Value::Null);
    assert_eq!(wait(&mut c.child).code(), Some(0));
}
