#!/usr/bin/env python3
"""Check tlstrace's certificate-path verdicts against `openssl verify`.

Issue 6's "done when": on every capture, tlstrace's verdict on each chain's
signatures agrees with `openssl verify` run with the same anchors at the same
time (`-attime`).  For every chain a peer sent (client and server side of
every connection) this script compares

  * the SIGNATURE verdict: tlstrace reports a `signature_invalid` problem
    <=> openssl reports error 7 "certificate signature failure";
  * in captures/ mode also the OVERALL verdict (tlstrace `ok` <=> openssl
    `OK`) and whether openssl's first error is among the problem kinds
    tlstrace reported (20/2/21 -> unknown_issuer, missing_intermediate or
    partial_chain; 10 -> expired; 9 -> not_yet_valid; ...; see OSSL_KINDS);
  * every LINK of tlstrace's path (a certificate and the issuer tlstrace
    chose): tlstrace's per-step `signature` against
    `openssl verify -partial_chain -CAfile issuer.pem child.pem`.

Modes:

  captures/ (default): each X.pcap / X.pcapng with X.keys if present, twice:
      with captures/pki/root.pem as the only anchor, and with
      captures/pki/unrelated.pem as the only anchor (so that "unknown issuer"
      is compared too).  tlstrace: `explain --ca A --server-ca A`; openssl:
      `verify -attime T -CAfile A -untrusted <non-leaf certs sent>
      -purpose sslclient|sslserver leaf.pem`.
  --corpus [DIR]: the public corpus (manifest.jsonl: `out`, `keylog`), whose
      anchors are unknown: each chain's own top certificate (the last one
      sent) is the anchor, for tlstrace (`--ca top.pem` / `--server-ca`) and
      for openssl (`-partial_chain -CAfile top.pem -untrusted <middle>`).
      Only the signatures of the links below the top are compared.

openssl stops at the first error it cannot step over (an unknown issuer, a
bad signature, a not-yet-valid certificate), so beside the run above it is
run with `-no_check_time -purpose any` (signatures isolated from time and
purpose), and on the chain with its own top as a partial-chain anchor (the
links inside the sent chain, even when no anchor is reached).  openssl's
signature verdict is "error 7 in any of these runs".

Chains tlstrace could not check (an unsupported algorithm: Ed448, DSA, ...;
an RSA signer under 1024 bits), with no signature found invalid, are "not
checked", listed, and not counted as disagreements.  Chains of one
certificate have no link below the top in corpus mode and are not compared.

Exit status: 0 all compared chains agree, 1 a disagreement (or tlstrace
failed on a capture whose certificates it could list), 2 usage error.

Stdlib only.  Usage:

    scripts/verify-vs-openssl.py [--captures DIR] [--corpus [DIR]]
        [--no-captures] [--only SUBSTR] [--bin PATH] [--openssl PATH]
        [--jobs N] [--timeout S] [--json OUT] [-v]
"""

import argparse
import base64
import collections
import concurrent.futures
import datetime
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# openssl's first error -> the tlstrace problem kinds that say the same.
# (OpenSSL 3.0 numbering: 24 is "issuer certificate doesn't have a public
# key", an invalid CA is 79.)
UNKNOWN = {"unknown_issuer", "missing_intermediate", "partial_chain"}
OSSL_KINDS = {
    2: UNKNOWN,  # unable to get issuer certificate
    20: UNKNOWN,  # unable to get local issuer certificate
    21: UNKNOWN,  # unable to verify the first certificate
    18: {"untrusted_root"},  # self-signed certificate (depth 0)
    19: {"untrusted_root"},  # self-signed certificate in certificate chain
    10: {"expired"},
    9: {"not_yet_valid"},
    26: {"eku_forbids", "ku_forbids"},  # unsuitable certificate purpose
    79: {"issuer_not_ca", "ku_forbids"},  # invalid CA certificate
    24: {"issuer_not_ca", "unsupported_signature", "signature_invalid"},
    32: {"ku_forbids"},  # key usage does not include certificate signing
    37: {"issuer_not_ca"},  # invalid non-CA certificate (has CA markings)
    25: {"path_len_exceeded"},
    7: {"signature_invalid"},
    6: {"unsupported_signature", "signature_invalid"},  # unable to decode issuer public key
    76: {"unsupported_signature"},
    77: {"signature_invalid"},  # signature algorithm / issuer key mismatch
    66: {"weak_key", "signer_key_too_small"},
    67: {"weak_key", "signer_key_too_small"},
    68: {"signature_invalid", "unsupported_signature"},  # CA md too weak
    22: {"too_long"},
}
# openssl errors that mean "no path to an anchor": nothing was signature-checked.
NO_PATH = {2, 18, 19, 20, 21}
# tlstrace problems that mean "a signature could not be checked".
NOT_CHECKED = {"unsupported_signature", "signer_key_too_small"}

