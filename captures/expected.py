#!/usr/bin/env python3
"""Derive expected.json (ground truth per capture) from the stacks' own logs, and regenerate the
capture table in README.md.  Run by make.sh after all captures; reads only committed files:
NAME.server.log, NAME.client.log, NAME.keys, NAME.pcap|.pcapng, NAME.tshark.json.

The logs are written by make.sh as:
    ## capture NAME: DESCRIPTION
    ### connection K: DESCRIPTION (port P)
    $ <command line>
    <the program's output; PEM blocks removed>
    --- openssl -msg: protocol messages sent (>>>) and received (<<<)
    >>> TLS 1.3, Handshake [length 007a], ServerHello
    ...

expected.json, per capture NAME:
  scenario     the capture's description
  tls_version  "1.2" | "1.3", or null when no version was agreed (no ServerHello)
  client_auth  "succeeded" | "failed" | "not_requested" | "not_provided" | "not_reached" (a fatal
               alert ended the handshake before client authentication could happen: the server
               refused the ClientHello, or it asked but the client aborted before its certificate)
  server_error the key error line of the server log (OpenSSL "verify error:num=..." if any, else
               its first "SSL routines" error-stack line, else its first error-stack line, else nginx's error.log line about the client
               certificate; smtp_starttls_server.py, tlslite_server.py: its "error: ..." line), or null
  client_error the client's first error line (OpenSSL error stack line (its first "SSL routines"
               line when the server is tlslite_server.py), else its "verify error:num=..."
               line when it went on without -verify_return_error; curl: the HTTP status line
               when >= 400; bad_cv_client.py, tlslite_client.py: its "error: ..." line), or null
  alert        {"from": "server"|"client", "description": n}: the first fatal alert a stack logged
               sending (openssl -msg ">>> ... Alert ..., fatal NAME"), cross-checked with the peer's
               "SSL alert number N"; null if none
  keylog       "NAME.keys" or null
  resumed      true on a connection that resumed a session (ServerHello, no server Certificate);
               absent otherwise
  late_client_auth  make-servers.sh's apache-pha-*: "post_handshake_auth" (TLS 1.3) or
               "renegotiation" (TLS 1.2): the CertificateRequest came after the handshake; absent otherwise
  cut          make-servers.sh's *-cut-* captures (editcap -r of a make.sh capture, logs copied):
               {"source", "last_frame", "source_frames", "client_auth_in_capture"}; the latter is
               client_auth when the kept frames still show the outcome, null when they cannot
For a capture with more than one connection, the top-level fields describe the last TLS
connection (the one that carries the scenario) and "connections" lists every connection in order, each with "stream" (its tcp.stream
in NAME.tshark.json, checked against the server port), "port", "scenario" and the fields above.

OpenSSL error lines are given without the thread-id prefix ("40E7C6F5B07F0000:") and without the
source location (":../ssl/statem/statem_srvr.c:3530:"), which differ between builds and runs.
"""
import glob
import json
import os
import re
import sys

ALERTS = {
    "close_notify": 0, "unexpected_message": 10, "bad_record_mac": 20, "decryption_failed": 21,
    "record_overflow": 22, "decompression_failure": 30, "handshake_failure": 40,
    "no_certificate": 41, "bad_certificate": 42, "unsupported_certificate": 43,
    "certificate_revoked": 44, "certificate_expired": 45, "certificate_unknown": 46,
    "illegal_parameter": 47, "unknown_ca": 48, "access_denied": 49, "decode_error": 50,
    "decrypt_error": 51, "export_restriction": 60, "protocol_version": 70,
    "insufficient_security": 71, "internal_error": 80, "inappropriate_fallback": 86,
    "user_canceled": 90, "no_renegotiation": 100, "missing_extension": 109,
    "unsupported_extension": 110, "certificate_unobtainable": 111, "unrecognized_name": 112,
    "bad_certificate_status_response": 113, "bad_certificate_hash_value": 114,
    "unknown_psk_identity": 115, "certificate_required": 116, "no_application_protocol": 120,
}
ALERT_NAMES = {v: k for k, v in ALERTS.items()}

HERE = os.path.dirname(os.path.abspath(__file__))


def split_log(path):
    """-> (capture description, [ (conn number, description, port, [lines]) ])"""
    desc, conns = None, []
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f.read().splitlines():
            m = re.match(r"^## capture \S+: (.*)$", line)
            if m:
                desc = m.group(1)
                continue
            m = re.match(r"^### connection (\d+): (.*) \(port (\d+)\)$", line)
            if m:
                conns.append((int(m.group(1)), m.group(2), int(m.group(3)), []))
                continue
            if conns:
                conns[-1][3].append(line)
    return desc, conns


def clean_openssl_error(line):
    line = re.sub(r"^[0-9A-F]{8,}:", "", line.strip())
    line = re.sub(r":\.\./[^:]+:\d+:", ":", line)      # source location
    return line.rstrip(":")


def first(pattern, lines, group=0):
    for line in lines:
        m = re.search(pattern, line)
        if m:
            return m.group(group)
    return None


