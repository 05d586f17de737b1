//! The contents of records other than handshake messages: alerts,
//! decrypted application data (whose first line is looked at, to recognise
//! what the application said) and records that could not be read, counted
//! and put on the ladder as what they are on the wire.

use super::{is_tls13, AlertEntry, AppMarker, LadderEntry, Side, TlsTracker, MAX_LADDER};
use crate::capture::Timestamp;
use crate::tls::decrypt::Plaintext;

const MAX_ALERTS: usize = 256;

impl TlsTracker {
    /// A decrypted record's content.
    pub(super) fn plaintext(
        &mut self,
        side: Side,
        pt: Plaintext,
        len: usize,
        frame: u64,
        ts: Timestamp,
    ) {
        match pt.content_type {
            21 => {
                if let [level, description] = pt.data[..] {
                    self.alert(side, level, description, frame, ts, false);
                }
            }
            22 => self.handshake_bytes(side, &pt.data, frame, ts, true),
            23 => {
                self.sniff_application_data(side, &pt.data);
                let shown = self
                    .conn
                    .ladder
                    .iter()
                    .filter(|l| l.from == side && l.kind == "application_data")
                    .count();
                if shown < 8 {
                    self.ladder(side, "application_data", frame, ts, false, pt.data.len());
                }
            }
            24 => self.ladder(side, "heartbeat", frame, ts, false, len),
            _ => self.ladder(side, "unknown", frame, ts, false, len),
        }
    }

    /// Looks at the start of the first decrypted application data of each
    /// side, to recognise what the application said (an HTTP status line,
    /// nginx's and IIS's client-certificate errors). Only a short first line
    /// and the recognised marker are kept, never the data.
    fn sniff_application_data(&mut self, side: Side, data: &[u8]) {
        let i = side.index();
        // An empty record (OpenSSL's countermeasure to BEAST before each
        // CBC record in TLS 1.0) says nothing: wait for the first real one.
        if self.conn.app_first_line(side).is_some() || data.is_empty() {
            return;
        }
        let head = &data[..data.len().min(2048)];
        let line_end = head.iter().position(|&b| b == b'\n').unwrap_or(head.len());
        let line: String = head[..line_end]
            .iter()
            .take(100)
            .map(|&b| {
                if (0x20..0x7f).contains(&b) {
                    b as char
                } else {
                    '.'
                }
            })
            .collect();
        let first_line = Some(line.trim_end_matches('.').to_string());
        let text = String::from_utf8_lossy(head);
        let status = text
            .strip_prefix("HTTP/1.")
            .and_then(|t| t.get(2..5))
            .filter(|c| matches!(*c, "400" | "401" | "403" | "495" | "496"));
        let marker = if text.contains("No required SSL certificate was sent") {
            Some(AppMarker::NginxNoCertificate)
        } else if text.contains("The SSL certificate error") {
            Some(AppMarker::NginxCertificateError)
        } else if let Some(code) = ["403.7", "403.13", "403.16", "403.17"]
            .iter()
            .find(|c| text.contains(*c))
        {
            Some(AppMarker::IisForbidden(code.to_string()))
        } else {
            status.map(|c| AppMarker::HttpError(c.to_string()))
        };
        let app = self.conn.app.get_or_insert_default();
        app.first_line[i] = first_line;
        app.marker[i] = marker;
    }

    pub(super) fn alert(
        &mut self,
        from: Side,
        level: u8,
        description: u8,
        frame: u64,
        ts: Timestamp,
        encrypted: bool,
    ) {
        let a = AlertEntry {
            from,
            level,
            description,
            frame,
            encrypted,
        };
        if self.conn.alerts.len() >= MAX_ALERTS {
            return;
        }
        self.conn.alerts.push(a);
        if self.conn.ladder.len() >= MAX_LADDER {
            self.conn.ladder_truncated = true;
            return;
        }
        self.conn.ladder.push(LadderEntry {
            kind: "alert".to_string(),
            from,
            frame,
            ts,
            encrypted,
            length: 2,
            handshake: None,
            alert: Some(a),
            truncated: false,
        });
    }

    /// A record that could not be read: counted, and put on the ladder as
    /// what it is on the wire.
    pub(super) fn encrypted_record(
        &mut self,
        side: Side,
        content: u8,
        len: usize,
        frame: u64,
        ts: Timestamp,
    ) {
        let e = &mut self.conn.encrypted[side.index()];
        e.records += 1;
        e.bytes += len as u64;
        e.first_frame.get_or_insert(frame);
        e.last_frame = Some(frame);
        // Application data can be numerous: the ladder keeps only the first
        // few records of it per side.
        let kind = match content {
            21 => {
                self.alert(side, 0, 0, frame, ts, true);
                return;
            }
            // TLS 1.0–1.2: the first message under the new keys is always
            // Finished (RFC 5246 §7.4.9); later ones (renegotiation) are not
            // known.
            22 => {
                let st = &mut self.dirs[side.index()];
                st.sealed_handshakes += 1;
                if st.sealed_handshakes == 1 && !self.conn.version.is_some_and(is_tls13) {
                    "finished"
                } else {
                    "encrypted_handshake"
                }
            }
            23 => "application_data",
            24 => "heartbeat",
            _ => "unknown",
        };
        let shown = self
            .conn
            .ladder
            .iter()
            .filter(|l| l.from == side && l.kind == kind && l.encrypted)
            .count();
        if kind != "application_data" || shown < 8 {
            self.ladder(side, kind, frame, ts, true, len);
        }
    }
}