ERR_RE = re.compile(r"^(\[CRL path\] )?error (\d+) at (\d+) depth lookup: ?(.*)$")


# ---------------------------------------------------------------------------
# Certificates


def pem_ders(text):
    """The DER of every CERTIFICATE block of a PEM text."""
    out = []
    for m in re.finditer(
        r"-----BEGIN (?:X509 |TRUSTED )?CERTIFICATE-----(.*?)-----END (?:X509 |TRUSTED )?CERTIFICATE-----",
        text,
        re.S,
    ):
        try:
            out.append(base64.b64decode("".join(m.group(1).split())))
        except ValueError:
            pass
    return out


def der_pem(der):
    b = base64.b64encode(der).decode()
    return "-----BEGIN CERTIFICATE-----\n" + "\n".join(b[i : i + 64] for i in range(0, len(b), 64)) + "\n-----END CERTIFICATE-----\n"


def sha256(der):
    return hashlib.sha256(der).hexdigest()


def write_pems(path, ders):
    with open(path, "w") as f:
        for d in ders:
            f.write(der_pem(d))
    return path


def iso_to_unix(s):
    m = re.fullmatch(r"(\d{4})-(\d\d)-(\d\d)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?Z", s or "")
    if not m:
        return None
    dt = datetime.datetime(*map(int, m.groups()), tzinfo=datetime.timezone.utc)
    return int(dt.timestamp())


# ---------------------------------------------------------------------------
# Running the tools


def run(cmd, timeout):
    try:
        p = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.PIPE, timeout=timeout)
    except subprocess.TimeoutExpired:
        return None, "", f"timeout after {timeout} s"
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


class Tools:
    def __init__(self, tlstrace, openssl, timeout):
        self.tlstrace = tlstrace
        self.openssl = openssl
        self.timeout = timeout

    def tlstrace_json(self, args):
        """(json or None, error message)."""
        rc, out, err = run([self.tlstrace] + args, self.timeout)
        if rc is None:
            return None, err
        if rc not in (0, 1) or "panicked" in err:
            return None, f"exit {rc}: {err.strip()[-500:]}"
        try:
            return json.loads(out), ""
        except ValueError as e:
            return None, f"exit {rc}, bad JSON ({e}): {err.strip()[-300:]}"

    def verify(self, leaf, cafile, untrusted=None, attime=None, purpose=None, extra=()):
        """Runs `openssl verify`; returns {ok, errors: [{code, depth, msg, subject}], cmd}."""
        cmd = [self.openssl, "verify"]
        if attime is not None:
            cmd += ["-attime", str(attime)]
        cmd += list(extra)
        cmd += ["-CAfile", cafile]
        if untrusted:
            cmd += ["-untrusted", untrusted]
        if purpose:
            cmd += ["-purpose", purpose]
        cmd.append(leaf)
        rc, out, err = run(cmd, self.timeout)
        text = out + err
        errors = []
        prev = ""
        for line in text.splitlines():
            m = ERR_RE.match(line.strip())
            if m and not m.group(1):
                errors.append({"code": int(m.group(2)), "depth": int(m.group(3)), "msg": m.group(4), "subject": prev})
            prev = line.strip()
        ok = rc == 0 and re.search(r": OK\s*$", out, re.M) is not None and not errors
        if rc not in (0, 2) and not errors:
            errors.append({"code": -1, "depth": -1, "msg": f"openssl exit {rc}: {text.strip()[-300:]}", "subject": ""})
        return {"ok": ok, "errors": errors, "cmd": " ".join(os.path.basename(c) if c.startswith("/tmp") else c for c in cmd)}