def msg_lines(lines):
    return [l for l in lines if l.startswith(">>> ") or l.startswith("<<< ")]


def fatal_alert_sent(lines):
    for l in msg_lines(lines):
        m = re.match(r"^>>> TLS [\d.]+, Alert \[length \w+\], fatal (\w+)", l)
        if m:
            return ALERTS[m.group(1)]
    return None


def analyse_openssl(slines, clines):
    smsg, cmsg = msg_lines(slines), msg_lines(clines)
    r = {}
    ver = first(r"^>>> TLS (1\.[0-3]), Handshake \[length \w+\], ServerHello", smsg, 1)
    if ver is None:
        ver = first(r"^Protocol version: TLSv(1\.[0-3])", slines + clines, 1)
    r["tls_version"] = ver
    cr = any(l.startswith(">>> ") and l.endswith("CertificateRequest") for l in smsg)
    verify_err = first(r"^verify error:num=\d+:.*", slines)
    # the line naming the TLS step ("SSL routines:tls_process_cert_verify:bad signature") rather
    # than the crypto layers' lines that OpenSSL puts before it
    s_err = first(r"^[0-9A-F]{8,}:error:[0-9A-F]{8}:SSL routines:.*", slines) or \
        first(r"^[0-9A-F]{8,}:error:.*", slines)
    c_err = first(r"^[0-9A-F]{8,}:error:.*", clines)
    r["server_error"] = verify_err or (clean_openssl_error(s_err) if s_err else None)
    # a client that goes on despite a failed server verification (no -verify_return_error) logs
    # only its verify error line
    r["client_error"] = clean_openssl_error(c_err) if c_err else first(r"^verify error:num=\d+:.*", clines)
    alert = None
    a = fatal_alert_sent(slines)
    if a is not None:
        alert = {"from": "server", "description": a}
        peer_said = first(r"SSL alert number (\d+)", clines, 1)
    else:
        a = fatal_alert_sent(clines)
        if a is not None:
            alert = {"from": "client", "description": a}
            peer_said = first(r"SSL alert number (\d+)", slines, 1)
    if alert and peer_said is not None and int(peer_said) != alert["description"]:
        sys.exit("alert mismatch: sent %s, peer logged %s" % (alert, peer_said))
    r["alert"] = alert
    text = "\n".join(slines)
    peer_cert = ("Peer certificate:" in text
                 or re.search(r"^depth=0 .*\nverify return:1$", text, re.M) is not None)
    failed = bool(verify_err) or (alert is not None and alert["from"] == "server") \
        or "peer did not return a certificate" in text
    got_cert = any(l.startswith("<<< ") and l.endswith(", Certificate") for l in smsg)
    hello = any(l.startswith(">>> ") and l.endswith(", ServerHello") for l in smsg)
    if not cr and alert is not None and not hello:
        ca = "not_reached"      # refused at the ClientHello: the server never got to ask
    elif not cr:
        ca = "not_requested"
    elif failed:
        ca = "failed"
    elif alert is not None and alert["from"] == "client" and not got_cert:
        ca = "not_reached"      # the client aborted before its certificate was due
    elif peer_cert:
        ca = "succeeded"
    else:
        ca = "not_provided"
    r["client_auth"] = ca
    # an abbreviated handshake: a ServerHello, no server Certificate
    if hello and not any(l.startswith(">>> ") and l.endswith(", Certificate") for l in smsg):
        r["resumed"] = True
    return r


def analyse_python_smtp(slines, clines):
    """smtp_starttls_server.py (Python ssl) as the server, openssl s_client -starttls smtp -msg"""
    r = {}
    r["tls_version"] = first(r"^TLS established: TLSv(1\.[0-3])", slines, 1) or \
        first(r"^Protocol version: TLSv(1\.[0-3])", clines, 1)
    cmsg = msg_lines(clines)
    cr = any(l.startswith("<<< ") and l.endswith(", CertificateRequest") for l in cmsg)
    err = first(r"^error: (.*)$", slines, 1)
    c_err = first(r"^[0-9A-F]{8,}:error:.*", clines)
    r["server_error"] = err
    r["client_error"] = clean_openssl_error(c_err) if c_err else None
    alert = None
    for l in cmsg:
        m = re.match(r"^<<< TLS [\d.]+, Alert \[length \w+\], fatal (\w+)", l)
        if m:
            alert = {"from": "server", "description": ALERTS[m.group(1)]}
            break
    if alert is None:
        a = fatal_alert_sent(clines)
        if a is not None:
            alert = {"from": "client", "description": a}
    r["alert"] = alert
    if not cr:
        ca = "not_requested"
    elif err or (alert and alert["from"] == "server"):
        ca = "failed"
    elif any(l.startswith("client certificate verified: ") for l in slines):
        ca = "succeeded"
    else:
        ca = "not_provided"
    r["client_auth"] = ca
    return r


