//! The key facts of a connection's TLS, read off its handshake messages.

use super::fingerprint;
use super::messages::{
    Certificate, CertificateRequest, CertificateVerify, ClientHello, HandshakeMessage, ServerHello,
};
use super::stream::{is_tls13, HandshakeRecord, Side, TlsConnection};
use serde::Serialize;

/// How a session was resumed instead of authenticated afresh.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Resumption {
    /// TLS ≤ 1.2: the server echoed the client's session id.
    SessionId,
    /// TLS ≤ 1.2: an abbreviated handshake after the client offered a ticket.
    SessionTicket,
    /// TLS 1.3: the server selected a pre-shared key.
    Psk,
}

/// A handshake message of interest, with its frame.
#[derive(Debug)]
pub struct Located<'a, T> {
    pub frame: u64,
    pub record: &'a HandshakeRecord,
    pub value: &'a T,
}

// Manual impls: the derives would require `T: Copy`.
impl<T> Clone for Located<'_, T> {
    fn clone(&self) -> Self {
        *self
    }
}

impl<T> Copy for Located<'_, T> {}

/// Views of the handshake the report and the diagnosis use.
#[derive(Debug, Clone, Copy)]
pub struct Handshake<'a> {
    pub conn: &'a TlsConnection,
}

macro_rules! find_msg {
    ($name:ident, $variant:ident, $ty:ty) => {
        /// The first such message from `side` (any side when `None`).
        pub fn $name(&self, side: Option<Side>) -> Option<Located<'a, $ty>> {
            self.conn.handshakes.iter().find_map(|h| match &h.message {
                Ok(HandshakeMessage::$variant(v)) if side.is_none_or(|s| s == h.from) => {
                    Some(Located {
                        frame: h.frame,
                        record: h,
                        value: v,
                    })
                }
                _ => None,
            })
        }
    };
}

impl<'a> Handshake<'a> {
    pub fn new(conn: &'a TlsConnection) -> Self {
        Handshake { conn }
    }

    find_msg!(client_hello, ClientHello, ClientHello);
    find_msg!(certificate, Certificate, Certificate);
    find_msg!(certificate_request, CertificateRequest, CertificateRequest);
    find_msg!(certificate_verify, CertificateVerify, CertificateVerify);

    /// The ServerHello that is not a HelloRetryRequest.
    pub fn server_hello(&self) -> Option<Located<'a, ServerHello>> {
        self.conn.handshakes.iter().find_map(|h| match &h.message {
            Ok(HandshakeMessage::ServerHello(v)) if !v.is_hello_retry_request => Some(Located {
                frame: h.frame,
                record: h,
                value: v,
            }),
            _ => None,
        })
    }

    pub fn hello_retry_request(&self) -> Option<Located<'a, ServerHello>> {
        self.conn.handshakes.iter().find_map(|h| match &h.message {
            Ok(HandshakeMessage::ServerHello(v)) if v.is_hello_retry_request => Some(Located {
                frame: h.frame,
                record: h,
                value: v,
            }),
            _ => None,
        })
    }

    /// The negotiated version, if the ServerHello was seen.
    pub fn version(&self) -> Option<u16> {
        self.server_hello().map(|s| s.value.negotiated_version())
    }

    pub fn is_tls13(&self) -> bool {
        self.version().is_some_and(is_tls13)
    }

    pub fn sni(&self) -> Option<&'a str> {
        self.client_hello(Some(Side::Client))
            .and_then(|c| c.value.server_name.as_deref())
    }

    pub fn cipher_suite(&self) -> Option<u16> {
        self.server_hello().map(|s| s.value.cipher_suite)
    }

    /// The server's certificate chain and the client's, if sent in clear
    /// (or decrypted).
    pub fn server_certificate(&self) -> Option<Located<'a, Certificate>> {
        self.certificate(Some(Side::Server))
    }

    pub fn client_certificate(&self) -> Option<Located<'a, Certificate>> {
        self.certificate(Some(Side::Client))
    }

    /// Was the session resumed rather than fully authenticated?
    pub fn resumption(&self) -> Option<Resumption> {
        let sh = self.server_hello()?;
        if is_tls13(sh.value.negotiated_version()) {
            return sh.value.selected_psk.map(|_| Resumption::Psk);
        }
        let ch = self.client_hello(Some(Side::Client))?;
        // An abbreviated handshake: the server's ChangeCipherSpec follows
        // its ServerHello with no Certificate between. A ticket the client
        // presented (RFC 5077 §3.4) is what was resumed, even though the
        // server also echoes the session id.
        let sh_pos = self
            .conn
            .ladder
            .iter()
            .position(|l| l.from == Side::Server && l.kind == "server_hello")?;
        let abbreviated = self.conn.ladder.get(sh_pos + 1..).and_then(|rest| {
            rest.iter()
                .find(|l| l.from == Side::Server)
                .map(|l| l.kind == "change_cipher_spec" || l.kind == "new_session_ticket")
        });
        let ticket = ch
            .value
            .session_ticket
            .as_ref()
            .is_some_and(|t| !t.is_empty());
        if abbreviated == Some(true) && ticket {
            return Some(Resumption::SessionTicket);
        }
        if !ch.value.session_id.is_empty() && ch.value.session_id == sh.value.session_id {
            return Some(Resumption::SessionId);
        }
        None
    }

    /// JA3 of the client's (first) ClientHello.
    pub fn ja3(&self) -> Option<(String, String)> {
        self.client_hello(Some(Side::Client))
            .map(|c| (fingerprint::ja3_string(c.value), fingerprint::ja3(c.value)))
    }

    pub fn ja4(&self) -> Option<String> {
        self.client_hello(Some(Side::Client))
            .map(|c| fingerprint::ja4(c.value, false))
    }

    /// CertificateRequests after the first handshake (TLS 1.2
    /// renegotiation, TLS 1.3 post-handshake authentication).
    pub fn later_certificate_requests(&self) -> Vec<Located<'a, CertificateRequest>> {
        let first_finished = self
            .conn
            .handshakes
            .iter()
            .filter(|h| h.msg_type == 20)
            .nth(1)
            .map(|h| h.frame);
        let Some(after) = first_finished else {
            return Vec::new();
        };
        self.conn
            .handshakes
            .iter()
            .filter_map(|h| match &h.message {
                Ok(HandshakeMessage::CertificateRequest(cr)) if h.frame > after => Some(Located {
                    frame: h.frame,
                    record: h,
                    value: cr,
                }),
                _ => None,
            })
            .collect()
    }
}
