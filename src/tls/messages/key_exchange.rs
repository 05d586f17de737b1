//! ServerKeyExchange (TLS 1.0-1.2): ECDHE and DHE parameters recognised
//! by their structure, the signature algorithm of the signed params. (A
//! ClientKeyExchange is not decoded: its layout depends on the key
//! exchange.)

use super::codec::Reader;
use super::{has_signature_algorithms, HandshakeMessage, Result};

/// Tries ECDHE (named curve) and then DHE params, each followed by a
/// signature that must end exactly at the end of the body.
pub(super) fn parse_server_key_exchange(body: &[u8], version: Option<u16>) -> HandshakeMessage {
    const MSG: &str = "server_key_exchange";

    /// The scheme (None when the layout has none) if the rest of `r` is
    /// exactly one `digitally-signed` struct.
    fn signature(mut r: Reader<'_>, with_alg: bool) -> Result<Option<u16>> {
        let scheme = if with_alg {
            Some(r.u16("algorithm")?)
        } else {
            None
        };
        r.vec16("signature")?;
        r.finish("signature")?;
        Ok(scheme)
    }
    fn signed(r: Reader<'_>, version: Option<u16>) -> Option<Option<u16>> {
        let modes: &[bool] = match version {
            Some(v) if has_signature_algorithms(v) => &[true],
            Some(_) => &[false],
            None => &[true, false],
        };
        modes.iter().find_map(|&m| signature(r, m).ok())
    }
    /// ECParameters with curve_type named_curve (3), then ECPoint.
    fn ecdhe(r: &mut Reader<'_>) -> Result<u16> {
        if r.u8("curve_type")? != 3 {
            return Err(r.error("not a named_curve ECParameters"));
        }
        let curve = r.u16("named_curve")?;
        r.vec8("point")?;
        Ok(curve)
    }
    /// ServerDHParams; returns the length of dh_p.
    fn dhe(r: &mut Reader<'_>) -> Result<usize> {
        let p = r.vec16("dh_p")?.remaining();
        r.vec16("dh_g")?;
        r.vec16("dh_Ys")?;
        Ok(p)
    }

    let mut named_curve = None;
    let mut dh_prime_len = None;
    let mut signature_scheme = None;

    let mut r = Reader::new(body, MSG);
    let mut r2 = Reader::new(body, MSG);
    if let Some((curve, scheme)) = ecdhe(&mut r)
        .ok()
        .and_then(|c| signed(r, version).map(|s| (c, s)))
    {
        named_curve = Some(curve);
        signature_scheme = scheme;
    } else if let Some((p, scheme)) = dhe(&mut r2)
        .ok()
        .and_then(|p| signed(r2, version).map(|s| (p, s)))
    {
        dh_prime_len = Some(p);
        signature_scheme = scheme;
    }
    HandshakeMessage::ServerKeyExchange {
        len: body.len(),
        named_curve,
        dh_prime_len,
        signature_scheme,
    }
}
