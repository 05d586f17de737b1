#!/usr/bin/env python3
"""Sweep tlstrace over the public capture corpus.

For every capture in the corpus manifest this runs

    tlstrace connections FILE --format json
    tlstrace show FILE --format json

with a timeout, and

  * fails (exit 1) on any PANIC (exit status 101, "panicked" on stderr, or
    death by a signal) or HANG (timeout);
  * lists, without failing, non-zero exits with an error message and the
    notes/warnings tlstrace printed on stderr (unsupported link types, ...);
  * for captures with a key log, runs `show --keylog` and reports whether
    every connection was decrypted (secrets found, Finished verified) and
    whether the message counts equal tshark's with the same key log
    (`scan_withkey`): "decrypted: N/M";
  * compares the cleartext handshake message counts and the alert counts of
    `show` with what tshark saw without keys (`scan_nokey` in the manifest).
    Disagreements are printed for humans to triage; they never fail the run.
    DTLS and QUIC captures are only checked for panics and hangs.

Gzipped captures (*.pcap.gz), which tlstrace does not read, are also fed to
it decompressed on stdin, and that run is the one compared.  With --explain,
`tlstrace explain` (with the manifest's keylog, if any) is run too and only
checked for panics and hangs (its exit status 1 means "a connection failed").

Stdlib only.  Usage:

    scripts/corpus-sweep.py [CORPUS] [--bin PATH] [--timeout S] [--jobs N]
                            [--only SUBSTR] [--explain] [--json OUT] [-q]

CORPUS defaults to $TLSTRACE_CORPUS, else ../shared/corpus relative to the
repository root.  A missing corpus is not an error (it is not shipped).
"""

import argparse
import collections
import concurrent.futures
import gzip
import json
import os
import re
import subprocess
import sys
import time

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

# tshark (scan_nokey.hs_types) name -> tlstrace ladder name.  tlstrace puts
# an SSLv2-compatible ClientHello on the ladder as client_hello.  Names not
# listed here are converted from CamelCase to snake_case.
TSHARK_TO_TLSTRACE = {
    "HelloRequest": "hello_request",
    "ClientHello": "client_hello",
    "SSLv2-ClientHello": "client_hello",
    "ServerHello": "server_hello",
    "HelloVerifyRequest": "hello_verify_request",
    "NewSessionTicket": "new_session_ticket",
    "EndOfEarlyData": "end_of_early_data",
    "HelloRetryRequest": "hello_retry_request",
    "EncryptedExtensions": "encrypted_extensions",
    "Certificate": "certificate",
    "ServerKeyExchange": "server_key_exchange",
    "CertificateRequest": "certificate_request",
    "ServerHelloDone": "server_hello_done",
    "CertificateVerify": "certificate_verify",
    "ClientKeyExchange": "client_key_exchange",
    "Finished": "finished",
    "CertificateURL": "certificate_url",
    "CertificateStatus": "certificate_status",
    "SupplementalData": "supplemental_data",
    "KeyUpdate": "key_update",
    "CompressedCertificate": "compressed_certificate",
    # tlstrace does not follow SSLv2 past the ClientHello.
    "SSLv2-ServerHello": "sslv2_server_hello",
    "SSLv2-2": "sslv2_type_2",
}

# Ladder entries that are not handshake messages.
NOT_HANDSHAKE = {
    "change_cipher_spec",
    "alert",
    "application_data",
    "heartbeat",
    "encrypted_handshake",
    "unknown",
    "tls12_cid",
    "ack",
}

ALERT_LEVELS = {1: "warning", 2: "fatal"}


def snake(name):
    s = re.sub(r"[^A-Za-z0-9]+", "_", name)
    s = re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", s)
    return s.lower().strip("_")


def tshark_hs_counts(scan):
    out = collections.Counter()
    for name, n in (scan.get("hs_types") or {}).items():
        out[TSHARK_TO_TLSTRACE.get(name, snake(name))] += n
    return dict(out)


def tshark_alert_key(name):
    """'Fatal (2)/Handshake Failure (40)' -> '2/40'; 'encrypted' stays."""
    m = re.match(r".*\((\d+)\)\s*/.*\((\d+)\)\s*$", name)
    if m:
        return f"{int(m.group(1))}/{int(m.group(2))}"
    return name


