//! The NSS key log format (`SSLKEYLOGFILE`), as written by browsers, curl,
//! `openssl -keylogfile`, Go's `KeyLogWriter` and found in pcapng Decryption
//! Secrets Blocks.
//!
//! Each line is `LABEL <client_random as 64 hex digits> <secret as hex>`.
//! Comments (`#`) and blank lines are allowed. A malformed line is skipped
//! with a [`KeyLogWarning`] that names its 1-based line number.
//!
//! A key log is read as a stream, one bounded line at a time, so its size
//! does not matter: at most [`MAX_SESSIONS`] client randoms are kept, lines
//! longer than [`MAX_LINE`] are skipped unread, and at most
//! [`MAX_WARNINGS`] warnings are listed (the rest are counted in a last
//! one).
//!
//! Secrets never leave this module in printable form: [`Secret`],
//! [`SessionSecrets`] and [`KeyLog`] have `Debug` impls that show lengths and
//! counts only, and warnings are built from fixed texts, never from the
//! line's contents.

use std::collections::HashMap;
use std::fmt;
use std::io::{self, BufRead};

/// Client randoms kept from one key log (about 300 bytes each); further
/// ones are skipped with one warning.
pub const MAX_SESSIONS: usize = 262_144;
/// The longest line read (a real one is under 250 bytes).
pub const MAX_LINE: usize = 4096;
/// Warnings listed; beyond them, one more counts the rest.
pub const MAX_WARNINGS: usize = 1000;

/// Secret key material. `Debug` shows only its length.
#[derive(Clone, PartialEq, Eq)]
pub struct Secret(Vec<u8>);

impl Secret {
    pub fn new(bytes: Vec<u8>) -> Secret {
        Secret(bytes)
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }

    pub fn len(&self) -> usize {
        self.0.len()
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret(<{} bytes redacted>)", self.0.len())
    }
}

/// The labels of the key log format.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Label {
    /// TLS 1.2 and older: the 48-byte master secret.
    ClientRandom,
    ClientHandshakeTrafficSecret,
    ServerHandshakeTrafficSecret,
    ClientTrafficSecret0,
    ServerTrafficSecret0,
    ExporterSecret,
    ClientEarlyTrafficSecret,
    EarlyExporterSecret,
}

impl Label {
    pub const ALL: [Label; 8] = [
        Label::ClientRandom,
        Label::ClientHandshakeTrafficSecret,
        Label::ServerHandshakeTrafficSecret,
        Label::ClientTrafficSecret0,
        Label::ServerTrafficSecret0,
        Label::ExporterSecret,
        Label::ClientEarlyTrafficSecret,
        Label::EarlyExporterSecret,
    ];

    /// The label as written in the file.
    pub fn as_str(self) -> &'static str {
        match self {
            Label::ClientRandom => "CLIENT_RANDOM",
            Label::ClientHandshakeTrafficSecret => "CLIENT_HANDSHAKE_TRAFFIC_SECRET",
            Label::ServerHandshakeTrafficSecret => "SERVER_HANDSHAKE_TRAFFIC_SECRET",
            Label::ClientTrafficSecret0 => "CLIENT_TRAFFIC_SECRET_0",
            Label::ServerTrafficSecret0 => "SERVER_TRAFFIC_SECRET_0",
            Label::ExporterSecret => "EXPORTER_SECRET",
            Label::ClientEarlyTrafficSecret => "CLIENT_EARLY_TRAFFIC_SECRET",
            Label::EarlyExporterSecret => "EARLY_EXPORTER_SECRET",
        }
    }

    pub fn from_name(name: &str) -> Option<Label> {
        Label::ALL.into_iter().find(|l| l.as_str() == name)
    }

    /// Whether a secret of `len` bytes is plausible for this label: 48 for
    /// the TLS 1.2 master secret, a hash length (SHA-256 or SHA-384) for the
    /// TLS 1.3 secrets.
    fn accepts_len(self, len: usize) -> bool {
        match self {
            Label::ClientRandom => len == 48,
            _ => len == 32 || len == 48,
        }
    }
}