def fmt_ossl(v):
    if v is None:
        return "-"
    if v["ok"]:
        return "OK"
    return "; ".join(f"error {e['code']} at depth {e['depth']}: {e['msg']}" for e in v["errors"]) or "failed"


def has7(*runs):
    return any(r and any(e["code"] == 7 for e in r["errors"]) for r in runs)


# ---------------------------------------------------------------------------
# One capture


class Capture:
    """The certificates of a capture (from `tlstrace certs --out`)."""

    def __init__(self, tools, path, keylog, work):
        self.tools = tools
        self.path = path
        self.keylog = keylog
        self.work = work
        self.pem_by_sha = {}  # sha256 -> path of a one-certificate PEM file
        self.der_by_sha = {}
        self.listing = []
        self.error = ""

    def kl(self):
        return ["--keylog", self.keylog] if self.keylog else []

    def load_certs(self):
        out = os.path.join(self.work, "certs")
        os.makedirs(out, exist_ok=True)
        js, err = self.tools.tlstrace_json(["certs", self.path] + self.kl() + ["--out", out, "--format", "json"])
        if js is None:
            self.error = err
            return False
        self.listing = js if isinstance(js, list) else js.get("certificates", [])
        for name in sorted(os.listdir(out)):
            with open(os.path.join(out, name), errors="replace") as f:
                for der in pem_ders(f.read()):
                    self.add_der(der)
        return True

    def add_der(self, der):
        s = sha256(der)
        if s not in self.pem_by_sha:
            p = os.path.join(self.work, f"c-{s[:16]}.pem")
            write_pems(p, [der])
            self.pem_by_sha[s] = p
            self.der_by_sha[s] = der
        return s

    def chains_from_listing(self):
        """{(conn, side): [sha256, ...]} from `certs`: the first Certificate
        message of each side (lowest frame), in position order."""
        by = collections.defaultdict(list)
        for c in self.listing:
            by[(c.get("connection"), c.get("side"))].append(c)
        out = {}
        for k, certs in by.items():
            first = min(c.get("frame") or 0 for c in certs)
            certs = sorted((c for c in certs if (c.get("frame") or 0) == first), key=lambda c: c.get("position", 0))
            out[k] = [c.get("sha256") for c in certs]
        return out

    def explain(self, ca, server_ca):
        args = ["explain", self.path] + self.kl() + ["--ca", ca, "--server-ca", server_ca, "--format", "json"]
        return self.tools.tlstrace_json(args)

    def bundle(self, name, shas):
        return write_pems(os.path.join(self.work, name), [self.der_by_sha[s] for s in shas])


def tls_side(path_obj):
    kinds = [p.get("kind") for p in path_obj.get("problems") or []]
    return {
        "ok": bool(path_obj.get("ok")),
        "verdict": path_obj.get("verdict"),
        "kinds": kinds,
        "sig_invalid": "signature_invalid" in kinds,
        "not_checked": sorted({k for k in kinds if k in NOT_CHECKED}),
        "at": path_obj.get("at"),
        "path": [
            {"sha256": s.get("sha256"), "subject": s.get("subject"), "issuer": s.get("issuer"), "source": s.get("source"),
             "signature": s.get("signature"), "self_signed": s.get("self_signed")}
            for s in path_obj.get("path") or []
        ],
        "problems": path_obj.get("problems") or [],
    }


def fmt_tls(t):
    if t["ok"]:
        return "ok"
    fatal = [k for k in t["kinds"] if k not in ("weak_key", "unused_sent", "unordered", "name_constraints_present")]
    return f"{t['verdict']}: " + ", ".join(dict.fromkeys(fatal or t["kinds"])) if t["kinds"] else str(t["verdict"])


def short(x, n=60):
    x = str(x)
    return x if len(x) <= n else x[:n] + "…"


def sig_name(sig):
    if sig is None:
        return None
    if isinstance(sig, str):
        return sig
    if isinstance(sig, dict) and sig:
        return next(iter(sig))
    return str(sig)


