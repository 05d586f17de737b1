import json
import pathlib
import subprocess

import pytest

import tlstrace


def only(doc):
    assert len(doc["connections"]) == 1, doc
    return doc["connections"][0]


def codes(conn):
    return [f["code"] for f in conn["findings"]]


def test_unknown_ca_fails_with_issuer_not_in_ca_list(captures):
    doc = tlstrace.explain(str(captures / "tls12-unknown-ca.pcap"))
    assert doc["schema_version"] == tlstrace.SCHEMA_VERSION == 1
    assert list(doc) == ["schema_version", "connections", "capture"]
    conn = only(doc)
    assert conn["client_auth"]["outcome"] == "failed"
    assert codes(conn)[0] == "issuer-not-in-ca-list"
    assert doc["capture"]["tls_connections"] == 1
    assert doc["capture"]["format"] == "pcap"


def test_pathlike_bytes_and_path_give_the_same_document(captures):
    path = captures / "tls12-unknown-ca.pcap"
    by_path = tlstrace.explain(str(path))
    assert tlstrace.explain(path) == by_path
    by_bytes = tlstrace.explain(path.read_bytes(), name=str(path))
    assert by_bytes == by_path
    unnamed = tlstrace.explain(bytearray(path.read_bytes()))
    assert unnamed["capture"]["file"] == "(bytes)"
    assert unnamed["connections"] == by_path["connections"]


def test_same_document_as_the_cli(captures, cli):
    path = captures / "tls13-mtls-ok.pcap"
    keys = captures / "tls13-mtls-ok.keys"
    root = captures / "pki" / "root.pem"
    out = subprocess.run(
        [cli, "explain", str(path), "--keylog", str(keys), "--ca", str(root), "--format", "json"],
        capture_output=True,
        check=False,
    )
    assert tlstrace.explain(str(path), keylog=str(keys), ca=str(root)) == json.loads(out.stdout)


def test_keylog_decrypts_tls13(captures):
    path = captures / "tls13-unknown-ca.pcap"
    keys = captures / "tls13-unknown-ca.keys"
    encrypted = only(tlstrace.explain(path))
    assert encrypted["decrypted"] is False
    assert encrypted["client_chain"] == []
    for keylog in (keys, str(keys), keys.read_bytes()):
        conn = only(tlstrace.explain(path, keylog=keylog))
        assert conn["decrypted"] is True
        assert conn["client_auth"]["outcome"] == "failed"
        assert codes(conn)[0] == "issuer-not-in-ca-list"
        assert conn["client_chain"][0]["subject"] == "O=Unrelated Org, CN=client-unrelated"


def test_embedded_secrets_in_pcapng_bytes(captures):
    path = captures / "tls13-expired-dsb.pcapng"
    assert tlstrace.explain(path.read_bytes(), name=str(path)) == tlstrace.explain(path)
    assert only(tlstrace.explain(path.read_bytes()))["decrypted"] is True


def test_ca_as_path_and_as_bytes(captures):
    path = captures / "tls13-mtls-ok.pcap"
    keys = captures / "tls13-mtls-ok.keys"
    root = captures / "pki" / "root.pem"
    by_path = tlstrace.explain(path, keylog=keys, ca=root)
    assert "client_path" in only(by_path)
    assert tlstrace.explain(path, keylog=keys, ca=root.read_bytes()) == by_path
    assert tlstrace.explain(path, keylog=keys, ca=[root]) == by_path


def test_unreadable_capture_raises_with_the_cli_message(tmp_path):
    missing = tmp_path / "missing.pcap"
    with pytest.raises(tlstrace.CaptureError) as e:
        tlstrace.explain(missing)
    assert str(e.value) == f"{missing}: at byte 0 (after 0 frames): read error: No such file or directory (os error 2)"
    assert isinstance(e.value, ValueError)
    with pytest.raises(tlstrace.CaptureError):
        tlstrace.explain(b"not a capture at all")


def test_bad_keylog_and_ca_raise(captures, tmp_path):
    path = captures / "tls12-unknown-ca.pcap"
    with pytest.raises(tlstrace.KeyLogError, match=r"^cannot read key log /nope\.keys: No such file"):
        tlstrace.explain(path, keylog="/nope.keys")
    readme = captures / "README.md"
    with pytest.raises(tlstrace.TrustStoreError, match="no certificate found"):
        tlstrace.explain(path, ca=readme)
    with pytest.raises(tlstrace.TrustStoreError):
        tlstrace.explain(path, ca=b"-----BEGIN CERTIFICATE-----\nnot base64\n-----END CERTIFICATE-----\n")
    with pytest.raises(TypeError):
        tlstrace.explain(12345)


def test_malformed_keylog_lines_warn(captures):
    path = captures / "tls12-unknown-ca.pcap"
    with pytest.warns(tlstrace.KeyLogWarning, match="line 1"):
        tlstrace.explain(path, keylog=b"this is not a key log line\n")
