//! Which earlier connection issued the ticket a TLS 1.3 connection resumed,
//! when the keys do not show it.
//!
//! A TLS 1.3 server issues session tickets after the handshake, in
//! NewSessionTicket messages (RFC 8446 §4.6.1); a later ClientHello offers
//! a ticket as a pre_shared_key identity, and a ServerHello that carries
//! pre_shared_key accepted it (§4.2.11): the handshake is then resumed,
//! without certificates, and the session keeps the authentication of the
//! connection that issued the ticket (§2.2, §4.6.1: "the PSK ... resumes
//! that session"). With keys, the identity is matched to the ticket
//! itself ([`crate::diagnose::resumption`]). Without them the
//! NewSessionTicket is encrypted; what stays visible is which earlier
//! connections could have issued it: those of the same capture, to the
//! same server (address, port and SNI), that completed a handshake and in
//! which the server sent records after the client's Finished, where
//! tickets go, before the resumed ClientHello.
//!
//! When there is at least one such connection and all of them agree (the
//! same verdict, the same client identity as far as it is known: the
//! subject with keys, the length of the client's Certificate record
//! without), the resumed connection carries that verdict over, marked
//! inferred: whichever of them issued the ticket, the verdict is the same.
//! When they disagree, or there is none (the issuer is not in the capture,
//! or was still open when the resumed connection ended: connections are
//! diagnosed in the order they finish), the verdict stays `unknown`.

use crate::diagnose::{ClientAuth, Outcome};
use std::collections::VecDeque;

/// An earlier connection that could have issued a session ticket.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Issuer {
    pub connection: u64,
    /// The server's first record after the client's Finished that could
    /// be a ticket (not an alert's size).
    pub ticket_frame: u64,
    pub client_auth: ClientAuth,
    pub identity: IdentityHint,
}

/// What several connections show of one thing: nothing, one value, or
/// more than one.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
enum Slot<T> {
    #[default]
    Empty,
    One(T),
    Many,
}

impl<T: PartialEq> Slot<T> {
    fn add(&mut self, v: T) {
        match self {
            Slot::Empty => *self = Slot::One(v),
            Slot::One(x) if *x == v => {}
            _ => *self = Slot::Many,
        }
    }

    fn merge(&mut self, other: &Slot<T>)
    where
        T: Clone,
    {
        match other {
            Slot::Empty => {}
            Slot::One(v) => self.add(v.clone()),
            Slot::Many => *self = Slot::Many,
        }
    }
}

/// Whether a set of issuers agree: on the verdict, and on the client's
/// identity where it is known.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Agreement {
    pub count: usize,
    /// The latest ticket frame among them.
    pub last_ticket_frame: u64,
    verdict: Slot<(Outcome, Option<bool>, Option<bool>)>,
    subject: Slot<String>,
    certificate_bytes: Slot<u32>,
}

impl Agreement {
    pub fn add(&mut self, i: &Issuer) {
        self.count += 1;
        self.last_ticket_frame = self.last_ticket_frame.max(i.ticket_frame);
        let a = i.client_auth;
        self.verdict
            .add((a.outcome, a.requested, a.certificate_sent));
        if let Some(s) = &i.identity.subject {
            self.subject.add(s.clone());
        }
        if let Some(b) = i.identity.certificate_bytes {
            self.certificate_bytes.add(b);
        }
    }

    pub fn merge(&mut self, other: &Agreement) {
        self.count += other.count;
        self.last_ticket_frame = self.last_ticket_frame.max(other.last_ticket_frame);
        self.verdict.merge(&other.verdict);
        self.subject.merge(&other.subject);
        self.certificate_bytes.merge(&other.certificate_bytes);
    }