def tshark_alert_counts(scan):
    out = collections.Counter()
    for name, n in (scan.get("alerts") or {}).items():
        out[tshark_alert_key(name)] += n
    return dict(out)


def tlstrace_counts(show):
    """Cleartext handshake message counts, alert counts, and the count of
    `finished` entries including encrypted ones, from `show`."""
    hs = collections.Counter()
    alerts = collections.Counter()
    finished_all = 0
    for conn in show:
        for m in conn.get("messages") or []:
            kind = m.get("type")
            if kind == "finished":
                finished_all += 1
            if m.get("encrypted") or kind in NOT_HANDSHAKE:
                continue
            hs[kind] += 1
        for a in conn.get("alerts") or []:
            if a.get("encrypted"):
                alerts["encrypted"] += 1
            else:
                lvl = str(a.get("level"))
                m = re.fullmatch(r"\D*(\d+)", lvl)
                lvl_num = m.group(1) if m else {v: k for k, v in ALERT_LEVELS.items()}.get(lvl, lvl)
                alerts[f"{lvl_num}/{a.get('code')}"] += 1
    return dict(hs), dict(alerts), finished_all


def hints(r, finished_all):
    """Known benign explanations, to speed up triage (never authoritative)."""
    out = []
    hd, ad = r["handshake_diff"], r["alert_diff"]
    fin = hd.get("finished")
    if fin and fin[0] > fin[1] and finished_all - fin[1] >= fin[0] - fin[1]:
        out.append("tshark read a post-ChangeCipherSpec Finished in clear (NULL cipher or "
                   "plaintext Finished); tlstrace has it as finished/encrypted")
    enc = ad.get("encrypted")
    clear_missing = sum(a - b for k, (a, b) in ad.items() if k != "encrypted" and a > b)
    if enc and enc[1] > enc[0] and clear_missing == enc[1] - enc[0]:
        out.append("tshark read an alert in clear that tlstrace counts as encrypted")
    if any(not re.fullmatch(r"[12]/\d+|encrypted", k) and b > a for k, (a, b) in ad.items()):
        out.append("tlstrace decoded alerts with an invalid level: encrypted alert read as clear?")
    return out


def diff(a, b):
    """Keys where the counts differ: {key: [a, b]}."""
    return {
        k: [a.get(k, 0), b.get(k, 0)]
        for k in sorted(set(a) | set(b))
        if a.get(k, 0) != b.get(k, 0)
    }


def diff_signature(d):
    """A short description of a diff for grouping: 'finished-2 ccs+1' style."""
    parts = []
    for k, (ts, tt) in sorted(d.items()):
        parts.append(f"{k}{'+' if tt > ts else '-'}")
    return " ".join(parts)


def run(binary, args, timeout, stdin_data=None):
    t0 = time.monotonic()
    try:
        p = subprocess.run(
            [binary] + args,
            input=stdin_data,
            stdin=None if stdin_data is not None else subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            timeout=timeout,
        )
    except subprocess.TimeoutExpired as e:
        return {
            "status": "hang",
            "rc": None,
            "stderr": (e.stderr or b"").decode("utf-8", "replace")[-4000:],
            "secs": round(time.monotonic() - t0, 2),
        }, None
    secs = round(time.monotonic() - t0, 2)
    stderr = p.stderr.decode("utf-8", "replace")
    res = {"status": "ok", "rc": p.returncode, "stderr": stderr[-4000:], "secs": secs}
    if p.returncode == 101 or "panicked" in stderr:
        res["status"] = "panic"
    elif p.returncode < 0:
        res["status"] = "panic"
        res["signal"] = -p.returncode
    elif p.returncode != 0:
        res["status"] = "error"
    parsed = None
    if res["status"] in ("ok", "error") and p.stdout.strip():
        try:
            parsed = json.loads(p.stdout)
        except ValueError as e:
            if res["status"] == "ok":
                res["status"] = "bad-json"
                res["json_error"] = str(e)
    return res, parsed


def stderr_lines(stderr):
    return [l.strip() for l in stderr.splitlines() if l.strip()]


