//! tlstrace: read packet captures and explain TLS handshakes, above all why
//! client-certificate authentication (mutual TLS) succeeded or failed.
//!
//! The modules follow the data as it flows, each knowing only the one below it:
//! [`capture`] (pcap/pcapng files, link layers) → [`net`] (IP, TCP reassembly)
//! → `tls` (records, handshake messages) → `x509` → `diagnose` → `report`,
//! with [`cli`] as a thin face over them.
// No unsafe code; the Python module's PyO3 glue (feature `python`) is the
// one exception, allowed in that module only.
#![cfg_attr(not(feature = "python"), forbid(unsafe_code))]
#![cfg_attr(feature = "python", deny(unsafe_code))]

pub mod analysis;
pub mod capture;
pub mod cli;
pub mod diagnose;
pub mod explain;
pub mod net;
#[cfg(feature = "python")]
mod python;
pub mod report;
pub mod tls;
pub mod x509;