def analyse_nginx(slines, clines):
    r = {}
    text_s, text_c = "\n".join(slines), "\n".join(clines)
    ver = first(r"ssl_protocol=TLSv(1\.[0-3])", slines, 1) or \
        first(r"SSL connection using TLSv(1\.[0-3])", clines, 1)
    r["tls_version"] = ver
    cr = "TLS handshake, Request CERT (13)" in text_c
    verify = first(r"ssl_client_verify=(\S+)", slines, 1)
    status = first(r'" (\d{3}) ssl_protocol=', slines, 1)
    err = None
    for l in slines:
        m = re.match(r"^\[(?:info|error|warn|crit)\] \d+#\d+: (?:\*\d+ )?(.*SSL certificate.*)$", l)
        if m:
            err = m.group(1)
            break
    r["server_error"] = err
    st = first(r"^< (HTTP/\S+ (\d{3}).*)$", clines, 1)
    code = first(r"^< HTTP/\S+ (\d{3})", clines, 1)
    cerr = first(r"^curl: \(\d+\).*", clines)
    r["client_error"] = (st.strip() if st and code and int(code) >= 400 else None) or cerr
    alert = None
    m = re.search(r"\(IN\), TLS alert, ([^(]+) \((\d+)\)", text_c)
    if m and int(m.group(2)) >= 512:        # curl prints level*256 + description
        alert = {"from": "server", "description": int(m.group(2)) - 512}
    r["alert"] = alert
    if not cr:
        ca = "not_requested"
    elif err or (status and int(status) == 400):
        ca = "failed"
    elif verify == "SUCCESS":
        ca = "succeeded"
    else:
        ca = "not_provided"
    r["client_auth"] = ca
    return r


def gnutls_cli_error(clines):
    """gnutls-cli: (error line, alert number it received or None)"""
    rcv = first(r"^\*\*\* Received alert \[(\d+)\].*", clines)
    if rcv:
        return rcv, int(re.search(r"\[(\d+)\]", rcv).group(1))
    return first(r"^\*\*\* (Fatal error|Handshake has failed).*", clines), None


def analyse_gnutls_serv(slines, clines):
    """gnutls-serv as the server (no -msg there), openssl s_client with -msg as the client"""
    r = {}
    cmd = next(l for l in slines if l.startswith("$ "))
    r["tls_version"] = first(r"\+VERS-TLS(1\.[0-3])", [cmd], 1)   # the only version it allows
    cmsg = msg_lines(clines)
    cr = any(l.startswith("<<< ") and l.endswith("CertificateRequest") for l in cmsg)
    err = first(r"^Error in handshake: .*", slines)
    c_err = first(r"^[0-9A-F]{8,}:error:.*", clines)
    r["server_error"] = err
    r["client_error"] = clean_openssl_error(c_err) if c_err else None
    alert = None
    for l in cmsg:
        m = re.match(r"^<<< TLS [\d.]+, Alert \[length \w+\], fatal (\w+)", l)
        if m:
            alert = {"from": "server", "description": ALERTS[m.group(1)]}
            break
    if alert is None:
        a = fatal_alert_sent(clines)
        if a is not None:
            alert = {"from": "client", "description": a}
    r["alert"] = alert
    if not cr:
        ca = "not_requested"
    elif err or (alert and alert["from"] == "server"):
        ca = "failed"
    elif "Status: The certificate is trusted." in "\n".join(slines):
        ca = "succeeded"
    else:
        ca = "not_provided"
    r["client_auth"] = ca
    return r


def tlslite_error(clines):
    """bad_cv_client.py / tlslite_client.py (tlslite-ng): (error line, alert number it received or None)"""
    err = first(r"^error: (.*)$", clines, 1)
    m = re.search(r"TLSRemoteAlert: fatal \w+ \((\d+)\) received", err or "")
    return err, int(m.group(1)) if m else None


def analyse_tlslite_server(slines, clines):
    """tlslite_server.py (tlslite-ng, its trace as the log) as the server, openssl s_client -msg as
    the client. The client's error line is its first "SSL routines" line (the TLS step), else its
    first error-stack line: the crypto layers' lines OpenSSL logs before it vary by chance
    ("first octet invalid" / "last octet invalid")."""
    r = {}
    cmsg = msg_lines(clines)
    r["tls_version"] = first(r"^<<< TLS (1\.[0-3]), Handshake \[length \w+\], ServerHello", cmsg, 1) or \
        first(r"^Protocol version: TLSv(1\.[0-3])", clines, 1)
    err, rcv = tlslite_error(slines)
    c_err = first(r"^[0-9A-F]{8,}:error:[0-9A-F]{8}:SSL routines:.*", clines) or \
        first(r"^[0-9A-F]{8,}:error:.*", clines)
    r["server_error"] = err
    r["client_error"] = clean_openssl_error(c_err) if c_err else None
    alert = None
    a = fatal_alert_sent(clines)
    if a is not None:
        alert = {"from": "client", "description": a}
        if rcv is not None and rcv != a:
            sys.exit("alert mismatch: sent %s, tlslite_server.py logged %s" % (alert, rcv))
    else:
        m = re.search(r"TLSLocalAlert: (\w+) sent", err or "")
        if m:
            alert = {"from": "server", "description": ALERTS[m.group(1)]}
    r["alert"] = alert
    cr = "sent: certificate_request" in slines
    got_cert = "received: certificate" in slines
    hello = "sent: server_hello" in slines
    if not cr:
        ca = "not_reached" if alert is not None and not hello else "not_requested"
    elif alert is not None and alert["from"] == "client" and not got_cert:
        ca = "not_reached"      # the client aborted before its certificate was due
    elif alert is not None:
        ca = "failed"
    elif got_cert and any(l.startswith("handshake done") for l in slines):
        ca = "succeeded"
    else:
        ca = "not_provided"
    r["client_auth"] = ca
    return r


