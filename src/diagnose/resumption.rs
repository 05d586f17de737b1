//! Which earlier connection a resumed session comes from.
//!
//! A resumed handshake exchanges no certificates (RFC 5246 §7.3, RFC 8446
//! §2.2): the client was authenticated, or not, in the connection that
//! established the session. That connection is found by what the resumed
//! ClientHello presents and the server accepted: the session id the server
//! gave in its ServerHello (TLS 1.0–1.2, in the clear), a ticket from a
//! NewSessionTicket (RFC 5077: in the clear before the server's
//! ChangeCipherSpec), or a TLS 1.3 PSK identity, which is the ticket of a
//! NewSessionTicket (RFC 8446 §4.6.1; encrypted, so visible with keys).

use super::{ClientAuth, Diagnosis};
use crate::tls::messages::{ticket_id, HandshakeMessage, NewSessionTicket};
use crate::tls::stream::Side;
use crate::tls::summary::{Handshake, Resumption};
use crate::tls::ConnectionFacts;
use std::collections::{HashMap, VecDeque};

/// Sessions remembered per capture; the oldest are forgotten first.
const MAX_SESSIONS: usize = 4096;

/// How a session is named on the wire.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
enum SessionKey {
    /// A TLS 1.0–1.2 session id (at most 32 bytes).
    Id(Vec<u8>),
    /// A ticket or PSK identity, by [`ticket_id`].
    Ticket(u64),
}

/// The connection that established a session, and what it showed about
/// the client.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SessionOrigin {
    pub connection: u64,
    pub client_auth: ClientAuth,
    /// The client certificate's subject, when it sent one.
    pub client_subject: Option<String>,
}

/// The sessions the connections of one capture established, in the order
/// they were diagnosed.
#[derive(Debug, Default)]
pub struct SessionRegistry {
    origins: HashMap<SessionKey, SessionOrigin>,
    order: VecDeque<SessionKey>,
}

impl SessionRegistry {
    /// Remembers the sessions `facts` established (or, when it resumed one,
    /// the new tickets it was given for the same client).
    pub fn record(&mut self, facts: &ConnectionFacts, d: &Diagnosis) {
        let hs = Handshake::new(&facts.tls);
        let origin = match self.origin_of(&hs) {
            Some(o) => o.clone(),
            None => SessionOrigin {
                connection: facts.info.id,
                client_auth: d.client_auth,
                client_subject: d.client_chain.first().map(|c| c.subject.clone()),
            },
        };
        let mut keys = Vec::new();
        if let Some(sh) = hs.server_hello() {
            if !sh.value.session_id.is_empty() && !hs.is_tls13() {
                keys.push(SessionKey::Id(sh.value.session_id.clone()));
            }
        }
        for h in &facts.tls.handshakes {
            if h.from != Side::Server {
                continue;
            }
            if let Ok(HandshakeMessage::NewSessionTicket(t)) = &h.message {
                let id = match t {
                    NewSessionTicket::Tls12 { ticket_id, .. }
                    | NewSessionTicket::Tls13 { ticket_id, .. } => *ticket_id,
                };
                keys.push(SessionKey::Ticket(id));
            }
        }
        for key in keys {
            if self.origins.insert(key.clone(), origin.clone()).is_none() {
                self.order.push_back(key);
                if self.order.len() > MAX_SESSIONS {
                    if let Some(old) = self.order.pop_front() {
                        self.origins.remove(&old);
                    }
                }
            }
        }
    }

    /// The connection whose session this handshake resumed, if it is
    /// among those recorded.
    pub fn origin_of(&self, hs: &Handshake<'_>) -> Option<&SessionOrigin> {
        let ch = hs.client_hello(Some(Side::Client))?;
        let key = match hs.resumption()? {
            Resumption::SessionId => SessionKey::Id(ch.value.session_id.clone()),
            Resumption::SessionTicket => {
                SessionKey::Ticket(ticket_id(ch.value.session_ticket.as_deref()?))
            }
            Resumption::Psk => {
                let chosen = hs.server_hello()?.value.selected_psk?;
                SessionKey::Ticket(*ch.value.psk_identity_ids.get(usize::from(chosen))?)
            }
        };
        self.origins.get(&key)
    }
}
