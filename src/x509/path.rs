//! Builds and judges a peer's certificate path the way the verifying side
//! (above all an OpenSSL server checking a client) does, and says precisely
//! why it fails: unknown issuer, which intermediate is missing and where it
//! could be had, expiry along the path, CA flags, path length, EKU and KU.
//!
//! Path building follows OpenSSL 3 (`X509_V_FLAG_TRUSTED_FIRST`, no partial
//! chains): from the leaf, the issuer is looked for by name (RFC 5280 §7.1
//! comparison) and, when both are present, AKI = SKI; among such candidates
//! the first whose key verifies the signature is taken, in this order:
//! 1. a self-issued certificate of the trust store (an anchor: the path ends),
//! 2. a certificate the peer sent (any order),
//! 3. a certificate of the trust store that is not a root (OpenSSL uses the
//!    CA file's intermediates too): the path goes on, noted as
//!    [`PathProblem::MissingIntermediate`] with `available_in: Store`,
//! 4. a certificate seen elsewhere in the capture (`extra`): the path is
//!    followed through it to say whether it would complete, but it fails,
//!    as the server has no such certificate.
//!
//! If no candidate verifies, the first by name is kept and the signature
//! failure reported (OpenSSL: "certificate signature failure"). Every
//! problem along the path is reported, not only the first.
//!
//! Policy, as OpenSSL's `ssl_client` / `ssl_server` purposes:
//! - every certificate must be valid at the given time, the anchor included;
//! - an issuer must have BasicConstraints CA:TRUE; the top of the path may
//!   instead be a v1 root, or lack BasicConstraints but have KU keyCertSign;
//! - an issuer's KU, if present, must have keyCertSign; the leaf's KU, if
//!   present, digitalSignature or keyAgreement (client) / also
//!   keyEncipherment (server);
//! - EKU, where present on any certificate of the path (CAs included),
//!   must list the purpose; anyExtendedKeyUsage alone does not do;
//! - pathLenConstraint counts the non-self-issued intermediates below.
//!
//! Not enforced, only noted: name constraints. Not checked: revocation,
//! policies, Netscape cert types, the anchor's own signature (reported in
//! its step, as OpenSSL does not check it by default).

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use serde::Serialize;
use x509_parser::prelude::*;

use super::verify::{verify_cert_signature, SigCheck};
use super::{iso8601, names_match, CertInfo};

/// What the certificate is checked for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Purpose {
    /// TLS client authentication (a server judging a client).
    ClientAuth,
    /// TLS server authentication (a client judging a server).
    ServerAuth,
}

impl Purpose {
    fn eku_name(self) -> &'static str {
        match self {
            Purpose::ClientAuth => "clientAuth",
            Purpose::ServerAuth => "serverAuth",
        }
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.eku_name())
    }
}

/// Where a certificate of the path came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Source {
    /// The peer's Certificate message.
    Sent,
    /// A root (self-issued certificate) of the trust store.
    Anchor,
    /// A trust store certificate that is not a root.
    Store,
    /// Elsewhere in the capture (e.g. the other side's chain).
    Extra,
}

impl std::fmt::Display for Source {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Source::Sent => "the peer's chain",
            Source::Anchor => "the trust store (as a root)",
            Source::Store => "the trust store",
            Source::Extra => "the capture",
        })
    }
}

// ---------------------------------------------------------------------------
// Trust store

/// One certificate of a trust store (or of a chain being checked).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StoreCert {
    pub info: std::sync::Arc<CertInfo>,
    pub der: Vec<u8>,
    v1: bool,
    name_constraints: bool,
    /// Position in its list.
    index: usize,
    /// Subject = issuer and the key identifiers do not say otherwise.
    self_issued: bool,
    /// Its own signature checked with its own key, once.
    own_signature: std::sync::OnceLock<SigCheck>,
}

