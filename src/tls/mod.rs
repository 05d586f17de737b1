//! TLS: records, handshake messages and their fields, per TCP stream.
//!
//! `messages` holds pure parsers from bytes to owned message structs (one
//! struct per version's layout); `names` the IANA registries as names;
//! `fingerprint` JA3 and JA4. The record framer and per-connection state
//! machine sit on top of them.

pub mod fingerprint;
pub mod messages;
pub mod names;
