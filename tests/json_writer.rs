//! `explain --format json` writes each connection with sonic-rs (for
//! speed); the document must be what serde_json writes, byte for byte. On
//! every capture in `captures/`, with its key log when there is one, each
//! connection's element is compared with serde_json's pretty layout of the
//! same value, indented as the stream indents it.

use std::path::Path;
use tlstrace::capture::CaptureReader;
use tlstrace::report::explain::{connection_json, ConnectionJson};
use tlstrace::tls::keylog::KeyLog;

fn serde_json_element(c: &ConnectionJson) -> String {
    serde_json::to_string_pretty(c)
        .expect("serde_json")
        .lines()
        .map(|l| format!("    {l}"))
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn every_connection_is_written_as_serde_json_writes_it() {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("captures");
    let mut captures: Vec<_> = std::fs::read_dir(&dir)
        .expect("captures/")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "pcap" || x == "pcapng"))
        .collect();
    captures.sort();
    let (mut files, mut connections) = (0, 0);
    for path in &captures {
        let name = path.display().to_string();
        let keys = path.with_extension("keys");
        let keylog = std::fs::read(&keys).ok().map(|k| KeyLog::parse(&k).0);
        let Ok(mut reader) = CaptureReader::open(&name) else {
            continue;
        };
        let (found, _) = tlstrace::analysis::explain_connections(&mut reader, keylog);
        for (f, d) in &found {
            let c = ConnectionJson::new(f, d);
            let ours = String::from_utf8(connection_json(&c)).expect("UTF-8");
            assert_eq!(
                ours,
                serde_json_element(&c),
                "{name}, connection {}",
                f.info.id
            );
            connections += 1;
        }
        files += 1;
    }
    assert!(files > 100, "only {files} captures read");
    assert!(connections > 200, "only {connections} connections");
}