# --- make-servers.sh stacks ---
# Apache httpd (mod_ssl), haproxy, stunnel4 and servers/rustls-server, each with curl -v as the
# client (SSLKEYLOGFILE). What the client saw comes from curl's trace; what the server decided
# from the server's own log (Apache error.log + access.log, haproxy's log, stunnel's debug log,
# rustls-server's output). Application-level refusals (Apache 403, haproxy deny 403) are "failed".

def curl_view(clines):
    """curl -v as the client: version, whether a CertificateRequest came (also post-handshake),
    the HTTP status, the client's error line and the first fatal alert it logged (curl prints
    level * 256 + description)."""
    v = {}
    v["tls_version"] = first(r"SSL connection using TLSv(1\.[0-3])", clines, 1) or \
        first(r"^\* TLSv(1\.[0-3]) \(IN\), TLS handshake, Server hello", clines, 1)
    v["cr"] = any("TLS handshake, Request CERT (13)" in l for l in clines)
    st = first(r"^< (HTTP/\S+ \d{3}.*)$", clines, 1)
    code = first(r"^< HTTP/\S+ (\d{3})", clines, 1)
    v["status"] = int(code) if code else None
    cerr = first(r"^curl: \(\d+\).*", clines)
    v["client_error"] = (st.strip() if st and code and int(code) >= 400 else None) or cerr
    alert = None
    for l in clines:
        m = re.match(r"^\* TLSv[\d.]+ \((IN|OUT)\), TLS alert, [^(]+ \((\d+)\)", l)
        if m and int(m.group(2)) >= 512:
            alert = {"from": "server" if m.group(1) == "IN" else "client",
                     "description": int(m.group(2)) - 512}
            break
    v["alert"] = alert
    return v


def servers_result(v, server_error, ca):
    return {"tls_version": v["tls_version"], "client_auth": ca, "server_error": server_error,
            "client_error": v["client_error"], "alert": v["alert"]}


def servers_client_auth(v, failed, succeeded):
    if not v["cr"]:
        return "not_requested"
    if failed or (v["alert"] and v["alert"]["from"] == "server"):
        return "failed"
    return "succeeded" if succeeded else "not_provided"


def analyse_apache(slines, clines):
    """apache2 -X with LogLevel info ssl:debug: error.log (from the connection on), access.log
    with %{SSL_CLIENT_VERIFY}x. server_error: mod_ssl's "Certificate Verification: Error (N)"
    line, else its re-negotiation failure line (AH0226x), else its "SSL Library Error" line,
    without the "[ssl:level] [client addr:port]" prefix; an HTTP status >= 400 with none of them
    gives the access.log line."""
    v = curl_view(clines)
    msg = lambda l: re.sub(r"^\[[^]]*\] (?:\S+\(\d+\): )?(?:\[client [^]]*\] )?", "", l)
    err = first(r"AH02276: Certificate Verification: Error .*", slines) or \
        first(r"AH0226\d: Re-negotiation handshake failed.*", slines)
    if err is None:
        l = first(r"^\[ssl:\w+\] .*SSL Library Error: .*", slines)
        err = msg(l) if l else None
    access = first(r'^\S+ "[^"]*" \d{3} ssl_protocol=.*', slines)
    status = int(re.search(r'" (\d{3}) ', access).group(1)) if access else None
    if err is None and status is not None and status >= 400:
        err = access
    verified = access is not None and "ssl_client_verify=SUCCESS" in access and status == 200
    ver = first(r"ssl_protocol=TLSv(1\.[0-3])", slines, 1)
    r = servers_result(v, err, servers_client_auth(v, err is not None or (status or 0) >= 400, verified))
    r["tls_version"] = ver or v["tls_version"]
    cmd = next((l for l in slines if l.startswith("$ ")), "")
    if "in <Location /secure>" in cmd and v["cr"]:
        # the CertificateRequest came after the handshake
        r["late_client_auth"] = "post_handshake_auth" if r["tls_version"] == "1.3" else "renegotiation"
    return r


