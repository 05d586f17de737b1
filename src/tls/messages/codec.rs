//! The bounded byte cursor every parser here reads through: each read is
//! checked against the bytes really there, and length-prefixed
//! sub-cursors cannot read past their own length (the style of rustls'
//! `codec.rs`); errors carry the message name and the body offset.

use super::{ParseError, Result};

/// A read cursor over a byte slice. Sub-readers made by `vec8/16/24` or
/// `sub` cover exactly their declared length, so nothing parsed through one
/// can read past it. `base` is the offset of `buf` within the message body,
/// so errors report body offsets.
#[derive(Clone, Copy)]
pub(super) struct Reader<'a> {
    pub(super) buf: &'a [u8],
    pub(super) pos: usize,
    pub(super) base: usize,
    pub(super) msg: &'static str,
}

impl<'a> Reader<'a> {
    pub(super) fn new(buf: &'a [u8], msg: &'static str) -> Self {
        Reader {
            buf,
            pos: 0,
            base: 0,
            msg,
        }
    }

    pub(super) fn rest_slice(&self) -> &'a [u8] {
        self.buf.get(self.pos..).unwrap_or(&[])
    }

    pub(super) fn remaining(&self) -> usize {
        self.rest_slice().len()
    }

    pub(super) fn is_empty(&self) -> bool {
        self.remaining() == 0
    }

    /// Offset of the cursor within the message body.
    pub(super) fn offset(&self) -> usize {
        self.base + self.pos
    }

    pub(super) fn error(&self, detail: impl Into<String>) -> ParseError {
        ParseError::new(self.msg, self.offset(), detail)
    }

    pub(super) fn take(&mut self, n: usize, what: &str) -> Result<&'a [u8]> {
        let rest = self.rest_slice();
        match rest.get(..n) {
            Some(s) => {
                self.pos += n;
                Ok(s)
            }
            None => Err(self.error(format!(
                "{what}: needs {n} bytes, only {} remain",
                rest.len()
            ))),
        }
    }

    pub(super) fn array<const N: usize>(&mut self, what: &str) -> Result<[u8; N]> {
        let off = self.offset();
        let s = self.take(N, what)?;
        <[u8; N]>::try_from(s).map_err(|_| ParseError::new(self.msg, off, what.to_string()))
    }

    pub(super) fn u8(&mut self, what: &str) -> Result<u8> {
        let [b] = self.array::<1>(what)?;
        Ok(b)
    }

    pub(super) fn u16(&mut self, what: &str) -> Result<u16> {
        Ok(u16::from_be_bytes(self.array::<2>(what)?))
    }

    pub(super) fn u24(&mut self, what: &str) -> Result<u32> {
        let [a, b, c] = self.array::<3>(what)?;
        Ok(u32::from_be_bytes([0, a, b, c]))
    }

    pub(super) fn u32(&mut self, what: &str) -> Result<u32> {
        Ok(u32::from_be_bytes(self.array::<4>(what)?))
    }

    /// A sub-reader over the next `n` bytes.
    pub(super) fn sub(&mut self, n: usize, what: &str) -> Result<Reader<'a>> {
        let start = self.offset();
        let rem = self.remaining();
        if n > rem {
            return Err(self.error(format!("{what} length {n} exceeds remaining {rem} bytes")));
        }
        let buf = self.take(n, what)?;
        Ok(Reader {
            buf,
            pos: 0,
            base: start,
            msg: self.msg,
        })
    }

    /// `opaque x<0..2^8-1>`: a 1-byte length, then that many bytes.
    pub(super) fn vec8(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u8(what)?;
        self.sub(usize::from(n), what)
    }

    /// `opaque x<0..2^16-1>`.
    pub(super) fn vec16(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u16(what)?;
        self.sub(usize::from(n), what)
    }

    /// `opaque x<0..2^24-1>`.
    pub(super) fn vec24(&mut self, what: &str) -> Result<Reader<'a>> {
        let n = self.u24(what)?;
        self.sub(n as usize, what)
    }

    /// The rest of the buffer, consuming it.
    pub(super) fn rest(&mut self) -> &'a [u8] {
        let r = self.rest_slice();
        self.pos = self.buf.len();
        r
    }

    /// Fails if anything is left.
    pub(super) fn finish(&self, what: &str) -> Result<()> {
        match self.remaining() {
            0 => Ok(()),
            n => Err(self.error(format!("{n} unexpected bytes after {what}"))),
        }
    }

    /// Reads the whole remainder as a list of big-endian u16.
    pub(super) fn u16_list(&mut self, what: &str) -> Result<Vec<u16>> {
        let rest = self.rest_slice();
        if rest.len() % 2 != 0 {
            return Err(self.error(format!("{what}: odd length {}", rest.len())));
        }
        self.pos = self.buf.len();
        Ok(rest
            .chunks_exact(2)
            .map(|c| u16::from_be_bytes([c[0], c[1]]))
            .collect())
    }
}