impl fmt::Display for Label {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The secrets logged for one connection (one client random).
#[derive(Clone, Default, PartialEq, Eq)]
pub struct SessionSecrets {
    /// `CLIENT_RANDOM`: the TLS 1.2 (or older) master secret.
    pub master_secret: Option<Secret>,
    pub client_handshake_traffic_secret: Option<Secret>,
    pub server_handshake_traffic_secret: Option<Secret>,
    pub client_traffic_secret_0: Option<Secret>,
    pub server_traffic_secret_0: Option<Secret>,
    pub exporter_secret: Option<Secret>,
    pub client_early_traffic_secret: Option<Secret>,
    pub early_exporter_secret: Option<Secret>,
}

impl SessionSecrets {
    pub fn get(&self, label: Label) -> Option<&Secret> {
        self.slot(label).as_ref()
    }

    fn slot(&self, label: Label) -> &Option<Secret> {
        match label {
            Label::ClientRandom => &self.master_secret,
            Label::ClientHandshakeTrafficSecret => &self.client_handshake_traffic_secret,
            Label::ServerHandshakeTrafficSecret => &self.server_handshake_traffic_secret,
            Label::ClientTrafficSecret0 => &self.client_traffic_secret_0,
            Label::ServerTrafficSecret0 => &self.server_traffic_secret_0,
            Label::ExporterSecret => &self.exporter_secret,
            Label::ClientEarlyTrafficSecret => &self.client_early_traffic_secret,
            Label::EarlyExporterSecret => &self.early_exporter_secret,
        }
    }

    fn slot_mut(&mut self, label: Label) -> &mut Option<Secret> {
        match label {
            Label::ClientRandom => &mut self.master_secret,
            Label::ClientHandshakeTrafficSecret => &mut self.client_handshake_traffic_secret,
            Label::ServerHandshakeTrafficSecret => &mut self.server_handshake_traffic_secret,
            Label::ClientTrafficSecret0 => &mut self.client_traffic_secret_0,
            Label::ServerTrafficSecret0 => &mut self.server_traffic_secret_0,
            Label::ExporterSecret => &mut self.exporter_secret,
            Label::ClientEarlyTrafficSecret => &mut self.client_early_traffic_secret,
            Label::EarlyExporterSecret => &mut self.early_exporter_secret,
        }
    }

    /// Which labels are present.
    pub fn labels(&self) -> Vec<Label> {
        Label::ALL
            .into_iter()
            .filter(|l| self.get(*l).is_some())
            .collect()
    }

    /// Both TLS 1.3 handshake traffic secrets are present.
    pub fn has_tls13_handshake(&self) -> bool {
        self.client_handshake_traffic_secret.is_some()
            && self.server_handshake_traffic_secret.is_some()
    }

    /// Both TLS 1.3 application traffic secrets are present.
    pub fn has_tls13_application(&self) -> bool {
        self.client_traffic_secret_0.is_some() && self.server_traffic_secret_0.is_some()
    }

    /// Fills in the labels missing here from `other`; a label present in
    /// both keeps this value. Returns how many labels differed.
    fn merge_from(&mut self, other: SessionSecrets) -> usize {
        let mut conflicts = 0;
        let mut other = other;
        for label in Label::ALL {
            if let Some(theirs) = other.slot_mut(label).take() {
                match self.slot_mut(label) {
                    Some(ours) => {
                        if *ours != theirs {
                            conflicts += 1;
                        }
                    }
                    slot @ None => *slot = Some(theirs),
                }
            }
        }
        conflicts
    }
}

impl fmt::Debug for SessionSecrets {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let labels: Vec<&str> = self.labels().into_iter().map(Label::as_str).collect();
        f.debug_struct("SessionSecrets")
            .field("labels", &labels)
            .finish_non_exhaustive()
    }
}