def analyse_haproxy(slines, clines):
    """haproxy -db, log stdout format raw: a failed handshake is logged as
    "addr:port [date] frontend/bind: <reason>" (server_error: the reason); an HTTP request with
    the log-format of make-servers.sh (ssl_c_used, ssl_c_verify, ...); for a 403 (http-request
    deny) server_error is that line without the address and date."""
    v = curl_view(clines)
    hs = first(r"^\S+:\d+ \[[^]]+\] \S+/\S+: (.*)$", slines, 1)
    req = first(r"^\S+:\d+ \[[^]]+\] (\S+~? \d{3} .*)$", slines, 1)
    status = int(re.match(r"\S+ (\d{3})", req).group(1)) if req else None
    err = hs or (req if status is not None and status >= 400 else None)
    used = req is not None and "ssl_c_used=1" in req and "ssl_c_verify=0 " in req
    r = servers_result(v, err, servers_client_auth(v, err is not None, used and status == 200))
    r["tls_version"] = first(r"ssl_version=TLSv(1\.[0-3])", slines, 1) or v["tls_version"]
    return r


def analyse_stunnel(slines, clines):
    """stunnel4 with debug = 7 (its log lines "LOGn[id]: ..."): server_error is its
    "CERT: Pre-verification error: ..." line, else its "SSL_accept: ..." error (without the
    source location), without the "LOGn[id]: " prefix."""
    v = curl_view(clines)
    strip = lambda l: re.sub(r"^LOG\d\[[^]]*\]: ", "", l) if l else None
    err = strip(first(r"^LOG\d\[\d+\]: CERT: Pre-verification error: .*", slines))
    if err is None:
        l = first(r"^LOG\d\[\d+\]: SSL_accept: .*", slines)
        err = re.sub(r"\S+\.c:\d+: ", "", strip(l)) if l else None
    accepted = any(re.match(r"^LOG\d\[\d+\]: Certificate accepted at depth=0: ", l) for l in slines)
    r = servers_result(v, err, servers_client_auth(v, err is not None, accepted))
    r["tls_version"] = first(r"^LOG\d\[\d+\]: TLSv(1\.[0-3]) ciphersuite", slines, 1) or v["tls_version"]
    return r


def analyse_rustls_server(slines, clines):
    """servers/rustls-server: "error: handshake failed: <rustls error> (<Debug>)" or
    "handshake done: ..." + "client certificate: verified, ..." / "client certificate: none"."""
    v = curl_view(clines)
    err = first(r"^error: (.*)$", slines, 1)
    ok = any(l.startswith("client certificate: verified") for l in slines)
    r = servers_result(v, err, servers_client_auth(v, err is not None, ok))
    m = first(r"^handshake done: TLSv1_([23])", slines, 1)
    r["tls_version"] = "1." + m if m else v["tls_version"]
    return r


def cut_info(path):
    """make-servers.sh's captures cut with editcap: the "#### cut: ..." line of the server log ->
    {"source", "last_frame", "source_frames", "client_auth_in_capture"} (the latter filled in by
    main from the logs' outcome when the capture still shows it, else null), or None."""
    with open(path, encoding="utf-8", errors="replace") as f:
        for line in f:
            m = re.match(r"^#### cut: editcap -r (\S+)\.pcap \S+ 1-(\d+) \(frames 1-\d+ of (\d+) kept\): .*"
                         r"the capture shows the client authentication outcome: (yes|no)", line)
            if m:
                return {"source": m.group(1), "last_frame": int(m.group(2)),
                        "source_frames": int(m.group(3)), "outcome_visible": m.group(4) == "yes"}
            if line.startswith("### "):
                return None
    return None


# --- make-stacks.sh stacks ---
# Servers: stacks/go-server (Go crypto/tls + net/http), stacks/node/server.js (Node https, --mode
# reject|app), stacks/jsse/JsseServer.java (Java JSSE), stacks/python/server.py (Python ssl, --pha
# for TLS 1.3 post-handshake auth), with curl -v (or, for --pha, openssl s_client -enable_pha -msg)
# as the client. Each program prints "error: <the stack's own error>" when it refuses, and
# "client certificate verified: ..." when it accepted a certificate; server.py also logs, through
# CPython's message callback, the alerts it sends (">>> TLSv1_3 Alert, fatal NAME (N)"). The alert
# is the one the server logged sending, else the one curl logged receiving (level * 256 + N); a
# server that closes without an alert (Node with rejectUnauthorized: true) has alert null.
# Clients: stacks/go-client and stacks/jsse/JsseClient.java against openssl s_server (see analyse()).

GO_ALERTS = {  # Go's alert texts ("remote error: tls: <text>")
    "handshake failure": 40, "bad certificate": 42, "unsupported certificate": 43,
    "revoked certificate": 44, "expired certificate": 45, "unknown certificate": 46,
    "illegal parameter": 47, "unknown certificate authority": 48, "access denied": 49,
    "error decoding message": 50, "error decrypting message": 51,
    "protocol version not supported": 70, "internal error": 80, "missing extension": 109,
    "certificate required": 116,
}


