//! The record layer as the wire shows it, for reasoning without keys.
//!
//! TLS 1.3 hides every handshake message after the ServerHello (RFC 8446
//! §2), but not the records that carry them: each record's length, the
//! side that sent it, its frame and its time stay visible. [`RecordLog`]
//! keeps that sequence for the start of a connection (bounded), and
//! [`SealedSizes`] does the arithmetic that turns a negotiated cipher suite
//! into the exact length of the records whose content is fixed: Finished,
//! an empty Certificate, an alert.

use super::stream::Side;
use crate::capture::Timestamp;

/// Records kept per connection. The handshake, a post-handshake
/// authentication and the first exchange of data fit well inside; a long
/// connection's bulk transfer is not needed and not kept.
pub const MAX_RECORDS: usize = 96;

/// One record as seen on the wire.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct WireRecord {
    pub from: Side,
    /// The outer content type (23 for every TLS 1.3 record under keys).
    pub content_type: u8,
    /// The record's payload length (ciphertext and tag, for sealed ones).
    pub length: u32,
    /// The frame that completed the record.
    pub frame: u64,
    pub ts: Timestamp,
    /// Sent under keys (as the record layer's state knows it).
    pub sealed: bool,
}

/// The first [`MAX_RECORDS`] records of a connection, in the order they
/// were completed, and how many more there were.
#[derive(Debug, Clone, Default)]
pub struct RecordLog {
    pub records: Vec<WireRecord>,
    /// Records after the limit: counted, not kept.
    pub dropped: u64,
}

impl RecordLog {
    /// The records after the last ServerHello (the last handshake record
    /// the server sent in the clear): in TLS 1.3, all under keys but the
    /// compatibility ChangeCipherSpec. `None` if it was not seen.
    pub fn after_server_hello(&self) -> Option<&[WireRecord]> {
        let sh = self
            .records
            .iter()
            .rposition(|r| r.from == Side::Server && r.content_type == 22 && !r.sealed)?;
        self.records.get(sh + 1..)
    }

    /// The server's sealed records after the client's first flight under
    /// keys (in TLS 1.3 its second flight, which ends in its Finished):
    /// what a server sends once the handshake is over, session tickets
    /// (RFC 8446 §4.6.1) and data. Empty when the client's flight or
    /// anything after it was not seen.
    pub fn server_after_client_flight(&self) -> Vec<&WireRecord> {
        let Some(after) = self.after_server_hello() else {
            return Vec::new();
        };
        let mut recs: Vec<&WireRecord> = after
            .iter()
            .filter(|r| r.content_type != 20 && r.sealed)
            .collect();
        recs.sort_by_key(|r| r.frame);
        let Some(start) = recs.iter().position(|r| r.from == Side::Client) else {
            return Vec::new();
        };
        let end = recs[start..]
            .iter()
            .position(|r| r.from == Side::Server)
            .map_or(recs.len(), |k| start + k);
        recs.split_off(end)
            .into_iter()
            .filter(|r| r.from == Side::Server)
            .collect()
    }

    pub fn push(&mut self, r: WireRecord) {
        if self.records.len() < MAX_RECORDS {
            self.records.push(r);
        } else {
            self.dropped += 1;
        }
    }
}

/// Record lengths under a TLS 1.3 cipher suite: a sealed record is the
/// content, one byte of inner content type, any padding, and the AEAD tag
/// (RFC 8446 §5.2, §5.4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SealedSizes {
    /// AEAD tag length: 16, or 8 for AES-128-CCM-8.
    pub tag: usize,
    /// The suite's hash length: Finished's verify_data length (§4.4.4).
    pub hash: usize,
    /// Zero bytes of padding the sender adds to every record.
    pub pad: usize,
}

/// The fixed paddings seen from real stacks, most common first: none
/// (OpenSSL, GnuTLS, Go, rustls, NSS), and 16 bytes on every record (Java
/// 17's JSSE, measured on `captures/jsse-*`). A stack that pads otherwise
/// (to a block, or at random) matches none, and its sizes are not read.
pub const KNOWN_PADDINGS: [usize; 2] = [0, 16];

impl SealedSizes {
    /// The sizes for a TLS 1.3 cipher suite (RFC 8446 §B.4), or `None`
    /// for a suite whose tag or hash is not known.
    pub fn for_tls13_suite(suite: u16) -> Option<SealedSizes> {
        let (tag, hash) = match suite {
            0x1301 => (16, 32), // TLS_AES_128_GCM_SHA256
            0x1302 => (16, 48), // TLS_AES_256_GCM_SHA384
            0x1303 => (16, 32), // TLS_CHACHA20_POLY1305_SHA256
            0x1304 => (16, 32), // TLS_AES_128_CCM_SHA256
            0x1305 => (8, 32),  // TLS_AES_128_CCM_8_SHA256
            // SM4 suites (RFC 8998): GCM and CCM, SM3.
            0x00c6 | 0x00c7 => (16, 32),
            _ => return None,
        };
        Some(SealedSizes { tag, hash, pad: 0 })
    }

    /// The same suite from a sender that pads every record with `pad`.
    pub fn padded(self, pad: usize) -> SealedSizes {
        SealedSizes { pad, ..self }
    }

    /// The record that carries `content` bytes of handshake messages or
    /// data.
    pub fn record(&self, content: usize) -> usize {
        content + 1 + self.pad + self.tag
    }

    /// A Finished message: 4-byte header and verify_data.
    pub fn finished_message(&self) -> usize {
        4 + self.hash
    }

    /// A Certificate message with an empty request context and no
    /// certificates (RFC 8446 §4.4.2): header, context length, list length.
    pub const EMPTY_CERTIFICATE_MESSAGE: usize = 4 + 1 + 3;

    /// A Finished alone in its record.
    pub fn finished(&self) -> usize {
        self.record(self.finished_message())
    }

    /// An empty Certificate alone in its record.
    pub fn empty_certificate(&self) -> usize {
        self.record(Self::EMPTY_CERTIFICATE_MESSAGE)
    }

    /// An empty Certificate and Finished packed in one record.
    pub fn empty_certificate_and_finished(&self) -> usize {
        self.record(Self::EMPTY_CERTIFICATE_MESSAGE + self.finished_message())
    }

    /// An alert (level and description).
    pub fn alert(&self) -> usize {
        self.record(2)
    }

    /// The least that a Certificate holding a certificate, with its
    /// CertificateVerify, takes in records: anything at least this large
    /// where the client's certificate goes carries a certificate.
    pub fn min_certificate_and_verify(&self) -> usize {
        // The smallest certificate seen in practice (an Ed25519 leaf with
        // a one-letter name) is about 250 bytes; its CertificateVerify 72.
        // 200 leaves room without coming near an empty Certificate.
        self.record(Self::EMPTY_CERTIFICATE_MESSAGE + 200)
    }
}

#[cfg(test)]
mod tests;
