"""tlstrace: explain TLS handshakes and mutual-TLS failures from packet captures.

``tlstrace.explain(capture)`` returns the same document as
``tlstrace explain CAPTURE --format json``::

    {"schema_version": 1, "connections": [...], "capture": {...}}
"""

from __future__ import annotations

import json
import os
import warnings
from typing import Any, Dict, List, Optional, Sequence, Union

from . import _native
from ._native import (
    SCHEMA_VERSION,
    CaptureError,
    KeyLogError,
    TlstraceError,
    TrustStoreError,
)

__all__ = [
    "explain",
    "explain_json",
    "SCHEMA_VERSION",
    "TlstraceError",
    "CaptureError",
    "KeyLogError",
    "TrustStoreError",
    "KeyLogWarning",
]

Source = Union[str, "os.PathLike[str]", bytes, bytearray, memoryview]


class KeyLogWarning(UserWarning):
    """A key log line was malformed and skipped (line number only, never secrets)."""


def _one(value: Source, what: str) -> Union[str, bytes]:
    if isinstance(value, (bytes, bytearray, memoryview)):
        return bytes(value)
    if isinstance(value, (str, os.PathLike)):
        return os.fsdecode(os.fspath(value))
    raise TypeError(f"{what}: expected a path (str, os.PathLike) or bytes, got {type(value).__name__}")


def _many(value: Union[None, Source, Sequence[Source]], what: str) -> List[Union[str, bytes]]:
    if value is None:
        return []
    if isinstance(value, (str, os.PathLike, bytes, bytearray, memoryview)):
        return [_one(value, what)]
    return [_one(v, what) for v in value]


def explain_json(
    capture: Source,
    keylog: Union[None, Source, Sequence[Source]] = None,
    ca: Union[None, Source, Sequence[Source]] = None,
    *,
    server_ca: Union[None, Source, Sequence[Source]] = None,
    at: Union[None, str, int] = None,
    name: Optional[str] = None,
) -> str:
    """Like :func:`explain`, but returns the document as JSON text."""
    text, keylog_warnings = _native.explain_json(
        _one(capture, "capture"),
        name=name,
        keylogs=_many(keylog, "keylog"),
        ca=_many(ca, "ca"),
        server_ca=_many(server_ca, "server_ca"),
        at=None if at is None else str(at),
    )
    for w in keylog_warnings[:20]:
        warnings.warn(w, KeyLogWarning, stacklevel=3)
    return text


def explain(
    capture: Source,
    keylog: Union[None, Source, Sequence[Source]] = None,
    ca: Union[None, Source, Sequence[Source]] = None,
    *,
    server_ca: Union[None, Source, Sequence[Source]] = None,
    at: Union[None, str, int] = None,
    name: Optional[str] = None,
) -> Dict[str, Any]:
    """Explain every TLS connection of one capture.

    ``capture``: a pcap or pcapng file (gzip too), as a path or as bytes.
    ``keylog``: an NSS key log (SSLKEYLOGFILE) as a path or bytes, or several.
    ``ca``: the server's trust store for client certificates (``--ca``): a PEM
    bundle, DER certificate or directory path, or PEM bytes, or several.
    ``server_ca``: the client's trust store for the server's certificate.
    ``at``: judge validity at this time (Unix seconds or ``2026-01-31T12:00:00Z``)
    instead of the capture's. ``name``: the name of a bytes capture in the
    document (``capture.file``).

    Returns the document of ``tlstrace explain --format json``. Raises
    :class:`CaptureError` when the capture cannot be read at all,
    :class:`KeyLogError` / :class:`TrustStoreError` for an unreadable key log
    or CA file, with the messages of the command line.
    """
    return json.loads(explain_json(capture, keylog, ca, server_ca=server_ca, at=at, name=name))