def normalize(line):
    """Groups stderr messages: drops the prefix, paths and counters."""
    line = re.sub(r"^tlstrace:\s*", "", line)
    line = re.sub(r"(^|\s)(/|-:|<stdin>)\S*", r"\1<file>", line)
    line = re.sub(r"\b\d+ (frame|byte|packet|record)", r"N \1", line)
    line = re.sub(r"\b(byte|frame|offset) \d+", r"\1 N", line)
    line = re.sub(r"after \d+ frames", "after N frames", line)
    return line


def sweep_one(entry, corpus, binary, timeout, explain=False):
    rel = entry["out"]
    path = os.path.join(corpus, rel)
    scan = entry.get("scan_nokey") or {}
    r = {
        "file": rel,
        "dtls": bool(scan.get("dtls")),
        "quic": bool(scan.get("quic")),
        "linktypes": scan.get("linktypes"),
    }
    if not os.path.exists(path):
        r["missing"] = True
        return r
    conns, conns_json = run(binary, ["connections", path, "--format", "json"], timeout)
    show, show_json = run(binary, ["show", path, "--format", "json"], timeout)
    r["connections"] = conns
    r["show"] = show
    if explain:
        # Exit 1 means "a connection failed": only panics and hangs count.
        cmd = ["explain", path, "--format", "json"]
        if entry.get("keylog") and os.path.exists(os.path.join(corpus, entry["keylog"])):
            cmd += ["--keylog", os.path.join(corpus, entry["keylog"])]
        ex, _ = run(binary, cmd, timeout)
        if ex["status"] == "error" and ex["rc"] == 1:
            ex["status"] = "ok"
        r["explain"] = ex
    if path.endswith(".gz") and (conns["status"] != "ok" or show["status"] != "ok"):
        # tlstrace reads plain pcap/pcapng: sweep the contents too, through stdin.
        try:
            with gzip.open(path, "rb") as f:
                data = f.read()
        except (OSError, EOFError) as e:
            r["gunzip_error"] = str(e)
        else:
            c2, conns_json = run(binary, ["connections", "-", "--format", "json"], timeout, data)
            s2, show_json = run(binary, ["show", "-", "--format", "json"], timeout, data)
            r["connections (gunzipped)"] = c2
            r["show (gunzipped)"] = s2
            show = s2
    if isinstance(conns_json, list):
        r["n_tcp_connections"] = len(conns_json)
    if isinstance(show_json, list):
        r["n_tls_connections"] = len(show_json)
    if r["dtls"] or r["quic"]:
        r["compare"] = "skipped (DTLS/QUIC)"
        return r
    keylog = entry.get("keylog")
    if keylog and os.path.exists(os.path.join(corpus, keylog)):
        keyed(r, entry, path, os.path.join(corpus, keylog), binary, timeout)
    if isinstance(show_json, list):
        issues = collections.Counter()
        for c in show_json:
            for i in c.get("issues") or []:
                issues[i.get("kind", "?")] += 1
        r["issues"] = dict(issues)
    if show["status"] != "ok" or not isinstance(show_json, list):
        r["compare"] = "skipped (show failed)"
        return r
    hs, alerts, finished_all = tlstrace_counts(show_json)
    ts_hs, ts_alerts = tshark_hs_counts(scan), tshark_alert_counts(scan)
    r["tshark"] = {"handshake": ts_hs, "alerts": ts_alerts}
    r["tlstrace"] = {"handshake": hs, "alerts": alerts}
    r["handshake_diff"] = diff(ts_hs, hs)
    r["alert_diff"] = diff(ts_alerts, alerts)
    r["compare"] = "agree" if not (r["handshake_diff"] or r["alert_diff"]) else "disagree"
    if r["compare"] == "disagree":
        r["hints"] = hints(r, finished_all)
    return r