def stacks_curl_view(clines):
    """curl -v: (tls_version, CertificateRequest seen, HTTP status, client_error, fatal alert received)"""
    ver = first(r"SSL connection using TLSv(1\.[0-3])", clines, 1) or \
        first(r"^\* TLSv(1\.[0-3]) \(IN\), TLS handshake, Server hello", clines, 1)
    cr = any("TLS handshake, Request CERT (13)" in l for l in clines)
    st = first(r"^< (HTTP/\S+ \d{3}.*)$", clines, 1)
    code = first(r"^< HTTP/\S+ (\d{3})", clines, 1)
    status = int(code) if code else None
    cerr = first(r"^curl: \(\d+\).*", clines)
    client_error = (st.strip() if status is not None and status >= 400 else None) or cerr
    alert = None
    for l in clines:
        m = re.match(r"^\* TLSv[\d.]+ \(IN\), TLS alert, [^(]+ \((\d+)\)", l)
        if m and int(m.group(1)) >= 512:
            alert = {"from": "server", "description": int(m.group(1)) - 512}
            break
    return ver, cr, status, client_error, alert


def stacks_server_alert(slines):
    """server.py's own log of a fatal alert it sent, or None"""
    a = first(r"^>>> \S+ Alert, fatal \w+ \((\d+)\)", slines, 1)
    return {"from": "server", "description": int(a)} if a is not None else None


def stacks_server_error(slines):
    err = first(r"^error: (.*)$", slines, 1)
    if err is None:
        return None
    # what differs on every run or build: net/http's client port, the OpenSSL error line's thread
    # id and source location inside Node's message
    err = re.sub(r"^(http: TLS handshake error from [^ :]+):\d+:", r"\1:", err)
    err = re.sub(r"\b[0-9A-F]{8,}:error:", "error:", err)
    return re.sub(r":\.\./[^:]+:\d+:", ":", err)


def analyse_stacks_server(slines, clines):
    """go-server, node server.js, JsseServer, python server.py (without --pha), curl as the client"""
    ver, cr, status, client_error, curl_alert = stacks_curl_view(clines)
    err = stacks_server_error(slines)
    alert = stacks_server_alert(slines)
    if alert and curl_alert and alert != curl_alert:
        sys.exit("alert mismatch: server logged %s, curl %s" % (alert, curl_alert))
    alert = alert or curl_alert
    ver = first(r"^(?:TLS established: |request: .* over )TLSv(1\.[23])", slines, 1) or ver
    ok = any(l.startswith("client certificate verified: ") for l in slines)
    if not cr:
        ca = "not_requested"
    elif err or alert or (status is not None and status in (401, 403)):
        ca = "failed"
    elif ok:
        ca = "succeeded"
    else:
        ca = "not_provided"
    return {"tls_version": ver, "client_auth": ca, "server_error": err,
            "client_error": client_error, "alert": alert}


def analyse_stacks_pha(slines, clines):
    """python server.py --pha (TLS 1.3 post-handshake auth), openssl s_client -enable_pha -msg:
    the CertificateRequest is in the client's -msg log after the handshake"""
    r = analyse_python_smtp(slines, clines)
    own = stacks_server_alert(slines)
    if own and r["alert"] != own:
        sys.exit("alert mismatch: server.py logged %s, s_client %s" % (own, r["alert"]))
    return r


def stacks_client_error(clines):
    """go-client / JsseClient: (their first "error: ..." line, the alert number it names or None)"""
    err = first(r"^error: (.*)$", clines, 1)
    if err is None:
        return None, None
    m = re.search(r"remote error: tls: (.*)$", err)
    if m:
        return err, GO_ALERTS.get(m.group(1))
    m = re.search(r"Received fatal alert: (\w+)", err)
    return err, ALERTS.get(m.group(1)) if m else None


# --- make-mistakes.sh ---
# tlslite_server13.py (tlslite-ng, TLS 1.3, a CertificateRequest with a mistake in it; its trace is
# the log: "sent: certificate_request", "received: certificate", "  client certificates: N",
# "handshake done: ...", "error: TLSRemoteAlert: fatal NAME (N) received" / "error: TLSLocalAlert:
# NAME sent (...)") with go-client, openssl s_client -msg or curl -v as the client. The alert is the
# one the server logged receiving (from the client) or sending, cross-checked with the client's log.

GO_LOCAL_ALERTS = dict(GO_ALERTS, **{"unexpected message": 10})  # "local error: tls: <text>": Go sent it


