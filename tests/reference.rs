//! docs/reference.md is generated from the schema tables; this test keeps the
//! committed file current (run with UPDATE_REFERENCE=1 to rewrite it).

#[test]
fn reference_is_current() {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("docs/reference.md");
    let want = cnpgc::schema::reference::reference_markdown();
    if std::env::var("UPDATE_REFERENCE").as_deref() == Ok("1") {
        std::fs::write(&path, &want).unwrap();
        return;
    }
    let have = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        have == want,
        "docs/reference.md is stale: run `UPDATE_REFERENCE=1 cargo test --test reference`"
    );
}