/// Why a line of a key log was skipped. None of these carries any text of
/// the line itself except a label name that looks like one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KeyLogWarningKind {
    /// The line is not valid UTF-8 text.
    NotText,
    /// Fewer than three space-separated fields.
    MissingFields,
    /// More than three fields.
    ExtraFields,
    /// A label we don't know. The name is kept only when it looks like a
    /// label (upper-case letters, digits and `_`, not hex alone).
    UnknownLabel(Option<String>),
    /// A known label this tool can't use (`RSA`, `PMS_CLIENT_RANDOM`).
    UnsupportedLabel(&'static str),
    ClientRandomNotHex,
    /// The client random is not 32 bytes; the length in bytes (hex digits / 2).
    ClientRandomLength(usize),
    SecretNotHex,
    /// The secret has an implausible length (bytes) for its label.
    SecretLength {
        label: Label,
        len: usize,
    },
    /// Another value for the same label and client random came earlier (on
    /// `first_line`); the first one is kept.
    ConflictingDuplicate {
        label: Label,
        first_line: usize,
    },
    /// The line is longer than [`MAX_LINE`] bytes.
    TooLong,
    /// [`MAX_SESSIONS`] client randoms are kept already: this line (and
    /// later ones for new client randoms) are skipped.
    TooManySessions,
    /// This many more lines were skipped, not listed one by one.
    MoreSkipped(u64),
}

/// A skipped line of a key log, with its 1-based line number.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct KeyLogWarning {
    pub line: usize,
    pub kind: KeyLogWarningKind,
}

impl fmt::Display for KeyLogWarning {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: ", self.line)?;
        match &self.kind {
            KeyLogWarningKind::NotText => f.write_str("not text (invalid UTF-8); skipped"),
            KeyLogWarningKind::MissingFields => {
                f.write_str("expected LABEL CLIENT_RANDOM SECRET, found fewer fields; skipped")
            }
            KeyLogWarningKind::ExtraFields => {
                f.write_str("expected LABEL CLIENT_RANDOM SECRET, found more fields; skipped")
            }
            KeyLogWarningKind::UnknownLabel(Some(name)) => {
                write!(f, "unknown label {name}; skipped")
            }
            KeyLogWarningKind::UnknownLabel(None) => f.write_str("unknown label; skipped"),
            KeyLogWarningKind::UnsupportedLabel(name) => write!(
                f,
                "{name} lines (RSA pre-master secrets) are not supported; skipped"
            ),
            KeyLogWarningKind::ClientRandomNotHex => {
                f.write_str("client random is not hex; skipped")
            }
            KeyLogWarningKind::ClientRandomLength(n) => {
                write!(f, "client random is {n} bytes, expected 32; skipped")
            }
            KeyLogWarningKind::SecretNotHex => f.write_str("secret is not hex; skipped"),
            KeyLogWarningKind::SecretLength { label, len } => {
                write!(f, "{label} secret is {len} bytes, which is not a valid length; skipped")
            }
            KeyLogWarningKind::TooLong => {
                write!(f, "longer than {MAX_LINE} bytes; skipped")
            }
            KeyLogWarningKind::TooManySessions => write!(
                f,
                "more than {MAX_SESSIONS} client randoms; this and later new ones are skipped"
            ),
            KeyLogWarningKind::MoreSkipped(n) => {
                write!(f, "and {n} more line(s) skipped, not listed")
            }
            KeyLogWarningKind::ConflictingDuplicate { label, first_line } => write!(
                f,
                "a different {label} for the same client random is on line {first_line}; keeping that one"
            ),
        }
    }
}

/// Secrets from one or more key logs, by client random.
#[derive(Clone, Default)]
pub struct KeyLog {
    sessions: HashMap<[u8; 32], SessionSecrets, foldhash::fast::RandomState>,
    /// `RSA` lines: the premaster secret of a static-RSA handshake, by the
    /// first 8 bytes of its encrypted form (as the ClientKeyExchange
    /// carries it).
    rsa_premasters: HashMap<[u8; 8], Secret, foldhash::fast::RandomState>,
}

impl KeyLog {
    pub fn new() -> KeyLog {
        KeyLog::default()
    }

    /// Parses a key log. Bad lines are skipped and reported; the rest is
    /// kept. Accepts `\n` and `\r\n` line ends, a UTF-8 byte order mark,
    /// and NUL padding (as found at the end of a pcapng DSB).
    pub fn parse(text: &[u8]) -> (KeyLog, Vec<KeyLogWarning>) {
        match Self::parse_reader(text) {
            Ok(r) => r,
            // Reading from a slice cannot fail.
            Err(_) => (KeyLog::new(), Vec::new()),
        }
    }