/// The certificates the verifying side trusts (`--ca`).
#[derive(Debug, Clone, Default)]
pub struct TrustStore {
    anchors: Vec<StoreCert>,
    seen: HashSet<String>,
    skipped: Vec<(PathBuf, String)>,
}

/// Why a trust store could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum StoreError {
    #[error("{path}: {error}")]
    Io { path: PathBuf, error: String },
    #[error("{path}: no certificate found (expected PEM `BEGIN CERTIFICATE` blocks or one DER certificate)")]
    NoCertificate { path: PathBuf },
    #[error("{path}: PEM block {block}: {error}")]
    BadPem {
        path: PathBuf,
        block: usize,
        error: String,
    },
    #[error("{path}: certificate {block}: {error}")]
    BadCertificate {
        path: PathBuf,
        block: usize,
        error: String,
    },
}

impl TrustStore {
    pub fn new() -> TrustStore {
        TrustStore::default()
    }

    /// Reads a PEM bundle (text around the blocks is ignored, as in
    /// distribution bundles). `TRUSTED CERTIFICATE` blocks are read too,
    /// their OpenSSL trust settings ignored. A bundle without certificates
    /// is an error.
    pub fn from_pem_bytes(pem: &[u8]) -> Result<TrustStore, StoreError> {
        let mut s = TrustStore::new();
        s.add_bytes(pem, Path::new("(PEM)"))?;
        Ok(s)
    }

    /// Reads each path: a PEM bundle, a DER certificate, or a directory whose
    /// `.pem`, `.crt`, `.cer`, `.der` files and OpenSSL hash links
    /// (`1a2b3c4d.0`) are read; files there without a certificate are
    /// skipped (see [`TrustStore::skipped`]). Duplicates are kept once.
    pub fn from_paths(paths: &[PathBuf]) -> Result<TrustStore, StoreError> {
        let mut s = TrustStore::new();
        for p in paths {
            s.add_path(p)?;
        }
        Ok(s)
    }

    /// Adds a file or directory (see [`TrustStore::from_paths`]).
    pub fn add_path(&mut self, path: &Path) -> Result<(), StoreError> {
        let io = |e: std::io::Error| StoreError::Io {
            path: path.to_path_buf(),
            error: e.to_string(),
        };
        if path.is_dir() {
            let mut files: Vec<PathBuf> = std::fs::read_dir(path)
                .map_err(io)?
                .filter_map(|e| e.ok().map(|e| e.path()))
                .filter(|p| p.is_file() && is_cert_file_name(p))
                .collect();
            files.sort();
            let before = self.anchors.len();
            for f in files {
                let bytes = match std::fs::read(&f) {
                    Ok(b) => b,
                    Err(e) => {
                        self.skipped.push((f, e.to_string()));
                        continue;
                    }
                };
                if let Err(e) = self.add_bytes(&bytes, &f) {
                    self.skipped.push((f, e.to_string()));
                }
            }
            if self.anchors.len() == before && self.skipped.is_empty() {
                return Err(StoreError::NoCertificate {
                    path: path.to_path_buf(),
                });
            }
            Ok(())
        } else {
            let bytes = std::fs::read(path).map_err(io)?;
            self.add_bytes(&bytes, path)
        }
    }

    /// Adds the certificates of a PEM bundle or one DER certificate.
    fn add_bytes(&mut self, bytes: &[u8], path: &Path) -> Result<(), StoreError> {
        let mut found = Vec::new();
        if bytes.windows(11).any(|w| w == b"-----BEGIN ") {
            for (i, block) in x509_parser::pem::Pem::iter_from_buffer(bytes).enumerate() {
                let pem = block.map_err(|e| StoreError::BadPem {
                    path: path.to_path_buf(),
                    block: i + 1,
                    error: e.to_string(),
                })?;
                match pem.label.as_str() {
                    "CERTIFICATE" | "X509 CERTIFICATE" => found.push((i + 1, pem.contents)),
                    "TRUSTED CERTIFICATE" => {
                        // The certificate, then OpenSSL's trust settings.
                        let len = match X509Certificate::from_der(&pem.contents) {
                            Ok((rest, _)) => pem.contents.len() - rest.len(),
                            Err(_) => pem.contents.len(),
                        };
                        found.push((i + 1, pem.contents[..len].to_vec()));
                    }
                    _ => {}
                }
            }
        } else if bytes.first() == Some(&0x30) {
            // A DER SEQUENCE: one certificate.
            found.push((1, bytes.to_vec()));
        }
        if found.is_empty() {
            return Err(StoreError::NoCertificate {
                path: path.to_path_buf(),
            });
        }
        for (block, der) in found {
            self.add_der(der).map_err(|e| StoreError::BadCertificate {
                path: path.to_path_buf(),
                block,
                error: e,
            })?;
        }
        Ok(())
    }

