//! The Python extension module `tlstrace._native` (cargo feature
//! `python`, built by maturin): `explain_json` returns the explain
//! document of one capture as JSON text; the package's `__init__.py`
//! turns it into Python objects.
#![allow(unsafe_code)] // PyO3's generated glue

use crate::explain::{explain_document, CaptureSource, Explainer};
use crate::tls::keylog::KeyLog;
use crate::x509::path::TrustStore;
use pyo3::create_exception;
use pyo3::exceptions::PyValueError;
use pyo3::prelude::*;
use std::sync::Arc;

create_exception!(_native, TlstraceError, PyValueError, "A tlstrace error.");
create_exception!(
    _native,
    CaptureError,
    TlstraceError,
    "The capture could not be read."
);
create_exception!(
    _native,
    KeyLogError,
    TlstraceError,
    "The key log could not be read."
);
create_exception!(
    _native,
    TrustStoreError,
    TlstraceError,
    "A CA file (trust store) could not be read."
);

/// A path (str) or the content (bytes).
#[derive(FromPyObject)]
enum Input {
    Path(String),
    Bytes(Vec<u8>),
}

/// The trust store of `inputs` (paths and PEM bytes), or `None` if empty.
fn trust_store(inputs: Vec<Input>) -> PyResult<Option<TrustStore>> {
    if inputs.is_empty() {
        return Ok(None);
    }
    let mut store = TrustStore::new();
    for input in inputs {
        let added = match input {
            Input::Path(p) => TrustStore::from_paths(&[p.into()]),
            Input::Bytes(b) => TrustStore::from_pem_bytes(&b),
        }
        .map_err(|e| TrustStoreError::new_err(e.to_string()))?;
        for c in added.certs() {
            store
                .add_der(c.der.clone())
                .map_err(TrustStoreError::new_err)?;
        }
    }
    Ok(Some(store))
}

/// Explains one capture: returns (document as JSON text, key log warnings).
#[pyfunction]
#[pyo3(signature = (capture, name=None, keylogs=Vec::new(), ca=Vec::new(), server_ca=Vec::new(), at=None))]
fn explain_json(
    py: Python<'_>,
    capture: Input,
    name: Option<String>,
    keylogs: Vec<Input>,
    ca: Vec<Input>,
    server_ca: Vec<Input>,
    at: Option<String>,
) -> PyResult<(String, Vec<String>)> {
    let mut warnings = Vec::new();
    let mut keylog: Option<KeyLog> = None;
    for k in keylogs {
        let (text, label) = match k {
            Input::Path(p) => match std::fs::read(&p) {
                Ok(t) => (t, p),
                Err(e) => {
                    return Err(KeyLogError::new_err(format!(
                        "cannot read key log {p}: {e}"
                    )))
                }
            },
            Input::Bytes(b) => (b, "(bytes)".to_string()),
        };
        let (log, w) = KeyLog::parse(&text);
        warnings.extend(w.iter().map(|w| format!("key log {label}: {w}")));
        keylog.get_or_insert_with(KeyLog::new).merge(log);
    }
    let keylog = keylog.map(Arc::new);
    let client_ca = trust_store(ca)?;
    let server_ca = trust_store(server_ca)?;
    let at = match at.as_deref().map(crate::x509::parse_time) {
        Some(None) => {
            return Err(PyValueError::new_err(
                "at wants Unix seconds or a date like 2026-01-31T12:00:00Z",
            ))
        }
        Some(Some(t)) => Some(t),
        None => None,
    };
    let doc = py.allow_threads(|| {
        let mut explainer = Explainer::new(client_ca.as_ref(), server_ca.as_ref(), at);
        let source = match &capture {
            Input::Path(p) => CaptureSource::Path(p),
            Input::Bytes(b) => CaptureSource::Bytes {
                name: name.as_deref().unwrap_or("(bytes)"),
                data: Arc::from(b.as_slice()),
            },
        };
        explain_document(&source, keylog.as_ref(), &mut explainer)
            .map(|doc| serde_json::to_string(&doc))
    });
    match doc {
        Ok(Ok(text)) => Ok((text, warnings)),
        Ok(Err(e)) => Err(TlstraceError::new_err(e.to_string())),
        Err(e) => Err(CaptureError::new_err(e)),
    }
}

#[pymodule]
#[pyo3(name = "_native")]
fn native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_function(wrap_pyfunction!(explain_json, m)?)?;
    let py = m.py();
    m.add("TlstraceError", py.get_type::<TlstraceError>())?;
    m.add("CaptureError", py.get_type::<CaptureError>())?;
    m.add("KeyLogError", py.get_type::<KeyLogError>())?;
    m.add("TrustStoreError", py.get_type::<TrustStoreError>())?;
    m.add("SCHEMA_VERSION", crate::report::explain::SCHEMA_VERSION)?;
    Ok(())
}