def analyse_tlslite_server13(slines, clines):
    ccmd = next((l for l in clines if l.startswith("$ ")), "")
    err = first(r"^error: (.*)$", slines, 1)
    alert = None
    m = re.search(r"^TLSRemoteAlert: fatal \w+ \((\d+)\) received", err or "")
    if m:
        alert = {"from": "client", "description": int(m.group(1))}
    m = re.search(r"^TLSLocalAlert: (\w+) sent", err or "")
    if m:
        alert = {"from": "server", "description": ALERTS[m.group(1)]}
    if ccmd.startswith("$ go-client "):
        c_err, _ = stacks_client_error(clines)
        m = re.search(r"(local|remote) error: tls: (.*)$", c_err or "")
        said = m and {"from": "client" if m.group(1) == "local" else "server",
                      "description": GO_LOCAL_ALERTS.get(m.group(2))}
    elif "curl " in ccmd:
        v = curl_view(clines)
        c_err, said = v["client_error"], v["alert"]
    else:                                       # openssl s_client -msg
        c = first(r"^[0-9A-F]{8,}:error:[0-9A-F]{8}:SSL routines:.*", clines) or \
            first(r"^[0-9A-F]{8,}:error:.*", clines)
        c_err = clean_openssl_error(c) if c else None
        a = fatal_alert_sent(clines)
        said = {"from": "client", "description": a} if a is not None else None
        if said is None:
            a = first(r"^<<< TLS [\d.]+, Alert \[length \w+\], fatal (\w+)", msg_lines(clines), 1)
            said = {"from": "server", "description": ALERTS[a]} if a else None
    if (said or None) != alert:
        sys.exit("alert mismatch: tlslite_server13.py logged %s, the client %s" % (alert, said))
    cr = "sent: certificate_request" in slines
    got_cert = "received: certificate" in slines
    n_certs = int(first(r"^  client certificates: (\d+)$", slines, 1) or 0)
    done = any(l.startswith("handshake done: ") for l in slines)
    if not cr:
        ca = "not_requested"
    elif alert is not None and alert["from"] == "client" and not got_cert:
        ca = "not_reached"      # the client aborted before its certificate was due
    elif alert is not None or not done:
        ca = "failed"
    else:
        ca = "succeeded" if n_certs else "not_provided"
    return {"tls_version": "1.3" if "sent: server_hello" in slines else None, "client_auth": ca,
            "server_error": err, "client_error": c_err, "alert": alert}


def analyse(slines, clines):
    cmd = next((l for l in slines if l.startswith("$ ")), "")
    if cmd.startswith("$ openssl s_server"):
        r = analyse_openssl(slines, clines)
        ccmd = next((l for l in clines if l.startswith("$ ")), "")
        client = None
        if "gnutls-cli" in ccmd:
            client, (err, rcv) = "gnutls-cli", gnutls_cli_error(clines)
        elif "bad_cv_client.py" in ccmd or "tlslite_client.py" in ccmd:
            client, (err, rcv) = "tlslite-ng", tlslite_error(clines)
        elif ccmd.startswith("$ go-client ") or ccmd.startswith("$ java -cp . JsseClient "):   # make-stacks.sh
            client, (err, rcv) = "go-client/JsseClient", stacks_client_error(clines)
        if client:
            r["client_error"] = err
            if r["alert"] and r["alert"]["from"] == "server" and rcv is not None and rcv != r["alert"]["description"]:
                sys.exit("alert mismatch: sent %s, %s logged %s" % (r["alert"], client, rcv))
        return "openssl", r
    if cmd.startswith("$ python3 tlslite_server.py"):
        return "tlslite-ng", analyse_tlslite_server(slines, clines)
    if cmd.startswith("$ python3 tlslite_server13.py"):   # make-mistakes.sh
        return "tlslite-ng", analyse_tlslite_server13(slines, clines)
    if cmd.startswith("$ gnutls-serv"):
        return "gnutls", analyse_gnutls_serv(slines, clines)
    if cmd.startswith("$ python3 smtp_starttls_server.py"):
        return "python-ssl", analyse_python_smtp(slines, clines)
    if cmd.startswith("$ nginx"):
        return "nginx", analyse_nginx(slines, clines)
    if "http.server" in cmd:
        return "http", {"tls_version": None, "client_auth": "not_requested", "server_error": None,
                        "client_error": None, "alert": None}
    # make-servers.sh stacks
    if cmd.startswith("$ apache2 "):
        return "apache", analyse_apache(slines, clines)
    if cmd.startswith("$ haproxy "):
        return "haproxy", analyse_haproxy(slines, clines)
    if cmd.startswith("$ stunnel4 "):
        return "stunnel", analyse_stunnel(slines, clines)
    if cmd.startswith("$ servers/rustls-server "):
        return "rustls", analyse_rustls_server(slines, clines)
    # make-stacks.sh stacks
    if cmd.startswith("$ python3 stacks/python/server.py ") and " --pha" in cmd:
        return "python-ssl", analyse_stacks_pha(slines, clines)
    for prefix, kind in (("$ go-server ", "go"), ("$ node stacks/node/server.js ", "node"),
                         ("$ java -cp . JsseServer ", "jsse"), ("$ python3 stacks/python/server.py ", "python-ssl")):
        if cmd.startswith(prefix):
            return kind, analyse_stacks_server(slines, clines)
    sys.exit("unknown server command: %r" % cmd)


def alert_text(a):
    return "alert %d %s sent by %s" % (a["description"], ALERT_NAMES.get(a["description"], "?"), a["from"])