    /// Adds one DER certificate (a duplicate is ignored).
    pub fn add_der(&mut self, der: Vec<u8>) -> Result<(), String> {
        let c = Node::new(der, self.anchors.len())?;
        if self.seen.insert(c.info.sha256.clone()) {
            self.anchors.push(c);
        }
        Ok(())
    }

    pub fn len(&self) -> usize {
        self.anchors.len()
    }

    pub fn is_empty(&self) -> bool {
        self.anchors.is_empty()
    }

    pub fn certs(&self) -> &[StoreCert] {
        &self.anchors
    }

    /// Files of a directory that were passed over, and why.
    pub fn skipped(&self) -> &[(PathBuf, String)] {
        &self.skipped
    }
}

fn is_cert_file_name(p: &Path) -> bool {
    let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let lower = name.to_ascii_lowercase();
    if [".pem", ".crt", ".cer", ".der"]
        .iter()
        .any(|e| lower.ends_with(e))
    {
        return true;
    }
    // OpenSSL c_rehash links: 8 hex digits, a dot, a number.
    match name.split_once('.') {
        Some((h, n)) => {
            h.len() == 8
                && h.bytes().all(|b| b.is_ascii_hexdigit())
                && !n.is_empty()
                && n.bytes().all(|b| b.is_ascii_digit())
        }
        None => false,
    }
}

// ---------------------------------------------------------------------------
// Report

/// The judgement of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// A path to an anchor, every check passed.
    Valid,
    /// At least one check failed.
    Invalid,
    /// Nothing failed, but a signature could not be checked (unsupported
    /// algorithm).
    Undetermined,
}

/// One certificate of the built path, leaf first.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathStep {
    pub subject: String,
    pub issuer: String,
    pub serial: String,
    pub sha256: String,
    pub source: Source,
    /// Position in its source: the chain as sent, the store, or `extra`.
    pub index: usize,
    /// This certificate's signature checked with the next step's key (for a
    /// root, its own); `None` when no issuer was found.
    pub signature: Option<SigCheck>,
    pub not_before: String,
    pub not_after: String,
    pub valid_at_time: bool,
    /// For an issuer: may act as a CA (BasicConstraints, v1 root rule).
    /// Always true for the leaf.
    pub is_ca_ok: bool,
    /// EKU absent or listing the purpose.
    pub eku_ok: bool,
    /// KU absent or fit for the certificate's role.
    pub ku_ok: bool,
    /// Self-issued and its own signature verifies.
    pub self_signed: bool,
    /// `RSA 2048`, `EC P-256`, …
    pub key: String,
    /// An RSA key under 2048 bits: accepted by `openssl verify` and by
    /// OpenSSL at security level 1, refused at level 2 (the default of
    /// several distributions) and by rustls/webpki.
    pub weak_key: bool,
}