ISOLATE = ["-no_check_time", "-purpose", "any", "-allow_proxy_certs"]


def check_links(cap, tls, anchor_pems, tools):
    """Each link of tlstrace's path, checked by openssl alone: the child
    verified with the issuer tlstrace chose as a partial-chain anchor, no
    time, any purpose.  The top's own signature, when it is self-issued and
    tlstrace shows it, is checked with -check_ss_sig ("self" link).
    Returns a list of {child, issuer, tlstrace, openssl, agree, note?}."""
    out = []
    path = tls["path"]
    pairs = [(path[i], path[i + 1], False) for i in range(len(path) - 1)]
    if path and path[-1]["subject"] == path[-1].get("issuer") and path[-1]["signature"] is not None:
        pairs.append((path[-1], path[-1], True))
    for child, issuer, own in pairs:
        t = sig_name(child["signature"])
        cp = cap.pem_by_sha.get(child["sha256"]) or anchor_pems.get(child["sha256"])
        ip = cap.pem_by_sha.get(issuer["sha256"]) or anchor_pems.get(issuer["sha256"])
        rec = {"child": child["subject"], "issuer": "(itself)" if own else issuer["subject"], "tlstrace": t, "openssl": None, "agree": None}
        if not cp or not ip or t is None:
            rec["note"] = "certificate not available" if (not cp or not ip) else "tlstrace did not check it"
            out.append(rec)
            continue
        v = tools.verify(cp, ip, extra=["-partial_chain"] + ISOLATE + (["-check_ss_sig"] if own else []))
        codes = [e["code"] for e in v["errors"]]
        rec["openssl"] = fmt_ossl(v)
        if t in ("unsupported", "key_too_small"):
            rec["note"] = "not checked by tlstrace"
        elif v["ok"]:
            rec["agree"] = t == "valid"
        elif 7 in codes:
            rec["agree"] = t in ("invalid", "mismatch", "malformed")
        else:
            rec["note"] = "openssl did not check the signature (it does not take this certificate as the issuer)"
        out.append(rec)
    return out


def compare_chain(cap, label, conn, side, tls, chain, anchors, anchor_pems, corpus_mode, tools):
    """Runs openssl on one chain and compares.  Returns a result dict."""
    purpose = "sslclient" if side == "client" else "sslserver"
    res = {
        "file": cap.display,
        "anchors": label,
        "connection": conn,
        "side": side,
        "chain_len": len(chain),
        "tlstrace": tls,
        "openssl": {},
        "status": None,
        "disagreements": [],
        "notes": [],
    }
    missing = [s for s in chain if s not in cap.der_by_sha]
    if missing:
        res["status"] = "skipped"
        res["notes"].append(f"certificate(s) not written by `certs`: {', '.join(m[:12] for m in missing)}")
        return res
    at = iso_to_unix(tls["at"])
    if at is None:
        res["status"] = "skipped"
        res["notes"].append(f"no time in tlstrace's path (at={tls['at']!r})")
        return res
    key = f"{conn}-{side}-{label}"
    leaf = cap.bundle(f"{key}-leaf.pem", chain[:1])
    rest = chain[1:]
    untrusted = cap.bundle(f"{key}-untrusted.pem", rest) if rest else None
    runs = res["openssl"]
    if corpus_mode:
        top = cap.bundle(f"{key}-top.pem", chain[-1:])
        middle = cap.bundle(f"{key}-middle.pem", chain[1:-1]) if len(chain) > 2 else None
        runs["main"] = tools.verify(leaf, top, middle, at, purpose, ["-partial_chain"])
        runs["sig"] = tools.verify(leaf, top, middle, None, None, ["-partial_chain"] + ISOLATE)
    else:
        runs["main"] = tools.verify(leaf, anchors, untrusted, at, purpose)
        runs["sig"] = tools.verify(leaf, anchors, untrusted, None, None, ISOLATE)
        if len(chain) >= 2:
            top = cap.bundle(f"{key}-top.pem", chain[-1:])
            middle = cap.bundle(f"{key}-middle.pem", chain[1:-1]) if len(chain) > 2 else None
            runs["own_top"] = tools.verify(leaf, top, middle, None, None, ["-partial_chain"] + ISOLATE)

    o_sig = has7(*runs.values())
    t_sig = tls["sig_invalid"]
    res["sig"] = {"tlstrace": "invalid" if t_sig else "valid", "openssl": "invalid" if o_sig else "valid"}
    res["links"] = check_links(cap, tls, anchor_pems, tools)
    link_dis = [l for l in res["links"] if l["agree"] is False]

    if tls["not_checked"] and not t_sig:
        res["status"] = "not_checked"
        res["notes"].append("tlstrace could not check: " + ", ".join(
            f"{p['kind']} ({short(p.get('alg') or p.get('bits'))})" for p in tls["problems"] if p.get("kind") in NOT_CHECKED))
        return res
    if t_sig != o_sig:
        res["disagreements"].append("signature")
    if link_dis:
        res["disagreements"].append("link")
    if not corpus_mode:
        main = runs["main"]
        if tls["verdict"] == "undetermined":
            res["notes"].append("tlstrace verdict undetermined")
        elif tls["ok"] != main["ok"]:
            res["disagreements"].append("overall")
        elif not main["ok"] and main["errors"]:
            first = main["errors"][0]["code"]
            want = OSSL_KINDS.get(first)
            if want is None:
                res["notes"].append(f"openssl error {first} has no tlstrace counterpart in the map")
            elif not want & set(tls["kinds"]):
                res["disagreements"].append("kind")
    res["status"] = "disagree" if res["disagreements"] else "agree"
    return res


