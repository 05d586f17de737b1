//! Extensions: [`Extension`] as on the wire, the strict extension list of
//! EncryptedExtensions, CertificateRequest, Certificate entries and
//! NewSessionTicket, the lenient block of the hellos (which notes every
//! problem and keeps what parsed), and the readers of the lists inside
//! extension data (ALPN names, distinguished names, u16 lists).

use super::codec::Reader;
use super::{hex, ParseError, Result};
use crate::tls::names;
use serde::Serialize;
use std::borrow::Cow;

/// One extension as on the wire: its type and its raw `extension_data`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Extension {
    /// Extension type (see [`names::extension_name`]).
    pub ext_type: u16,
    /// Raw `extension_data` (hex in JSON).
    #[serde(serialize_with = "hex::bytes")]
    pub data: Vec<u8>,
}

impl Extension {
    /// IANA name of the extension type.
    pub fn name(&self) -> Cow<'static, str> {
        names::extension_name(self.ext_type)
    }
}

/// Strict `Extension extensions<0..2^16-1>` at the cursor.
pub(super) fn parse_extension_list(r: &mut Reader<'_>, what: &str) -> Result<Vec<Extension>> {
    let mut list = r.vec16(what)?;
    let mut out = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let e = (|| {
            let ext_type = list.u16("extension_type")?;
            let data = list.vec16("extension_data")?.rest();
            Ok(Extension {
                ext_type,
                data: data.to_vec(),
            })
        })()
        .map_err(|e: ParseError| e.context(format_args!("{what}: extension {i}")))?;
        out.push(e);
    }
    Ok(out)
}

/// Lenient extension block of a hello: parses what it can and records every
/// problem in `problems`. `r` is positioned after the fixed fields.
pub(super) fn parse_hello_extensions(
    r: &mut Reader<'_>,
    problems: &mut Vec<String>,
) -> Vec<Extension> {
    let mut out = Vec::new();
    if r.is_empty() {
        return out; // no extension block at all (SSL 3.0 / TLS 1.0 style)
    }
    let declared = match r.u16("extensions length") {
        Ok(n) => usize::from(n),
        Err(e) => {
            problems.push(describe(&e));
            return out;
        }
    };
    let avail = r.remaining();
    let take = if declared > avail {
        problems.push(format!(
            "extensions block length {declared} exceeds remaining {avail} bytes (at byte {})",
            r.offset()
        ));
        avail
    } else {
        declared
    };
    let mut block = match r.sub(take, "extensions") {
        Ok(b) => b,
        Err(e) => {
            problems.push(describe(&e));
            return out;
        }
    };
    if !r.is_empty() {
        problems.push(format!(
            "{} trailing bytes after the extensions block (at byte {})",
            r.remaining(),
            r.offset()
        ));
        r.rest();
    }
    let mut i = 0usize;
    while !block.is_empty() {
        i += 1;
        let start = block.offset();
        let ext_type = match block.u16("extension_type") {
            Ok(t) => t,
            Err(_) => {
                problems.push(format!(
                    "extension {i}: 1 stray byte at the end of the block (at byte {start})"
                ));
                break;
            }
        };
        match block.vec16("extension_data") {
            Ok(mut d) => out.push(Extension {
                ext_type,
                data: d.rest().to_vec(),
            }),
            Err(e) => {
                problems.push(format!(
                    "extension {i} ({}): {}",
                    names::extension_name(ext_type),
                    describe(&e)
                ));
                break;
            }
        }
    }
    let mut seen: Vec<u16> = Vec::with_capacity(out.len());
    for e in &out {
        if seen.contains(&e.ext_type) {
            problems.push(format!("duplicate extension {}", e.name()));
        } else {
            seen.push(e.ext_type);
        }
    }
    out
}

/// `detail (at byte N)` of an error, without the message name (for the
/// `malformed_extensions` notes).
pub(super) fn describe(e: &ParseError) -> String {
    format!("{} (at byte {})", e.detail, e.offset)
}

/// Decodes one extension's data with `f`, which must consume all of it.
/// The reader's offsets are those of the data within the body.
pub(super) fn decode_ext<'a, T>(
    data: &'a [u8],
    base: usize,
    msg: &'static str,
    ext_type: u16,
    f: impl FnOnce(&mut Reader<'a>) -> Result<T>,
) -> Result<T> {
    let mut r = Reader {
        buf: data,
        pos: 0,
        base,
        msg,
    };
    let res = f(&mut r).and_then(|v| r.finish("the extension data").map(|()| v));
    res.map_err(|e| e.context(names::extension_name(ext_type)))
}

/// Where each extension's data starts within the body, for error offsets.
/// Extensions are laid out back to back from `block_start` (after the
/// 2-byte block length) with a 4-byte header each.
pub(super) fn ext_data_offsets(exts: &[Extension], block_start: usize) -> Vec<usize> {
    let mut off = block_start;
    exts.iter()
        .map(|e| {
            let d = off + 4;
            off = d + e.data.len();
            d
        })
        .collect()
}

pub(super) fn lossy(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

pub(super) fn read_u16_vec16(r: &mut Reader<'_>, what: &str) -> Result<Vec<u16>> {
    r.vec16(what)?.u16_list(what)
}

/// `ProtocolName protocol_name_list<2..2^16-1>` of `opaque ProtocolName<1..2^8-1>`.
pub(super) fn read_alpn_list(r: &mut Reader<'_>) -> Result<Vec<String>> {
    let mut list = r.vec16("protocol_name_list")?;
    let mut out = Vec::new();
    while !list.is_empty() {
        out.push(lossy(list.vec8("protocol_name")?.rest()));
    }
    Ok(out)
}

/// `DistinguishedName authorities<..2^16-1>` of `opaque DistinguishedName<1..2^16-1>`;
/// returns the names and the list's wire length.
pub(super) fn read_dn_list(r: &mut Reader<'_>, what: &str) -> Result<(Vec<Vec<u8>>, usize)> {
    let mut list = r.vec16(what)?;
    let len = list.remaining();
    let mut out = Vec::new();
    let mut i = 0usize;
    while !list.is_empty() {
        i += 1;
        let dn = list
            .vec16("distinguished_name")
            .map_err(|e| e.context(format_args!("{what}: name {i}")))?;
        out.push(dn.rest_slice().to_vec());
    }
    Ok((out, len))
}