/// One finding about the path.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum PathProblem {
    /// The peer sent no certificate.
    NoCertificate,
    /// A sent certificate does not parse (a TLS stack would reject the
    /// whole message).
    Unreadable {
        index: usize,
        error: String,
    },
    /// No certificate named `issuer` (with a matching key identifier) in the
    /// chain, the store or the capture. `same_name_other_key`: one with
    /// that name but another key identifier is there (e.g. a regenerated
    /// CA).
    UnknownIssuer {
        subject: String,
        issuer: String,
        same_name_other_key: Option<Source>,
    },
    /// The peer did not send `issuer`, the certificate that signed
    /// `subject`, but `available_in` has it. From the store the server finds
    /// it itself (not fatal); from the capture it does not (fatal), and
    /// `completes_path` says whether it would lead to an anchor.
    MissingIntermediate {
        subject: String,
        issuer: String,
        available_in: Option<Source>,
        completes_path: bool,
    },
    /// The path ends at a self-signed certificate the store does not hold.
    UntrustedRoot {
        subject: String,
    },
    /// The path ends at a store certificate that is not a root and whose
    /// issuer is not to be found: OpenSSL refuses this unless
    /// X509_V_FLAG_PARTIAL_CHAIN is set; Go and Java accept it.
    PartialChain {
        subject: String,
    },
    Expired {
        subject: String,
        not_after: String,
    },
    NotYetValid {
        subject: String,
        not_before: String,
    },
    /// `subject`'s signature does not verify with its issuer's key.
    SignatureInvalid {
        subject: String,
        detail: String,
    },
    /// `subject`'s signature algorithm is not one tlstrace can check.
    UnsupportedSignature {
        subject: String,
        alg: String,
    },
    /// `subject` is signed by an RSA key too small for any TLS stack.
    SignerKeyTooSmall {
        subject: String,
        bits: u32,
    },
    /// An issuer without CA:TRUE in BasicConstraints (or a v1 intermediate).
    IssuerNotCa {
        subject: String,
    },
    /// `subject`'s pathLenConstraint allows `path_len` intermediates below
    /// it, the path has `below`.
    PathLenExceeded {
        subject: String,
        path_len: u32,
        below: u32,
    },
    /// EKU present on `subject` without the purpose.
    EkuForbids {
        subject: String,
        purpose: Purpose,
    },
    /// KU present on `subject` without what its role needs (`needs`).
    KuForbids {
        subject: String,
        needs: String,
    },
    /// Name constraints on a CA: noted, not enforced.
    NameConstraintsPresent {
        subject: String,
    },
    /// An RSA key under 2048 bits (not fatal here, see
    /// [`PathStep::weak_key`]).
    WeakKey {
        subject: String,
        key: String,
    },
    /// A certificate the peer sent that is not on the path.
    UnusedSent {
        index: usize,
        subject: String,
    },
    /// The peer's chain is not in leaf-to-root order (TLS 1.2 requires it,
    /// TLS 1.3 asks implementations to cope).
    Unordered,
    /// The path grew past the length limit (a loop of cross-certificates?).
    TooLong {
        limit: usize,
    },
}

impl PathProblem {
    /// Does it make the path fail? Notes (name constraints, weak keys,
    /// unused or unordered certificates, an intermediate the store
    /// supplies) do not.
    pub fn is_fatal(&self) -> bool {
        match self {
            PathProblem::MissingIntermediate { available_in, .. } => {
                *available_in != Some(Source::Store)
            }
            PathProblem::NameConstraintsPresent { .. }
            | PathProblem::WeakKey { .. }
            | PathProblem::UnusedSent { .. }
            | PathProblem::Unordered => false,
            _ => true,
        }
    }
}

/// The outcome of [`validate_path`].
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PathReport {
    /// A path to an anchor and no fatal problem.
    pub ok: bool,
    pub verdict: Verdict,
    pub purpose: Purpose,
    /// The time checked, ISO 8601.
    pub at: String,
    #[serde(skip)]
    pub at_unix: i64,
    pub path: Vec<PathStep>,
    pub problems: Vec<PathProblem>,
}

// ---------------------------------------------------------------------------
// Building

/// The most certificates a path may have (OpenSSL's default depth is 100;
/// real paths have 2 to 5).
const MAX_PATH: usize = 12;

type Node = StoreCert;

