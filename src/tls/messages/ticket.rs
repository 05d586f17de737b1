//! NewSessionTicket in the TLS 1.2 (RFC 5077) and TLS 1.3 layouts, and
//! [`ticket_id`], which ties a ticket to the `pre_shared_key` identity
//! that later presents it.

use super::codec::Reader;
use super::extensions::{decode_ext, ext_data_offsets, parse_extension_list, Extension};
use super::{ext, hex, Result};
use serde::Serialize;

/// NewSessionTicket in either layout.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum NewSessionTicket {
    /// RFC 5077 §3.3.
    Tls12 {
        lifetime_hint: u32,
        ticket_len: usize,
        /// [`ticket_id`] of the ticket.
        #[serde(skip)]
        ticket_id: u64,
    },
    /// RFC 8446 §4.6.1.
    Tls13 {
        lifetime: u32,
        age_add: u32,
        #[serde(serialize_with = "hex::bytes")]
        nonce: Vec<u8>,
        ticket_len: usize,
        /// [`ticket_id`] of the ticket.
        #[serde(skip)]
        ticket_id: u64,
        extensions: Vec<Extension>,
        /// `early_data` (42) `max_early_data_size`, if present.
        max_early_data_size: Option<u32>,
    },
}

const NEW_SESSION_TICKET: &str = "new_session_ticket";

/// A short identity for a session ticket (or PSK identity), so that a
/// resumption can be matched to the NewSessionTicket that issued it
/// without keeping tickets: a fixed-key SipHash of the bytes.
pub fn ticket_id(ticket: &[u8]) -> u64 {
    use std::hash::{Hash, Hasher};
    let mut h = std::hash::DefaultHasher::new();
    ticket.hash(&mut h);
    h.finish()
}

/// RFC 5077: `uint32 ticket_lifetime_hint; opaque ticket<0..2^16-1>`.
pub(super) fn parse_nst12(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime_hint = r.u32("ticket_lifetime_hint")?;
    let ticket = r.vec16("ticket")?.rest();
    r.finish("ticket")?;
    Ok(NewSessionTicket::Tls12 {
        lifetime_hint,
        ticket_len: ticket.len(),
        ticket_id: ticket_id(ticket),
    })
}

/// RFC 8446 §4.6.1.
pub(super) fn parse_nst13(body: &[u8]) -> Result<NewSessionTicket> {
    let mut r = Reader::new(body, NEW_SESSION_TICKET);
    let lifetime = r.u32("ticket_lifetime")?;
    let age_add = r.u32("ticket_age_add")?;
    let nonce = r.vec8("ticket_nonce")?.rest().to_vec();
    let ticket = r.vec16("ticket")?.rest();
    let (ticket_len, ticket_id) = (ticket.len(), ticket_id(ticket));
    let block_start = r.offset() + 2;
    let extensions = parse_extension_list(&mut r, "extensions")?;
    r.finish("extensions")?;
    let mut max_early_data_size = None;
    let offsets = ext_data_offsets(&extensions, block_start);
    for (e, &base) in extensions.iter().zip(&offsets) {
        if e.ext_type == ext::EARLY_DATA {
            max_early_data_size = Some(decode_ext(
                &e.data,
                base,
                NEW_SESSION_TICKET,
                e.ext_type,
                |r| r.u32("max_early_data_size"),
            )?);
        }
    }
    Ok(NewSessionTicket::Tls13 {
        lifetime,
        age_add,
        nonce,
        ticket_len,
        ticket_id,
        extensions,
        max_early_data_size,
    })
}
