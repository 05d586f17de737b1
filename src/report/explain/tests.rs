//! Tests of `report/explain.rs`.

use super::indented;

/// The streamed connection element is written by sonic-rs; it must be
/// serde_json's pretty layout, byte for byte, indented as a whole.
#[test]
fn indented_is_serde_json_pretty_shifted() {
    let nasty: String = (0u8..0x80).map(char::from).collect();
    let doc = serde_json::json!({
        "id": 7,
        "client": "10.0.0.1:50000",
        "escapes": nasty,
        "quotes": "a \"b\" \\ c / d",
        "unicode": "CN=Zürich ✓ \u{2028} \u{10348} \u{feff}",
        "empty_array": [],
        "empty_object": {},
        "nested": [[], [{}], [1, [2, [3]]], {"a": {"b": null}}],
        "floats": [1796210441.864731, 0.1, 0.000001, 1e-7, 123456789012345.6, 1e16, 1e21, -2.5, 0.0],
        "ints": [0, -1, u64::MAX, i64::MIN],
        "flags": [true, false, null],
        "long": "x".repeat(300),
    });
    // Deeper than the 64 spaces written at once.
    let mut deep = serde_json::json!({"leaf": 1});
    for _ in 0..40 {
        deep = serde_json::json!([1, {"k": deep}]);
    }
    let mut doc = doc;
    doc["deep"] = deep;
    for base in [0usize, 2, 4] {
        let pad = " ".repeat(base);
        let want: String = serde_json::to_string_pretty(&doc)
            .expect("serde_json")
            .lines()
            .map(|l| format!("{pad}{l}"))
            .collect::<Vec<_>>()
            .join("\n");
        assert_eq!(indented(&doc, base), want, "base {base}");
    }
}