impl StoreCert {
    fn new(der: Vec<u8>, index: usize) -> Result<Node, String> {
        let info = CertInfo::from_der(&der).map_err(|e| e.0)?;
        let (v1, name_constraints) = match X509Certificate::from_der(&der) {
            Ok((_, c)) => (
                c.tbs_certificate.version.0 == 0,
                matches!(c.name_constraints(), Ok(Some(_)) | Err(_)),
            ),
            Err(e) => return Err(e.to_string()),
        };
        let self_issued = info.self_issued
            && keyids_compatible(
                info.authority_key_id.as_deref(),
                info.subject_key_id.as_deref(),
            );
        Ok(Node {
            der,
            info,
            v1,
            name_constraints,
            index,
            self_issued,
            own_signature: std::sync::OnceLock::new(),
        })
    }

    /// Its signature checked with its own key (cached).
    fn self_check(&self) -> SigCheck {
        self.own_signature
            .get_or_init(|| verify_cert_signature(&self.der, &self.der))
            .clone()
    }

    /// Could `self` have issued `child`, by name and key identifier?
    fn may_issue(&self, child: &Node) -> bool {
        // Key identifiers first: cheap, and they rule out most of a large
        // store before the name comparison parses anything.
        keyids_compatible(
            child.info.authority_key_id.as_deref(),
            self.info.subject_key_id.as_deref(),
        ) && names_match(&child.info.issuer_der, &self.info.subject_der)
    }
}

fn keyids_compatible(aki: Option<&[u8]>, ski: Option<&[u8]>) -> bool {
    match (aki, ski) {
        (Some(a), Some(s)) => a == s,
        _ => true,
    }
}