    /// Parses a key log from a stream, one bounded line at a time: memory
    /// depends on the sessions kept, not on the input's size.
    pub fn parse_reader<R: BufRead>(mut r: R) -> io::Result<(KeyLog, Vec<KeyLogWarning>)> {
        let mut p = LineParser::default();
        let mut line = Vec::new();
        let mut line_no = 0usize;
        loop {
            line.clear();
            let (n, complete) = read_bounded_line(&mut r, &mut line)?;
            if n == 0 {
                break;
            }
            line_no += 1;
            let raw: &[u8] = if line_no == 1 {
                line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(&line)
            } else {
                &line
            };
            if complete {
                p.line(line_no, raw);
            } else {
                p.warn(line_no, KeyLogWarningKind::TooLong);
            }
        }
        if p.unlisted > 0 {
            p.warnings.push(KeyLogWarning {
                line: line_no,
                kind: KeyLogWarningKind::MoreSkipped(p.unlisted),
            });
        }
        Ok((p.log, p.warnings))
    }

    /// Whether every secret of `other` is here already (with any value).
    pub fn contains_all(&self, other: &KeyLog) -> bool {
        other.sessions.iter().all(|(random, theirs)| {
            self.sessions.get(random).is_some_and(|ours| {
                Label::ALL
                    .into_iter()
                    .all(|l| theirs.get(l).is_none() || ours.get(l).is_some())
            })
        })
    }

    /// Adds the secrets of `other`. Where both have a value for the same
    /// client random and label, this log's value is kept. Returns how many
    /// such values differed (0 when the two logs agree).
    pub fn merge(&mut self, other: KeyLog) -> usize {
        let mut conflicts = 0;
        for (prefix, premaster) in other.rsa_premasters {
            if self.rsa_premasters.len() < MAX_SESSIONS {
                self.rsa_premasters.entry(prefix).or_insert(premaster);
            }
        }
        for (random, secrets) in other.sessions {
            match self.sessions.get_mut(&random) {
                Some(ours) => conflicts += ours.merge_from(secrets),
                None => {
                    if self.sessions.len() < MAX_SESSIONS {
                        self.sessions.insert(random, secrets);
                    }
                }
            }
        }
        conflicts
    }

    pub fn secrets_for(&self, client_random: &[u8; 32]) -> Option<&SessionSecrets> {
        self.sessions.get(client_random)
    }

    /// The premaster secret an `RSA` line gives for an encrypted premaster
    /// starting with these bytes.
    pub fn rsa_premaster(&self, encrypted: &[u8]) -> Option<&Secret> {
        let prefix: [u8; 8] = encrypted.get(..8)?.try_into().ok()?;
        self.rsa_premasters.get(&prefix)
    }

    /// Whether any `RSA` line was read.
    pub fn has_rsa_premasters(&self) -> bool {
        !self.rsa_premasters.is_empty()
    }

    /// The number of connections with at least one secret (by client
    /// random, or by encrypted premaster for `RSA` lines).
    pub fn len(&self) -> usize {
        self.sessions.len() + self.rsa_premasters.len()
    }

    pub fn is_empty(&self) -> bool {
        self.sessions.is_empty() && self.rsa_premasters.is_empty()
    }
}

impl fmt::Debug for KeyLog {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let secrets: usize = self.sessions.values().map(|s| s.labels().len()).sum();
        f.debug_struct("KeyLog")
            .field("sessions", &self.sessions.len())
            .field("secrets", &secrets)
            .finish()
    }
}