    /// The verdict they all share, with the identity they share, if there
    /// is at least one and no two differ.
    pub fn shared(&self) -> Option<(ClientAuth, IdentityHint)> {
        let Slot::One((outcome, requested, certificate_sent)) = self.verdict else {
            return None;
        };
        let subject = match &self.subject {
            Slot::Many => return None,
            Slot::One(s) => Some(s.clone()),
            Slot::Empty => None,
        };
        let bytes = match self.certificate_bytes {
            Slot::Many => return None,
            Slot::One(b) => Some(b),
            Slot::Empty => None,
        };
        Some((
            ClientAuth {
                requested,
                certificate_sent,
                outcome,
                inferred: true,
                refused_above_tls: false,
            },
            IdentityHint {
                subject,
                certificate_bytes: bytes,
            },
        ))
    }
}

/// The possible issuers of one server: the latest ones, and what the
/// older, forgotten ones agreed on.
#[derive(Debug, Clone, Default)]
pub struct ServerIssuers {
    pub recent: VecDeque<Issuer>,
    pub forgotten: Agreement,
}

impl ServerIssuers {
    /// Remembers `i`, folding the oldest into [`ServerIssuers::forgotten`]
    /// beyond `limit`.
    pub fn push(&mut self, i: Issuer, limit: usize) {
        self.recent.push_back(i);
        while self.recent.len() > limit.max(1) {
            if let Some(old) = self.recent.pop_front() {
                self.forgotten.add(&old);
            }
        }
    }
}

/// Who the client of a connection was, as far as it can be compared
/// without its certificate: the subject when the keys showed the
/// certificate (or the session it resumed), else the length of its
/// Certificate record.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct IdentityHint {
    pub subject: Option<String>,
    pub certificate_bytes: Option<u32>,
}

/// A candidate as the evidence names it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Named {
    pub connection: u64,
    pub ticket_frame: u64,
    pub outcome: Outcome,
}

/// Candidates named in the evidence, at most.
pub const MAX_NAMED: usize = 8;

/// What the possible issuers say about a resumed connection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IssuerGuess {
    /// No earlier connection to this server, finished before this one,
    /// sent records that could be tickets before its ClientHello.
    NoCandidate,
    /// Issuers no longer remembered one by one may have sent their
    /// tickets after the ClientHello: which are candidates is not known.
    Forgotten,
    /// All `count` candidates agree (`named`: the latest of them).
    Agreed {
        named: Vec<Named>,
        count: usize,
        client_auth: ClientAuth,
        identity: IdentityHint,
    },
    /// The candidates differ in verdict or client identity.
    Disagree { named: Vec<Named>, count: usize },
}

/// The candidates among `issuers` for a ClientHello at `client_hello_frame`
/// (those whose possible ticket came before it), and whether they agree.
pub fn guess(issuers: Option<&ServerIssuers>, client_hello_frame: u64) -> IssuerGuess {
    let Some(issuers) = issuers else {
        return IssuerGuess::NoCandidate;
    };
    let mut all = Agreement::default();
    if issuers.forgotten.count > 0 {
        if issuers.forgotten.last_ticket_frame >= client_hello_frame {
            return IssuerGuess::Forgotten;
        }
        all.merge(&issuers.forgotten);
    }
    let candidates: Vec<&Issuer> = issuers
        .recent
        .iter()
        .filter(|i| i.ticket_frame < client_hello_frame)
        .collect();
    for i in &candidates {
        all.add(i);
    }
    if all.count == 0 {
        return IssuerGuess::NoCandidate;
    }
    let named: Vec<Named> = candidates
        .iter()
        .skip(candidates.len().saturating_sub(MAX_NAMED))
        .map(|i| Named {
            connection: i.connection,
            ticket_frame: i.ticket_frame,
            outcome: i.client_auth.outcome,
        })
        .collect();
    match all.shared() {
        Some((client_auth, identity)) => IssuerGuess::Agreed {
            named,
            count: all.count,
            client_auth,
            identity,
        },
        None => IssuerGuess::Disagree {
            named,
            count: all.count,
        },
    }
}