def report_disagreements(expected):
    """Print where tshark's view does not show what the logs say (expected for snaplen captures,
    where tshark cannot see the CertificateRequest). Informational only."""
    for name, v in expected.items():
        view = json.load(open(os.path.join(HERE, name + ".tshark.json")))
        tls = {s["stream"]: s["messages"] for s in view["tls"]}
        for c in v.get("connections") or [dict(v, stream=0)]:
            if c["tls_version"] is None:
                continue
            msgs = tls.get(c["stream"], [])
            types = [m["type"] for m in msgs]
            probs = []
            if not types or types[0] != "client_hello":
                probs.append("no ClientHello first")
            if (c["client_auth"] == "not_requested") == ("certificate_request" in types):
                probs.append("CertificateRequest %s in tshark's view" %
                             ("present" if "certificate_request" in types else "not visible"))
            if c["alert"] and not any(m.get("alert", {}).get("description") == c["alert"]["description"]
                                      and m["from"] == c["alert"]["from"] for m in msgs):
                probs.append("alert %d not visible in tshark's view" % c["alert"]["description"])
            if probs:
                print("note: %s stream %d: %s" % (name, c["stream"], "; ".join(probs)))


def main():
    expected = {}
    for slog in sorted(glob.glob(os.path.join(HERE, "*.server.log"))):
        name = os.path.basename(slog)[:-len(".server.log")]
        cdesc, sconns = split_log(slog)
        _, cconns = split_log(os.path.join(HERE, name + ".client.log"))
        if len(sconns) != len(cconns) or not sconns:
            sys.exit("%s: server/client logs disagree on connections" % name)
        capfile = next((name + e for e in (".pcap", ".pcapng") if os.path.exists(os.path.join(HERE, name + e))), None)
        if capfile is None:
            sys.exit("%s: no capture file" % name)
        view = json.load(open(os.path.join(HERE, name + ".tshark.json")))
        tcp = view["tcp"]
        conns = []
        for (n, desc, port, sl), (_, _, _, cl) in zip(sconns, cconns):
            kind, r = analyse(sl, cl)
            stream = n - 1
            if stream >= len(tcp) or not tcp[stream]["server"].endswith(":%d" % port):
                sys.exit("%s: connection %d (port %d) is not tcp.stream %d" % (name, n, port, stream))
            c = {"stream": stream, "port": port, "scenario": desc}
            c.update(r)
            conns.append((kind, c))
        tls_conns = [c for k, c in conns if k != "http"]
        top = tls_conns[-1]
        keys = name + ".keys" if os.path.exists(os.path.join(HERE, name + ".keys")) else None
        e = {
            "scenario": cdesc,
            "file": capfile,
            "tls_version": top["tls_version"],
            "client_auth": top["client_auth"],
            "server_error": top["server_error"],
            "client_error": top["client_error"],
            "alert": top["alert"],
            "keylog": keys,
        }
        if top.get("resumed"):
            e["resumed"] = True
        if top.get("late_client_auth"):    # make-servers.sh: Apache <Location> client auth
            e["late_client_auth"] = top["late_client_auth"]
        if len(conns) > 1:
            e["connections"] = [c for _, c in conns]
        cut = cut_info(slog)          # make-servers.sh: captures cut short with editcap
        if cut:
            visible = cut.pop("outcome_visible")
            cut["client_auth_in_capture"] = e["client_auth"] if visible else None
            e["cut"] = cut
        expected[name] = e
    report_disagreements(expected)
    with open(os.path.join(HERE, "expected.json"), "w") as f:
        json.dump(expected, f, indent=1, sort_keys=False)
        f.write("\n")

    # README table
    rows = ["| capture | what it shows | outcome as the stacks logged it |", "|---|---|---|"]
    for name, e in expected.items():
        if "connections" in e:
            outs = {}
            for c in e["connections"]:
                if c["tls_version"] is None:
                    key = "plain HTTP"
                else:
                    key = "client auth %s" % c["client_auth"] + \
                          (" (%s)" % alert_text(c["alert"]) if c["alert"] else "")
                outs[key] = outs.get(key, 0) + 1
            outcome = "; ".join("%d× %s" % (n, k) for k, n in outs.items())
        else:
            parts = ["client auth **%s**" % e["client_auth"]]
            if e["server_error"]:
                parts.append("server: `%s`" % e["server_error"])
            if e["alert"]:
                parts.append(alert_text(e["alert"]))
            if e["client_error"]:
                parts.append("client: `%s`" % e["client_error"])
            outcome = "; ".join(parts)
        what = e["scenario"] + ("" if e["keylog"] else " (no separate key log file)")
        rows.append("| `%s` | %s | %s |" % (e["file"], what.replace("|", "\\|"), outcome.replace("|", "\\|")))
    readme = os.path.join(HERE, "README.md")
    if os.path.exists(readme):
        text = open(readme).read()
        b, en = "<!-- captures:begin (generated by expected.py) -->", "<!-- captures:end -->"
        if b in text and en in text:
            head, rest = text.split(b, 1)
            _, tail = rest.split(en, 1)
            text = head + b + "\n" + "\n".join(rows) + "\n" + en + tail
            open(readme, "w").write(text)
    print("expected.json: %d captures" % len(expected))


if __name__ == "__main__":
    main()
