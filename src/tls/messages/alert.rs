//! Alerts: [`Alert`] with its names and meaning, and [`parse_alert`] for
//! the 2-byte alert body.

use super::{ParseError, Result};
use crate::tls::names;
use serde::Serialize;
use std::borrow::Cow;
use std::fmt;

/// A TLS alert (RFC 8446 §6).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Alert {
    /// 1 warning, 2 fatal.
    pub level: u8,
    pub description: u8,
}

impl Alert {
    pub fn is_fatal(&self) -> bool {
        self.level == 2
    }

    /// `"warning"` / `"fatal"`.
    pub fn level_name(&self) -> Cow<'static, str> {
        names::alert_level_name(self.level)
    }

    /// e.g. `"certificate_required"`.
    pub fn description_name(&self) -> Cow<'static, str> {
        names::alert_description_name(self.description)
    }

    /// One plain-English sentence, see [`names::alert_meaning`].
    pub fn meaning(&self) -> &'static str {
        names::alert_meaning(self.description)
    }
}

impl fmt::Display for Alert {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{} {} ({})",
            self.level_name(),
            self.description_name(),
            self.description
        )
    }
}

/// Parses an alert body, which must be exactly 2 bytes (level,
/// description). Any other length is an error; more than 2 bytes usually
/// means an encrypted alert.
pub fn parse_alert(body: &[u8]) -> Result<Alert> {
    match body {
        [level, description] => Ok(Alert {
            level: *level,
            description: *description,
        }),
        [] | [_] => Err(ParseError::new(
            "alert",
            body.len(),
            format!("truncated: {} of 2 bytes", body.len()),
        )),
        _ => Err(ParseError::new(
            "alert",
            2,
            format!(
                "{} bytes instead of 2 (an encrypted alert, or several alerts in one record)",
                body.len()
            ),
        )),
    }
}