/// Builds and checks the path of `chain_der` (as sent, leaf first) to the
/// anchors of `store`, at `at_unix`, for `purpose`. `extra` holds other
/// certificates seen (e.g. the other side's chain), used only to say that a
/// missing intermediate was there to be had. Never panics.
pub fn validate_path(
    chain_der: &[Vec<u8>],
    store: &TrustStore,
    extra: &[Vec<u8>],
    at_unix: i64,
    purpose: Purpose,
) -> PathReport {
    let mut problems = Vec::new();
    let mut sent: Vec<Node> = Vec::new();
    for (i, d) in chain_der.iter().enumerate() {
        match Node::new(d.clone(), i) {
            Ok(n) => sent.push(n),
            Err(error) => problems.push(PathProblem::Unreadable { index: i, error }),
        }
    }
    if chain_der.is_empty() {
        problems.push(PathProblem::NoCertificate);
    }
    if sent.first().map(|n| n.index) != Some(0) {
        return finish(Vec::new(), problems, false, purpose, at_unix);
    }
    let store_nodes: &[Node] = store.certs();
    let known: HashSet<&str> = sent
        .iter()
        .chain(store_nodes.iter())
        .map(|n| n.info.sha256.as_str())
        .collect();
    let extra_nodes: Vec<Node> = extra
        .iter()
        .enumerate()
        .filter_map(|(i, d)| Node::new(d.clone(), i).ok())
        .filter(|n| !known.contains(n.info.sha256.as_str()))
        .collect();

    let built = build(&sent, store_nodes, &extra_nodes);
    problems.extend(built.problems);
    let path = built.path;
    let sigs = built.sigs;
    debug_assert_eq!(path.len(), sigs.len());
    let reaches_anchor = path.last().is_some_and(|(_, s)| *s == Source::Anchor);
    let mut via_extra = false;
    for p in problems.iter_mut() {
        if let PathProblem::MissingIntermediate {
            completes_path,
            available_in,
            ..
        } = p
        {
            *completes_path = reaches_anchor;
            via_extra |= *available_in == Some(Source::Extra);
        }
    }
    let complete = reaches_anchor && !via_extra;

    // Checks along the path.
    let top = path.len() - 1;
    let mut steps = Vec::with_capacity(path.len());
    let mut below_non_si = 0u32; // non-self-issued intermediates below
    for (i, ((n, src), sig)) in path.iter().zip(sigs.iter()).enumerate() {
        let info = &n.info;
        let subject = info.subject.clone();
        let valid_at_time = info.valid_at(at_unix);
        if at_unix > info.not_after_unix {
            problems.push(PathProblem::Expired {
                subject: subject.clone(),
                not_after: info.not_after.clone(),
            });
        } else if at_unix < info.not_before_unix {
            problems.push(PathProblem::NotYetValid {
                subject: subject.clone(),
                not_before: info.not_before.clone(),
            });
        }
        // This certificate's signature; a root's own is only shown.
        let own = i == top && built.top_self_checked;
        match sig {
            _ if own => {}
            Some(SigCheck::Valid) | None => {}
            Some(SigCheck::Unsupported(alg)) => problems.push(PathProblem::UnsupportedSignature {
                subject: subject.clone(),
                alg: alg.clone(),
            }),
            Some(SigCheck::KeyTooSmall(bits)) => problems.push(PathProblem::SignerKeyTooSmall {
                subject: subject.clone(),
                bits: *bits,
            }),
            Some(other) => problems.push(PathProblem::SignatureInvalid {
                subject: subject.clone(),
                detail: other.to_string(),
            }),
        }
        // CA flag and KU.
        let ku_has = |k: &str| {
            info.key_usage
                .as_ref()
                .is_none_or(|v| v.iter().any(|x| x == k))
        };
        let (is_ca_ok, ku_ok, ku_needs) = if i == 0 {
            let ok = ku_has("digitalSignature")
                || ku_has("keyAgreement")
                || (purpose == Purpose::ServerAuth && ku_has("keyEncipherment"));
            let needs = match purpose {
                Purpose::ClientAuth => "digitalSignature or keyAgreement",
                Purpose::ServerAuth => "digitalSignature, keyEncipherment or keyAgreement",
            };
            (true, ok, needs)
        } else {
            let ku_ok = ku_has("keyCertSign");
            let ca_ok = match info.ca {
                Some(ca) => ca,
                // No BasicConstraints: only the top, as a v1 root or with
                // KU keyCertSign (OpenSSL's check_ca).
                None => {
                    i == top && ((n.v1 && n.self_issued) || (info.key_usage.is_some() && ku_ok))
                }
            };
            (ca_ok, ku_ok, "keyCertSign")
        };
        if !is_ca_ok {
            problems.push(PathProblem::IssuerNotCa {
                subject: subject.clone(),
            });
        }
        if !ku_ok {
            problems.push(PathProblem::KuForbids {
                subject: subject.clone(),
                needs: ku_needs.to_string(),
            });
        }
        if i >= 1 {
            if let Some(p) = info.path_len {
                if below_non_si > p {
                    problems.push(PathProblem::PathLenExceeded {
                        subject: subject.clone(),
                        path_len: p,
                        below: below_non_si,
                    });
                }
            }
            if !n.self_issued {
                below_non_si += 1;
            }
            if n.name_constraints {
                problems.push(PathProblem::NameConstraintsPresent {
                    subject: subject.clone(),
                });
            }
        }
        // EKU, on every certificate that has it.
        let eku_ok = match &info.eku {
            None => true,
            Some(v) => v.iter().any(|e| {
                e == purpose.eku_name()
                    || (purpose == Purpose::ServerAuth
                        && (e == "2.16.840.1.113730.4.1" || e == "1.3.6.1.4.1.311.10.3.3"))
            }),
        };
        if !eku_ok {
            problems.push(PathProblem::EkuForbids {
                subject: subject.clone(),
                purpose,
            });
        }
        let weak_key = rsa_bits(&info.key).is_some_and(|b| b < 2048);
        if weak_key {
            problems.push(PathProblem::WeakKey {
                subject: subject.clone(),
                key: info.key.clone(),
            });
        }
        let self_signed = n.self_issued
            && if own {
                sig.as_ref().is_some_and(|s| s.is_valid())
            } else {
                n.self_check().is_valid()
            };
        steps.push(PathStep {
            subject,
            issuer: info.issuer.clone(),
            serial: info.serial.clone(),
            sha256: info.sha256.clone(),
            source: *src,
            index: n.index,
            signature: sig.clone(),
            not_before: info.not_before.clone(),
            not_after: info.not_after.clone(),
            valid_at_time,
            is_ca_ok,
            eku_ok,
            ku_ok,
            self_signed,
            key: info.key.clone(),
            weak_key,
        });
    }
    // Sent certificates: unused ones, order.
    let on_path: HashSet<&str> = path.iter().map(|(n, _)| n.info.sha256.as_str()).collect();
    for n in sent.iter().skip(1) {
        if !on_path.contains(n.info.sha256.as_str()) {
            problems.push(PathProblem::UnusedSent {
                index: n.index,
                subject: n.info.subject.clone(),
            });
        }
    }
    let sent_order: Vec<usize> = path
        .iter()
        .filter_map(|(n, _)| {
            sent.iter()
                .find(|s| s.info.sha256 == n.info.sha256)
                .map(|s| s.index)
        })
        .collect();
    if sent_order.windows(2).any(|w| w[0] > w[1]) {
        problems.push(PathProblem::Unordered);
    }
    finish(steps, problems, complete, purpose, at_unix)
}