def process_capture(tools, item, corpus_mode, anchor_sets, keep):
    """item: {display, path, keylog}.  Returns {display, results, error, skipped}."""
    work = tempfile.mkdtemp(prefix="vvo-")
    cap = Capture(tools, item["path"], item.get("keylog"), work)
    cap.display = item["display"]
    out = {"file": item["display"], "results": [], "error": "", "skipped": ""}
    if keep:
        out["workdir"] = work
    try:
        if not cap.load_certs():
            out["skipped"] = f"`certs` failed: {cap.error}"
            return out
        listed = cap.chains_from_listing()
        if not listed:
            out["skipped"] = "no certificate chains"
            return out
        if corpus_mode:
            # Group connections by (client top, server top): one explain run each.
            groups = collections.defaultdict(set)
            for (conn, side), shas in listed.items():
                tops = (
                    (listed.get((conn, "client")) or [None])[-1],
                    (listed.get((conn, "server")) or [None])[-1],
                )
                groups[tops].add(conn)
            for (ctop, stop), conns in sorted(groups.items(), key=lambda g: min(g[1])):
                any_top = ctop or stop
                if any_top not in cap.pem_by_sha:
                    out["error"] += f"top certificate {any_top[:12]} not written; "
                    continue
                ca = cap.pem_by_sha.get(ctop or any_top)
                sca = cap.pem_by_sha.get(stop or any_top)
                js, err = cap.explain(ca, sca)
                if js is None:
                    out["error"] += f"explain failed: {err}; "
                    continue
                anchor_pems = {}
                for conn_js in js.get("connections") or []:
                    if conn_js.get("id") not in conns:
                        continue
                    for side, top in (("client", ctop), ("server", stop)):
                        out["results"].extend(
                            side_results(cap, conn_js, side, "own top", None, anchor_pems, True, tools, listed, top)
                        )
        else:
            for label, anchors in anchor_sets:
                anchor_pems = {}
                with open(anchors, errors="replace") as f:
                    for der in pem_ders(f.read()):
                        s = sha256(der)
                        anchor_pems[s] = write_pems(os.path.join(work, f"a-{s[:16]}.pem"), [der])
                js, err = cap.explain(anchors, anchors)
                if js is None:
                    out["error"] += f"explain ({label}) failed: {err}; "
                    continue
                for conn_js in js.get("connections") or []:
                    for side in ("client", "server"):
                        out["results"].extend(
                            side_results(cap, conn_js, side, label, anchors, anchor_pems, False, tools, listed, None)
                        )
        if not out["results"] and not out["error"]:
            out["skipped"] = "no chain judged by explain"
        return out
    except Exception as e:  # a bug here must not hide the other captures
        import traceback

        out["error"] += f"script error: {e!r}\n{traceback.format_exc()}"
        return out
    finally:
        if not keep:
            shutil.rmtree(work, ignore_errors=True)


