//! The span/mirror encapsulations against captures (`captures/encaps/`,
//! made by `captures/make-encaps.py` from the real `tls12-unknown-ca.pcap`
//! by rewriting every frame): each must give exactly the source's TCP
//! connection and TLS handshake, with no frame skipped as unsupported.

use std::path::{Path, PathBuf};
use tlstrace::analysis;
use tlstrace::capture::CaptureReader;

fn captures_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("captures")
}

/// (kind, from, frame) of every ladder step, and the TCP byte counts.
type View = (Vec<(String, String, u64)>, Vec<(u64, u64)>);

fn view(path: &Path) -> View {
    let open = || CaptureReader::open(path.to_str().expect("utf-8")).expect("opens");
    let (conns, outcome) = analysis::tls_connections(&mut open(), None, None);
    assert!(
        outcome.decode.unsupported.is_empty(),
        "{}: {:?}",
        path.display(),
        outcome.decode.unsupported
    );
    let ladder = conns
        .iter()
        .flat_map(|c| c.tls.ladder.iter())
        .map(|l| (l.kind.clone(), l.from.as_str().to_string(), l.frame))
        .collect();
    let (tcp, _) = analysis::tcp_connections(&mut open());
    let bytes = tcp
        .iter()
        .map(|c| (c.client_bytes, c.server_bytes))
        .collect();
    (ladder, bytes)
}

#[test]
fn every_encapsulation_gives_the_source_handshake() {
    let source = view(&captures_dir().join("tls12-unknown-ca.pcap"));
    assert!(source.0.len() >= 10);
    let mut names = Vec::new();
    for entry in std::fs::read_dir(captures_dir().join("encaps")).expect("captures/encaps") {
        let path = entry.expect("dir entry").path();
        if path.extension().is_some_and(|e| e == "pcap") {
            assert_eq!(view(&path), source, "{}", path.display());
            names.push(path.file_stem().unwrap().to_string_lossy().into_owned());
        }
    }
    names.sort();
    for want in [
        "mpls",
        "mpls-pw",
        "erspan1",
        "erspan2",
        "erspan3",
        "pptp",
        "cisco-metadata",
        "pbb",
        "vntag",
        "etag",
        "ppp-hdlc",
        "cisco-hdlc",
    ] {
        assert!(
            names.iter().any(|n| n == want),
            "no captures/encaps/{want}.pcap"
        );
    }
}