fn finish(
    path: Vec<PathStep>,
    problems: Vec<PathProblem>,
    complete: bool,
    purpose: Purpose,
    at_unix: i64,
) -> PathReport {
    let fatal: Vec<&PathProblem> = problems.iter().filter(|p| p.is_fatal()).collect();
    let verdict = if !complete && fatal.is_empty() {
        // Cannot happen (an incomplete path has a reason), but never say
        // valid without an anchor.
        Verdict::Invalid
    } else if fatal.is_empty() {
        Verdict::Valid
    } else if fatal
        .iter()
        .all(|p| matches!(p, PathProblem::UnsupportedSignature { .. }))
    {
        Verdict::Undetermined
    } else {
        Verdict::Invalid
    };
    PathReport {
        ok: verdict == Verdict::Valid,
        verdict,
        purpose,
        at: iso8601(at_unix),
        at_unix,
        path,
        problems,
    }
}

/// The raw outcome of path building.
struct Built<'a> {
    /// The path, leaf first, with the source shown for each certificate.
    path: Vec<(&'a Node, Source)>,
    /// `sigs[i]`: path[i]'s signature checked with path[i+1]'s key, or
    /// with its own for a self-signed top.
    sigs: Vec<Option<SigCheck>>,
    /// The last entry of `sigs` is the top's own signature.
    top_self_checked: bool,
    /// Why the path ends short of an anchor, and intermediates taken from
    /// the store or the capture.
    problems: Vec<PathProblem>,
}