def decrypt_verdict(show_json):
    """Whether every TLS connection that got as far as a ServerHello was
    decrypted: secrets found, every Finished checked and right, no record
    that failed to authenticate. Returns (ok, reasons)."""
    reasons = []
    def sealed(c):
        # Anything protected at all: connections that ended before either
        # side switched keys have nothing to decrypt.
        enc = c.get("encrypted_records") or {}
        return (
            any((enc.get(s) or {}).get("records") for s in ("client", "server"))
            or any(m.get("type") in ("finished", "application_data") or m.get("encrypted")
                   for m in c.get("messages") or [])
        )

    negotiated = [c for c in show_json if c.get("cipher_suite") and sealed(c)]
    if not negotiated:
        reasons.append("no connection has protected records")
    for c in negotiated:
        cid = c.get("id")
        if c.get("key_status") != "keys":
            reasons.append(f"conn {cid}: key_status {c.get('key_status')} ({c.get('cipher_suite')}, {c.get('version')})")
            continue
        checks = c.get("finished_checks") or []
        if not checks:
            reasons.append(f"conn {cid}: no Finished checked")
        elif not all(f.get("ok") for f in checks):
            reasons.append(f"conn {cid}: a Finished did not verify")
        if any(i.get("kind") == "keys_wrong" for i in c.get("issues") or []):
            reasons.append(f"conn {cid}: records did not authenticate")
    return not reasons, reasons


def keyed(r, entry, path, keylog, binary, timeout):
    """`show --keylog`: did it decrypt, and do the message counts equal
    tshark's with the same key log (`scan_withkey`)?"""
    res, show_json = run(binary, ["show", path, "--keylog", keylog, "--format", "json"], timeout)
    r["show (keylog)"] = res
    if res["status"] != "ok" or not isinstance(show_json, list):
        r["keyed"] = {"decrypted": False, "reasons": ["show --keylog failed"], "agree": False}
        return
    ok, reasons = decrypt_verdict(show_json)
    hs, alerts, _ = tlstrace_counts(show_json)
    scan = entry.get("scan_withkey") or {}
    hd = diff(tshark_hs_counts(scan), hs)
    ad = diff(tshark_alert_counts(scan), alerts)
    r["keyed"] = {
        "decrypted": ok,
        "reasons": reasons,
        "handshake_diff": hd,
        "alert_diff": ad,
        "agree": not (hd or ad),
    }


def ensure_binary(binary, default):
    if os.path.exists(binary):
        return True
    if os.path.abspath(binary) != os.path.abspath(default):
        print(f"tlstrace binary not found at {binary}", file=sys.stderr)
        return False
    print("building tlstrace (cargo build --release) ...", file=sys.stderr, flush=True)
    p = subprocess.run(["cargo", "build", "--release"], cwd=REPO)
    return p.returncode == 0 and os.path.exists(binary)


