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
//! Without the keys, a TLS 1.3 resumption is matched to the connections
//! that could have issued its ticket instead ([`crate::diagnose::infer::resumption`]).

use super::infer::resumption::{guess, Issuer, IssuerGuess, ServerIssuers};
use super::{ClientAuth, Diagnosis, HandshakeOutcome};
use crate::tls::messages::{ticket_id, HandshakeMessage, NewSessionTicket};
use crate::tls::stream::Side;
use crate::tls::summary::{Handshake, Resumption};
use crate::tls::traffic::{SealedSizes, KNOWN_PADDINGS};
use crate::tls::ConnectionFacts;
use std::collections::{HashMap, VecDeque};
use std::net::SocketAddr;

/// Sessions remembered per capture; the oldest are forgotten first.
const MAX_SESSIONS: usize = 4096;

/// Servers whose possible ticket issuers are remembered per capture (for
/// TLS 1.3 resumptions without keys); the issuers of servers beyond these
/// are not, and a resumption there stays `unknown`.
const MAX_ISSUER_SERVERS: usize = 256;

/// Possible issuers remembered one by one per server; older ones are
/// folded into what they agreed on. With [`MAX_ISSUER_SERVERS`], as many
/// as [`MAX_SESSIONS`] in all.
const ISSUERS_PER_SERVER: usize = MAX_SESSIONS / MAX_ISSUER_SERVERS;

/// A server as a client addresses it: address, port and SNI (lowercase).
type ServerKey = (SocketAddr, Option<String>);

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
    /// Keyed by foldhash, seeded per process (as the flow table and the
    /// key log): session ids and tickets are long, and SipHash over them
    /// was a visible share of the diagnosis.
    origins: HashMap<SessionKey, SessionOrigin, foldhash::fast::RandomState>,
    order: VecDeque<SessionKey>,
    /// TLS 1.3 connections whose tickets the keys did not show, by server.
    issuers: HashMap<ServerKey, ServerIssuers, foldhash::fast::RandomState>,
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
        if let Some(issuer) = possible_issuer(facts, &hs, d) {
            let key = server_key(facts, &hs);
            if self.issuers.len() < MAX_ISSUER_SERVERS || self.issuers.contains_key(&key) {
                self.issuers
                    .entry(key)
                    .or_default()
                    .push(issuer, ISSUERS_PER_SERVER);
            }
        }
    }

    /// For a TLS 1.3 resumption whose ticket is not among those recorded
    /// (its NewSessionTicket was encrypted): the earlier connections to
    /// the same server that could have issued it, and whether they agree.
    /// `None` when this is not a TLS 1.3 resumption.
    pub fn guess_issuer(&self, facts: &ConnectionFacts, hs: &Handshake<'_>) -> Option<IssuerGuess> {
        if hs.resumption()? != Resumption::Psk {
            return None;
        }
        let ch = hs.client_hello(Some(Side::Client))?;
        Some(guess(self.issuers.get(&server_key(facts, hs)), ch.frame))
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

fn server_key(facts: &ConnectionFacts, hs: &Handshake<'_>) -> ServerKey {
    (facts.info.server, hs.sni().map(str::to_ascii_lowercase))
}

/// A TLS 1.3 connection that could have issued session tickets the keys
/// do not show: it completed its handshake, none of its NewSessionTickets
/// was decrypted (those are matched exactly), and the server sent a record
/// after the client's Finished that is not an alert's size, where tickets
/// go (RFC 8446 §4.6.1).
fn possible_issuer(facts: &ConnectionFacts, hs: &Handshake<'_>, d: &Diagnosis) -> Option<Issuer> {
    if !hs.is_tls13() || d.handshake != HandshakeOutcome::Completed {
        return None;
    }
    let tickets_seen = facts.tls.handshakes.iter().any(|h| {
        h.from == Side::Server && matches!(h.message, Ok(HandshakeMessage::NewSessionTicket(_)))
    });
    if tickets_seen {
        return None;
    }
    let sizes = SealedSizes::for_tls13_suite(hs.server_hello()?.value.cipher_suite)?;
    let alert = |len: usize| {
        KNOWN_PADDINGS
            .iter()
            .any(|&p| len == sizes.padded(p).alert())
    };
    let ticket = facts
        .tls
        .records
        .server_after_client_flight()
        .into_iter()
        .find(|r| !alert(r.length as usize))?;
    Some(Issuer {
        connection: facts.info.id,
        ticket_frame: ticket.frame,
        client_auth: d.client_auth,
        identity: d.client_identity.clone(),
    })
}