fn build<'a>(sent: &'a [Node], store: &'a [Node], extra: &'a [Node]) -> Built<'a> {
    let mut b = Built {
        path: vec![(&sent[0], Source::Sent)],
        sigs: Vec::new(),
        top_self_checked: false,
        problems: Vec::new(),
    };
    let mut used: HashSet<&str> = HashSet::new();
    used.insert(sent[0].info.sha256.as_str());
    let mut in_extra = false;
    loop {
        // The path starts with the leaf and only grows.
        let Some(&(cur, cur_src)) = b.path.last() else {
            return b;
        };
        if b.path.len() > MAX_PATH {
            b.problems.push(PathProblem::TooLong { limit: MAX_PATH });
            b.sigs.push(None);
            return b;
        }
        let self_check = cur.self_issued.then(|| cur.self_check());
        let self_signed = self_check.as_ref().is_some_and(|c| !c.is_bad());
        // A root the store holds ends the path (a pinned self-signed leaf,
        // or a root reached through the capture's certificates).
        if self_signed {
            if let Some(a) = store
                .iter()
                .find(|a| a.self_issued && a.info.sha256 == cur.info.sha256)
            {
                let last = b.path.len() - 1;
                b.path[last] = (a, Source::Anchor);
                b.sigs.push(self_check);
                b.top_self_checked = true;
                return b;
            }
        }
        let may = |n: &Node| {
            n.info.sha256 != cur.info.sha256
                && !used.contains(n.info.sha256.as_str())
                && n.may_issue(cur)
        };
        // 1-3: the store's roots, the sent chain, the store's others.
        let searches: [(&'a [Node], Option<bool>, Source); 3] = [
            (store, Some(true), Source::Anchor),
            (sent, None, Source::Sent),
            (store, Some(false), Source::Store),
        ];
        let mut found: Option<(&'a Node, Source, SigCheck)> = None;
        let mut first_bad: Option<(&'a Node, Source, SigCheck)> = None;
        'search: for (pool, want_root, src) in searches {
            for n in pool
                .iter()
                .filter(|n| may(n) && want_root.is_none_or(|r| n.self_issued == r))
            {
                let check = verify_cert_signature(&cur.der, &n.der);
                if check.is_valid() {
                    found = Some((n, src, check));
                    break 'search;
                }
                if first_bad.is_none() {
                    first_bad = Some((n, src, check));
                }
            }
        }
        // The capture, when nothing else verifies.
        if found.is_none() {
            if let Some(n) = extra
                .iter()
                .find(|n| may(n) && verify_cert_signature(&cur.der, &n.der).is_valid())
            {
                found = Some((n, Source::Extra, SigCheck::Valid));
            }
        }
        // A self-signed certificate the store does not hold: the path ends
        // there unless another certificate verifies it (a re-issued or
        // cross-signed root).
        if found.is_none() && self_signed {
            b.sigs.push(self_check);
            b.top_self_checked = true;
            b.problems.push(PathProblem::UntrustedRoot {
                subject: cur.info.subject.clone(),
            });
            return b;
        }
        let Some((n, src, check)) = found.or(first_bad) else {
            b.sigs.push(None);
            if cur_src == Source::Store {
                b.problems.push(PathProblem::PartialChain {
                    subject: cur.info.subject.clone(),
                });
                return b;
            }
            let same_name = [
                (store, Source::Anchor),
                (sent, Source::Sent),
                (extra, Source::Extra),
            ]
            .into_iter()
            .find_map(|(pool, src)| {
                pool.iter()
                    .find(|n| {
                        n.info.sha256 != cur.info.sha256
                            && names_match(&cur.info.issuer_der, &n.info.subject_der)
                    })
                    .map(|n| match src {
                        Source::Anchor if !n.self_issued => Source::Store,
                        s => s,
                    })
            });
            b.problems.push(PathProblem::UnknownIssuer {
                subject: cur.info.subject.clone(),
                issuer: cur.info.issuer.clone(),
                same_name_other_key: same_name,
            });
            return b;
        };
        if matches!(src, Source::Store | Source::Extra) && !in_extra {
            b.problems.push(PathProblem::MissingIntermediate {
                subject: cur.info.subject.clone(),
                issuer: n.info.subject.clone(),
                available_in: Some(src),
                completes_path: false,
            });
        }
        in_extra |= src == Source::Extra;
        b.sigs.push(Some(check));
        used.insert(n.info.sha256.as_str());
        b.path.push((n, src));
        if src == Source::Anchor {
            // The anchor's own signature, shown but not judged.
            b.sigs.push(n.self_issued.then(|| n.self_check()));
            b.top_self_checked = n.self_issued;
            return b;
        }
    }
}

/// `RSA 1024` → 1024.
fn rsa_bits(key: &str) -> Option<u32> {
    key.strip_prefix("RSA ")
        .or_else(|| key.strip_prefix("RSA-PSS "))?
        .parse()
        .ok()
}

#[cfg(test)]
mod tests;