def side_results(cap, conn_js, side, label, anchors, anchor_pems, corpus_mode, tools, listed, top):
    conn = conn_js.get("id")
    path_obj = conn_js.get(f"{side}_path")
    chain_js = conn_js.get(f"{side}_chain") or []
    if not path_obj or not chain_js:
        return []
    chain = [c.get("sha256") for c in chain_js]
    tls = tls_side(path_obj)
    if corpus_mode:
        if len(chain) < 2:
            if chain[0] not in cap.der_by_sha:
                return []
            # No link below the top: only the links tlstrace built itself
            # (an issuer found elsewhere in the capture, a self-signature).
            links = check_links(cap, tls, {}, tools)
            bad = [l for l in links if l["agree"] is False]
            return [{"file": cap.display, "anchors": label, "connection": conn, "side": side, "chain_len": len(chain),
                     "status": "disagree" if bad else "single", "tlstrace": tls, "links": links, "openssl": {},
                     "disagreements": ["link"] if bad else [], "notes": ["one certificate: no link below the top"]}]
        if chain[-1] != top:
            return [{"file": cap.display, "anchors": label, "connection": conn, "side": side, "chain_len": len(chain),
                     "status": "skipped", "tlstrace": tls, "disagreements": [],
                     "notes": ["explain's chain is not the one `certs` listed first (renegotiation?)"]}]
    return [compare_chain(cap, label, conn, side, tls, chain, anchors, anchor_pems, corpus_mode, tools)]


# ---------------------------------------------------------------------------
# Inputs


def capture_items(captures, only):
    items = []
    for name in sorted(os.listdir(captures)):
        if not name.endswith((".pcap", ".pcapng")):
            continue
        stem = name.rsplit(".", 1)[0]
        keys = os.path.join(captures, stem + ".keys")
        display = os.path.relpath(os.path.join(captures, name), REPO)
        if only and only not in display:
            continue
        items.append({"display": display, "path": os.path.join(captures, name), "keylog": keys if os.path.exists(keys) else None})
    return items


def corpus_items(corpus, only):
    items = []
    with open(os.path.join(corpus, "manifest.jsonl")) as f:
        for line in f:
            if not line.strip():
                continue
            e = json.loads(line)
            if only and only not in e["out"]:
                continue
            kl = e.get("keylog")
            kl = os.path.join(corpus, kl) if kl and os.path.exists(os.path.join(corpus, kl)) else None
            items.append({"display": e["out"], "path": os.path.join(corpus, e["out"]), "keylog": kl})
    return items


# ---------------------------------------------------------------------------
# Report


def describe(r):
    t = r["tlstrace"]
    o = r.get("openssl") or {}
    lines = [f"  {r['file']}  conn {r['connection']} {r['side']}  [anchors: {r['anchors']}, chain of {r['chain_len']}, at {t.get('at')}]"
             + (f"  -> {', '.join(r['disagreements'])}" if r["disagreements"] else "")]
    lines.append(f"      tlstrace: {fmt_tls(t)}")
    if "sig" in r:
        lines.append(f"      signatures: tlstrace {r['sig']['tlstrace']}, openssl {r['sig']['openssl']}")
    for name, v in o.items():
        lines.append(f"      openssl {name:8s}: {fmt_ossl(v)}")
    for l in r.get("links") or []:
        if l["agree"] is not True:
            lines.append(f"      link {l['child']!r} <- {l['issuer']!r}: tlstrace {l['tlstrace']}, openssl {l['openssl']}"
                         + (f" ({l['note']})" if l.get("note") else ""))
    for n in r.get("notes") or []:
        lines.append(f"      note: {n}")
    return "\n".join(lines)