def fmt_counts(d):
    return ", ".join(f"{k}={v}" for k, v in sorted(d.items())) or "-"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("corpus", nargs="?", help="corpus dir (default $TLSTRACE_CORPUS or ../shared/corpus)")
    ap.add_argument("--bin", help="tlstrace binary (default target/release/tlstrace, built if missing)")
    ap.add_argument("--timeout", type=float, default=60.0, help="seconds per command (default 60)")
    ap.add_argument("--jobs", "-j", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--only", help="only captures whose path contains this")
    ap.add_argument("--json", metavar="OUT", help="write the full results here")
    ap.add_argument("--explain", action="store_true",
                    help="also run `explain` (with the manifest's keylog) and check it for panics/hangs")
    ap.add_argument("--quiet", "-q", action="store_true", help="summary counts only")
    ap.add_argument("--min-decrypted", type=int, default=0, metavar="N",
                    help="fail unless at least N key-log captures decrypt (a regression gate)")
    args = ap.parse_args()

    corpus = args.corpus or os.environ.get("TLSTRACE_CORPUS") or os.path.join(REPO, "..", "shared", "corpus")
    corpus = os.path.normpath(corpus)
    manifest = os.path.join(corpus, "manifest.jsonl")
    if not os.path.isfile(manifest):
        print(f"corpus not found at {corpus}, skipping")
        return 0

    default_bin = os.path.join(REPO, "target", "release", "tlstrace")
    binary = os.path.abspath(args.bin or default_bin)
    if not ensure_binary(binary, default_bin):
        print("cannot run the sweep without a tlstrace binary", file=sys.stderr)
        return 2

    with open(manifest) as f:
        entries = [json.loads(l) for l in f if l.strip()]
    if args.only:
        entries = [e for e in entries if args.only in e["out"]]

    t0 = time.monotonic()
    with concurrent.futures.ThreadPoolExecutor(max(1, args.jobs)) as pool:
        results = list(pool.map(lambda e: sweep_one(e, corpus, binary, args.timeout, args.explain), entries))
    elapsed = time.monotonic() - t0

    panics, hangs, badjson = [], [], []
    errors = collections.defaultdict(list)  # normalized message -> [(file, cmd)]
    notes = collections.defaultdict(set)  # normalized stderr line (exit 0) -> files
    missing = [r["file"] for r in results if r.get("missing")]
    for r in results:
        for cmd in ("connections", "show", "explain", "connections (gunzipped)", "show (gunzipped)",
                    "show (keylog)"):
            res = r.get(cmd)
            if not res:
                continue
            if res["status"] == "panic":
                panics.append((r["file"], cmd, res))
            elif res["status"] == "hang":
                hangs.append((r["file"], cmd, res))
            elif res["status"] == "bad-json":
                badjson.append((r["file"], cmd, res))
            elif res["status"] == "error":
                lines = stderr_lines(res["stderr"]) or [f"(exit {res['rc']}, nothing on stderr)"]
                key = normalize(next((l for l in lines if "error" in l), lines[-1]))
                errors[key].append((r["file"], cmd))
            if res["status"] in ("ok", "error"):
                for l in stderr_lines(res["stderr"]):
                    notes[normalize(l)].add(r["file"])

    compared = [r for r in results if r.get("compare") in ("agree", "disagree")]
    disagree = [r for r in compared if r["compare"] == "disagree"]
    skipped = collections.Counter(r["compare"] for r in results if r.get("compare", "").startswith("skipped"))
    hs_agree = sum(1 for r in compared if not r["handshake_diff"])
    al_agree = sum(1 for r in compared if not r["alert_diff"])

    out = print
    out(f"corpus:      {corpus}")
    out(f"binary:      {binary}")
    out(f"files:       {len(results)} ({len(missing)} missing) in {elapsed:.0f}s")
    out(f"panics:      {len(panics)}")
    out(f"hangs:       {len(hangs)}")
    out(f"bad JSON:    {len(badjson)}")
    out(f"errors:      {sum(len(v) for v in errors.values())} (non-zero exit with a message)")
    out(f"compared:    {len(compared)} files against tshark; skipped: "
        + (", ".join(f"{n} {k}" for k, n in skipped.items()) or "none"))
    out(f"  handshake counts agree: {hs_agree}/{len(compared)}")
    out(f"  alert counts agree:     {al_agree}/{len(compared)}")
    out(f"  both agree:             {len(compared) - len(disagree)}/{len(compared)}")

    keyed_rs = [r for r in results if r.get("keyed")]
    if keyed_rs:
        n_dec = sum(1 for r in keyed_rs if r["keyed"]["decrypted"])
        n_agree = sum(1 for r in keyed_rs if r["keyed"]["agree"])
        n_both = sum(1 for r in keyed_rs if r["keyed"]["decrypted"] and r["keyed"]["agree"])
        out(f"with key log: {len(keyed_rs)} files (TCP; compared with tshark given the same key log)")
        out(f"  decrypted:              {n_dec}/{len(keyed_rs)}")
        out(f"  message counts agree:   {n_agree}/{len(keyed_rs)}")
        out(f"  both:                   {n_both}/{len(keyed_rs)}")

    for title, items in (("PANICS", panics), ("HANGS", hangs), ("BAD JSON", badjson)):
        if items:
            out(f"\n== {title} ==")
            for f, cmd, res in items:
                extra = f" signal {res['signal']}" if res.get("signal") else ""
                out(f"- {f} [{cmd}] rc={res['rc']}{extra} after {res['secs']}s")
                for l in stderr_lines(res["stderr"])[-8:]:
                    out(f"    {l}")
                if res.get("json_error"):
                    out(f"    {res['json_error']}")
    if missing:
        out("\n== MISSING FILES ==")
        for f in missing:
            out(f"- {f}")
    if errors:
        out("\n== ERRORS (non-zero exit, by message) ==")
        for msg, items in sorted(errors.items(), key=lambda kv: -len(kv[1])):
            files = sorted({f for f, _ in items})
            out(f"- {msg}  [{len(items)} runs, {len(files)} files]")
            if not args.quiet:
                for f in files[:10]:
                    out(f"    {f}")
                if len(files) > 10:
                    out(f"    ... {len(files) - 10} more")
    issue_files = collections.defaultdict(set)
    for r in results:
        for k in r.get("issues") or {}:
            issue_files[k].add(r["file"])
    if issue_files and not args.quiet:
        out("\n== ISSUES REPORTED BY `show` (kind: files) ==")
        for k, files in sorted(issue_files.items(), key=lambda kv: -len(kv[1])):
            out(f"- {k}: {len(files)} files, e.g. {sorted(files)[0]}")
    if notes and not args.quiet:
        out("\n== STDERR NOTES/WARNINGS (by message) ==")
        for msg, files in sorted(notes.items(), key=lambda kv: -len(kv[1])):
            out(f"- {msg}  [{len(files)} files]")
            for f in sorted(files)[:5]:
                out(f"    {f}")
            if len(files) > 5:
                out(f"    ... {len(files) - 5} more")
    if disagree:
        out("\n== DISAGREEMENTS (tshark vs tlstrace; for triage, not failures) ==")
        groups = collections.defaultdict(list)
        for r in disagree:
            sig = diff_signature(r["handshake_diff"])
            asig = diff_signature({"alert:" + k: v for k, v in r["alert_diff"].items()})
            groups[(sig + " " + asig).strip()].append(r)
        out("kinds (key+ = tlstrace counts more, key- = fewer):")
        for sig, rs in sorted(groups.items(), key=lambda kv: -len(kv[1])):
            out(f"  {len(rs):4d}  {sig}")
        if not args.quiet:
            for r in sorted(disagree, key=lambda r: r["file"]):
                out(f"- {r['file']}")
                for what in ("handshake", "alert"):
                    d = r[f"{what}_diff"]
                    if d:
                        out(f"    {what}: " + ", ".join(f"{k} tshark={a} tlstrace={b}" for k, (a, b) in d.items()))
                for h in r.get("hints") or []:
                    out(f"    hint: {h}")

    bad_keyed = [r for r in keyed_rs if not (r["keyed"]["decrypted"] and r["keyed"]["agree"])]
    if bad_keyed and not args.quiet:
        out("\n== WITH KEY LOG: NOT DECRYPTED OR DISAGREEING ==")
        for r in sorted(bad_keyed, key=lambda r: r["file"]):
            k = r["keyed"]
            out(f"- {r['file']}")
            for why in k["reasons"][:4]:
                out(f"    not decrypted: {why}")
            for what in ("handshake", "alert"):
                d = k.get(f"{what}_diff")
                if d:
                    out(f"    {what}: " + ", ".join(f"{kk} tshark={a} tlstrace={b}" for kk, (a, b) in d.items()))

    if args.json:
        with open(args.json, "w") as f:
            json.dump(
                {
                    "corpus": corpus,
                    "binary": binary,
                    "files": len(results),
                    "panics": len(panics),
                    "hangs": len(hangs),
                    "bad_json": len(badjson),
                    "compared": len(compared),
                    "disagreements": len(disagree),
                    "results": results,
                },
                f,
                indent=1,
            )
        out(f"\nfull results written to {args.json}")

    n_decrypted = sum(1 for r in keyed_rs if r["keyed"]["decrypted"])
    if n_decrypted < args.min_decrypted:
        out(f"\nFAIL: {n_decrypted} key-log captures decrypted, fewer than the {args.min_decrypted} expected")
        for r in sorted(keyed_rs, key=lambda r: r["file"]):
            if not r["keyed"]["decrypted"]:
                out(f"- {r['file']}: " + "; ".join(r["keyed"]["reasons"][:2]))
        return 1
    return 1 if (panics or hangs) else 0


if __name__ == "__main__":
    sys.exit(main())