/// Reads one line into `buf` (without its `\n`), at most [`MAX_LINE`]
/// bytes of it: the rest of a longer line is passed over unread. Returns
/// the bytes consumed (0 at the end) and whether the line was whole.
fn read_bounded_line<R: BufRead>(r: &mut R, buf: &mut Vec<u8>) -> io::Result<(usize, bool)> {
    let mut consumed = 0;
    let mut whole = true;
    loop {
        let avail = match r.fill_buf() {
            Ok(b) => b,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if avail.is_empty() {
            return Ok((consumed, whole));
        }
        let (take, done) = match avail.iter().position(|&b| b == b'\n') {
            Some(i) => (i, true),
            None => (avail.len(), false),
        };
        if whole {
            let room = MAX_LINE - buf.len();
            if take > room {
                whole = false;
                buf.clear();
            } else {
                buf.extend_from_slice(&avail[..take]);
            }
        }
        let used = take + usize::from(done);
        r.consume(used);
        consumed += used;
        if done {
            return Ok((consumed, whole));
        }
    }
}

/// The state of one parse: what is kept, and the warnings so far.
#[derive(Default)]
struct LineParser {
    log: KeyLog,
    warnings: Vec<KeyLogWarning>,
    /// Warnings beyond [`MAX_WARNINGS`], counted.
    unlisted: u64,
    /// (client random, label) -> line of the first value.
    first_seen: HashMap<([u8; 32], Label), usize, foldhash::fast::RandomState>,
    full_warned: bool,
}

impl LineParser {
    fn warn(&mut self, line: usize, kind: KeyLogWarningKind) {
        if self.warnings.len() < MAX_WARNINGS {
            self.warnings.push(KeyLogWarning { line, kind });
        } else {
            self.unlisted += 1;
        }
    }

    fn line(&mut self, line_no: usize, raw: &[u8]) {
        let raw = trim_line(raw);
        if raw.is_empty() || raw[0] == b'#' {
            return;
        }
        let Ok(line) = std::str::from_utf8(raw) else {
            self.warn(line_no, KeyLogWarningKind::NotText);
            return;
        };
        if line.split_ascii_whitespace().next() == Some("RSA") {
            match parse_rsa_line(&line[3..]) {
                Ok((prefix, premaster)) => {
                    if self.log.rsa_premasters.len() < MAX_SESSIONS {
                        self.log.rsa_premasters.entry(prefix).or_insert(premaster);
                    }
                }
                Err(kind) => self.warn(line_no, kind),
            }
            return;
        }
        match parse_line(line) {
            Ok((label, random, secret)) => {
                if !self.log.sessions.contains_key(&random)
                    && self.log.sessions.len() >= MAX_SESSIONS
                {
                    if !self.full_warned {
                        self.full_warned = true;
                        self.warn(line_no, KeyLogWarningKind::TooManySessions);
                    }
                    return;
                }
                let slot = self.log.sessions.entry(random).or_default().slot_mut(label);
                match slot {
                    None => {
                        *slot = Some(secret);
                        self.first_seen.insert((random, label), line_no);
                    }
                    Some(existing) => {
                        if *existing != secret {
                            let first_line =
                                self.first_seen.get(&(random, label)).copied().unwrap_or(0);
                            self.warn(
                                line_no,
                                KeyLogWarningKind::ConflictingDuplicate { label, first_line },
                            );
                        }
                    }
                }
            }
            Err(Some(kind)) => self.warn(line_no, kind),
            Err(None) => {}
        }
    }
}

/// Strips `\r`, trailing whitespace and NUL padding, and leading whitespace.
fn trim_line(mut raw: &[u8]) -> &[u8] {
    while let [rest @ .., last] = raw {
        if last.is_ascii_whitespace() || *last == 0 {
            raw = rest;
        } else {
            break;
        }
    }
    while let [first, rest @ ..] = raw {
        if first.is_ascii_whitespace() || *first == 0 {
            raw = rest;
        } else {
            break;
        }
    }
    raw
}

/// `RSA <first 8 bytes of the encrypted premaster, hex> <premaster, hex>`
/// (NSS key log format; 48-byte premaster).
fn parse_rsa_line(rest: &str) -> Result<([u8; 8], Secret), KeyLogWarningKind> {
    let mut fields = rest.split_ascii_whitespace();
    let (Some(prefix), Some(premaster)) = (fields.next(), fields.next()) else {
        return Err(KeyLogWarningKind::MissingFields);
    };
    if fields.next().is_some() {
        return Err(KeyLogWarningKind::ExtraFields);
    }
    let prefix: [u8; 8] = decode_hex(prefix)
        .ok_or(KeyLogWarningKind::ClientRandomNotHex)?
        .as_slice()
        .try_into()
        .map_err(|_| KeyLogWarningKind::ClientRandomLength(prefix.len() / 2))?;
    let premaster = decode_hex(premaster).ok_or(KeyLogWarningKind::SecretNotHex)?;
    if premaster.len() != 48 {
        return Err(KeyLogWarningKind::SecretLength {
            label: Label::ClientRandom,
            len: premaster.len(),
        });
    }
    Ok((prefix, Secret::new(premaster)))
}

/// `Err(None)` means "skip silently" (labels we need not use).
type LineResult = Result<(Label, [u8; 32], Secret), Option<KeyLogWarningKind>>;

fn parse_line(line: &str) -> LineResult {
    let mut fields = line.split_ascii_whitespace();
    let (Some(label), Some(random), Some(secret)) = (fields.next(), fields.next(), fields.next())
    else {
        return Err(Some(KeyLogWarningKind::MissingFields));
    };
    if fields.next().is_some() {
        return Err(Some(KeyLogWarningKind::ExtraFields));
    }
    let label = match Label::from_name(label) {
        Some(l) => l,
        None => {
            return Err(Some(match label {
                "PMS_CLIENT_RANDOM" => KeyLogWarningKind::UnsupportedLabel("PMS_CLIENT_RANDOM"),
                // OpenSSL logs the secrets after each KeyUpdate under these;
                // they follow from the `_0` ones, so skip them quietly.
                "CLIENT_TRAFFIC_SECRET_N" | "SERVER_TRAFFIC_SECRET_N" => return Err(None),
                other => KeyLogWarningKind::UnknownLabel(printable_label(other)),
            }));
        }
    };
    let random: [u8; 32] = if random.len() == 64 {
        let mut r = [0u8; 32];
        if !decode_hex_into(random.as_bytes(), &mut r) {
            return Err(Some(KeyLogWarningKind::ClientRandomNotHex));
        }
        r
    } else {
        // Not 32 bytes: say whether it is hex at all, then its length.
        decode_hex(random).ok_or(KeyLogWarningKind::ClientRandomNotHex)?;
        return Err(Some(KeyLogWarningKind::ClientRandomLength(
            random.len() / 2,
        )));
    };
    let secret = decode_hex(secret).ok_or(KeyLogWarningKind::SecretNotHex)?;
    if !label.accepts_len(secret.len()) {
        return Err(Some(KeyLogWarningKind::SecretLength {
            label,
            len: secret.len(),
        }));
    }
    Ok((label, random, Secret::new(secret)))
}

/// The label text if it can't be secret material: 1..=40 characters of
/// `A-Z0-9_` with at least one that isn't a hex digit (hex-only text could
/// be a secret pasted into the wrong column).
fn printable_label(s: &str) -> Option<String> {
    let shaped = !s.is_empty()
        && s.len() <= 40
        && s.bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_');
    let not_hex = s.bytes().any(|b| !b.is_ascii_hexdigit());
    (shaped && not_hex).then(|| s.to_string())
}

fn decode_hex(s: &str) -> Option<Vec<u8>> {
    let b = s.as_bytes();
    if b.is_empty() || b.len() % 2 != 0 {
        return None;
    }
    let mut out = vec![0u8; b.len() / 2];
    decode_hex_into(b, &mut out).then_some(out)
}

/// Decodes `hex` (two digits a byte) into `out`, of half its length;
/// false at the first byte that is not a hex digit.
fn decode_hex_into(hex: &[u8], out: &mut [u8]) -> bool {
    let mut bad = 0u8;
    for (o, p) in out.iter_mut().zip(hex.chunks_exact(2)) {
        let (hi, lo) = (HEX[p[0] as usize], HEX[p[1] as usize]);
        bad |= hi | lo;
        *o = hi << 4 | (lo & 0x0f);
    }
    // Digits are 0..=15; a non-digit (0xff) sets the high bits.
    bad & 0xf0 == 0
}

/// Each byte's value as a hex digit, or 0xff.
const HEX: [u8; 256] = {
    let mut t = [0xffu8; 256];
    let mut i = 0;
    while i < 10 {
        t[b'0' as usize + i] = i as u8;
        i += 1;
    }
    let mut i = 0;
    while i < 6 {
        t[b'a' as usize + i] = 10 + i as u8;
        t[b'A' as usize + i] = 10 + i as u8;
        i += 1;
    }
    t
};

#[cfg(test)]
mod tests;