def summarize(title, outcomes, verbose):
    results = [r for o in outcomes for r in o["results"]]
    st = collections.Counter(r["status"] for r in results)
    checked = [r for r in results if r["status"] in ("agree", "disagree") and "sig" in r]
    dis = [r for r in results if r["status"] == "disagree"]
    links = [l for r in results if r["status"] in ("agree", "disagree", "single") for l in r.get("links") or []]
    link_cmp = [l for l in links if l["agree"] is not None]
    print(f"== {title}")
    print(f"captures: {len(outcomes)}  with chains judged: {sum(1 for o in outcomes if o['results'])}  "
          f"without chains/unreadable: {sum(1 for o in outcomes if o['skipped'])}  errors: {sum(1 for o in outcomes if o['error'])}")
    by_anchor = collections.defaultdict(collections.Counter)
    for r in results:
        by_anchor[r["anchors"]][r["status"]] += 1
    for a, c in sorted(by_anchor.items()):
        print(f"  anchors {a}: " + ", ".join(f"{k} {v}" for k, v in sorted(c.items())))
    sig_agree = sum(1 for r in checked if "signature" not in r["disagreements"])
    print(f"chains checked: {len(checked)}  agreements: {sum(1 for r in checked if r['status'] == 'agree')}  "
          f"disagreements: {len(dis)}")
    print(f"  signature verdicts agree: {sig_agree}/{len(checked)}  "
          f"(signature_invalid in tlstrace: {sum(1 for r in checked if r['tlstrace']['sig_invalid'])}, "
          f"error 7 in openssl: {sum(1 for r in checked if r['sig']['openssl'] == 'invalid')})")
    if any(r["anchors"] != "own top" for r in checked):
        full = [r for r in checked if r["anchors"] != "own top"]
        print(f"  overall verdicts agree: {sum(1 for r in full if 'overall' not in r['disagreements'])}/{len(full)}  "
              f"first openssl error among tlstrace's kinds: {sum(1 for r in full if 'kind' not in r['disagreements'] and 'overall' not in r['disagreements'])}/{len(full)}")
    selfs = [l for l in link_cmp if l["issuer"] == "(itself)"]
    print(f"  links of tlstrace's paths compared one by one: {len(link_cmp)} (of which self-signatures: {len(selfs)})  "
          f"agree: {sum(1 for l in link_cmp if l['agree'])}  not compared: {len(links) - len(link_cmp)}")
    singles = [r for r in results if r["status"] == "single" or (r["status"] == "disagree" and "sig" not in r)]
    if singles:
        print(f"  one-certificate chains (no link below the top; only their links above were compared): {len(singles)}")
    firsts = collections.Counter()
    for r in checked:
        m = r["openssl"].get("main")
        firsts["OK" if m["ok"] else (f"error {m['errors'][0]['code']}" if m["errors"] else "failed")] += 1
    print("  openssl main-run results: " + ", ".join(f"{k}: {v}" for k, v in sorted(firsts.items())))
    if dis:
        print("\nDISAGREEMENTS:")
        for r in dis:
            print(describe(r))
    nc = [r for r in results if r["status"] == "not_checked"]
    if nc:
        print(f"\nnot checked by tlstrace (unsupported algorithm / key), {len(nc)}:")
        for r in nc:
            print(describe(r))
    nl = [(r, l) for r in results for l in r.get("links") or [] if l["agree"] is None and l.get("note") != "not checked by tlstrace"
          and r["status"] != "not_checked"]
    if nl:
        print(f"\nlinks not compared, {len(nl)}:")
        for r, l in nl:
            print(f"  {r['file']} conn {r['connection']} {r['side']}: {l['child']!r} <- {l['issuer']!r}: "
                  f"tlstrace {l['tlstrace']}, openssl {l['openssl']} ({l.get('note')})")
    sk = [r for r in results if r["status"] == "skipped"]
    if sk:
        print(f"\nskipped chains, {len(sk)}:")
        for r in sk:
            print(f"  {r['file']} conn {r['connection']} {r['side']}: {'; '.join(r['notes'])}")
    notes = [r for r in checked if r["notes"] and r not in dis]
    if notes and verbose:
        print("\nnotes:")
        for r in notes:
            print(describe(r))
    elif notes:
        c = collections.Counter(n for r in notes for n in r["notes"])
        print("\nnotes (-v for each chain): " + "; ".join(f"{n} ×{k}" for n, k in c.most_common()))
    errs = [o for o in outcomes if o["error"]]
    if errs:
        print("\nERRORS:")
        for o in errs:
            print(f"  {o['file']}: {o['error'].strip()}")
    if verbose:
        skipped = [o for o in outcomes if o["skipped"]]
        if skipped:
            print("\ncaptures skipped:")
            for o in skipped:
                print(f"  {o['file']}: {o['skipped']}")
    if verbose:
        print("\nall chains:")
        for r in checked:
            print(describe(r))
    print()
    return len(dis), len(errs)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--captures", default=os.path.join(REPO, "captures"), help="the project's captures (default: captures/)")
    ap.add_argument("--no-captures", action="store_true", help="do not check captures/")
    default_corpus = os.environ.get("TLSTRACE_CORPUS") or os.path.join(REPO, "..", "shared", "corpus")
    ap.add_argument("--corpus", nargs="?", const=default_corpus, default=None,
                    help=f"also check the public corpus, each chain anchored at its own top (default dir: {default_corpus})")
    ap.add_argument("--only", help="only captures whose path contains this")
    ap.add_argument("--bin", default=os.path.join(REPO, "target", "release", "tlstrace"), help="tlstrace binary (default: target/release/tlstrace, built if missing)")
    ap.add_argument("--openssl", default=shutil.which("openssl") or "openssl", help="openssl binary (3.0 or later)")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 4, help="captures processed in parallel (default: CPU count)")
    ap.add_argument("--timeout", type=float, default=120, help="seconds per tlstrace/openssl run (default 120)")
    ap.add_argument("--json", help="write every chain's result here")
    ap.add_argument("--keep", action="store_true", help="keep the temporary PEM files (their directory is `workdir` in --json)")
    ap.add_argument("-v", "--verbose", action="store_true", help="print every chain, not only disagreements")
    a = ap.parse_args()

    if not os.path.exists(a.bin):
        print(f"building {a.bin} ...", file=sys.stderr)
        subprocess.run(["cargo", "build", "--release"], cwd=REPO, check=False)
    if not os.path.exists(a.bin):
        print(f"no tlstrace binary at {a.bin}", file=sys.stderr)
        return 2
    rc, out, _ = run([a.openssl, "version"], 10)
    if rc != 0:
        print(f"openssl not usable ({a.openssl})", file=sys.stderr)
        return 2
    print(f"tlstrace: {a.bin}\nopenssl: {out.strip()}\n")
    tools = Tools(a.bin, a.openssl, a.timeout)

    report = {}
    total_dis = total_err = 0
    pki = os.path.join(a.captures, "pki")
    if not a.no_captures:
        anchor_sets = [("root.pem", os.path.join(pki, "root.pem")), ("unrelated.pem", os.path.join(pki, "unrelated.pem"))]
        for _, p in anchor_sets:
            if not os.path.exists(p):
                print(f"missing anchor file {p}", file=sys.stderr)
                return 2
        items = capture_items(a.captures, a.only)
        with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
            outcomes = list(ex.map(lambda it: process_capture(tools, it, False, anchor_sets, a.keep), items))
        d, e = summarize(f"captures ({os.path.relpath(a.captures)}), anchors root.pem and unrelated.pem", outcomes, a.verbose)
        total_dis += d
        total_err += e
        report["captures"] = outcomes
    if a.corpus:
        if not os.path.exists(os.path.join(a.corpus, "manifest.jsonl")):
            print(f"corpus not found at {a.corpus}, skipping")
        else:
            items = corpus_items(a.corpus, a.only)
            with concurrent.futures.ThreadPoolExecutor(a.jobs) as ex:
                outcomes = list(ex.map(lambda it: process_capture(tools, it, True, [], a.keep), items))
            d, e = summarize(f"corpus ({os.path.relpath(a.corpus)}), each chain anchored at its own top (-partial_chain)", outcomes, a.verbose)
            total_dis += d
            total_err += e
            report["corpus"] = outcomes
    if a.json:
        with open(a.json, "w") as f:
            json.dump(report, f, indent=1)
    print(f"TOTAL: {total_dis} disagreement(s), {total_err} capture(s) with errors")
    return 1 if total_dis or total_err else 0


if __name__ == "__main__":
    sys.exit(main())
