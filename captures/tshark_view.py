#!/usr/bin/env python3
"""Record tshark's view of one capture as JSON, so tlstrace's tests need no tshark.

Usage: tshark_view.py CAPTURE [--keylog KEYS] [--out OUT.json] [--decode-as RULE ...]

Runs tshark twice on CAPTURE (two-pass, `-2`, with `-o tls.keylog_file:KEYS` when a key log
is given; a pcapng with a Decryption Secrets Block is decrypted by tshark on its own):

(--decode-as RULE adds `-d RULE` to the second pass, e.g. `tcp.port==2525,smtp` for TLS that
starts after STARTTLS on a port tshark does not know; streams that start with a TLS record are
decoded as TLS on their server port anyway.)

1. `-T fields` per frame: addresses, ports, TCP flags, raw sequence numbers and lengths, the first
   payload bytes.  The "tcp" part of the output is computed from this.
2. `-T json -J "frame tcp tls"`: the TLS tree of every frame, read with the key order preserved
   (tshark's JSON repeats keys such as "tls.record" and "tls.handshake"), for the "tls" part.

Output shape (exactly these keys; "alert" only on alert entries whose content tshark could read,
"ja3"/"ja3_full" only on client_hello; this tshark (4.0) has no JA4 field, so no "ja4"):

{
  "file": "<capture file name>",
  "frames": <total frame count>,
  "tcp": [ {"stream": n, "client": "ip:port", "server": "ip:port", "first_frame": n,
            "last_frame": n, "packets": n, "client_bytes": n, "server_bytes": n, "gaps": n,
            "end": "fin" | "rst" | "open"} ],
  "tls": [ {"stream": n, "messages": [ {"frame": n, "from": "client" | "server", "type": "...",
            ["alert": {"level": n, "description": n}], ["ja3": "...", "ja3_full": "..."]} ] } ]
}

Rules, so that a test knows what each number means:
- client: the sender of the first SYN without ACK; failing that, the sender of a TLS ClientHello
  (payload starting 16 03 xx xx xx 01); failing that, the endpoint with the higher port.
  IPv6 addresses are written "[addr]:port".
- client_bytes / server_bytes: TCP payload bytes of the direction, each sequence number counted
  once: the size of the union of the [seq, seq+len) intervals of all captured segments (by raw
  sequence number, relative to the SYN's ISN+1 when the SYN was captured).  Retransmissions,
  duplicates (netem, or the same packet captured twice) and overlaps therefore count once.  This
  equals the byte count of `tshark -z follow,tcp,raw,N` when nothing is missing.  tcp.len comes
  from the IP/TCP headers, so a snaplen-truncated segment still counts its full length.
- gaps: holes in that sequence space that no captured segment covers, both directions summed:
  holes between the captured intervals, plus a hole at the start (SYN captured but the first
  captured byte is later than ISN+1) and at the end (FIN captured but its sequence number is past
  the last captured byte).  A segment lost on the wire and retransmitted later leaves no gap
  (tshark's tcp.analysis.lost_segment would flag it temporarily; that is not counted).
- end: "rst" if any segment of the stream has RST set, else "fin" if any has FIN, else "open".
- tls messages: in frame order, and within a frame in record order and message order, as tshark
  shows them (a record or handshake message spread over several TCP segments or TLS records is
  listed once, in the frame where tshark reassembled it; pure fragments are not listed).
  type: the handshake message name (client_hello, server_hello, hello_retry_request,
  new_session_ticket, end_of_early_data, encrypted_extensions, certificate, server_key_exchange,
  certificate_request, server_hello_done, certificate_verify, client_key_exchange, finished,
  certificate_status, key_update, hello_request, message_hash, or "handshake_<n>" for others),
  change_cipher_spec, alert, application_data, heartbeat, and "encrypted" for a handshake record
  whose content tshark could not decrypt (TLS <= 1.2 Finished or renegotiation without keys).
  An alert tshark could not decrypt is {"type": "alert"} without the "alert" object.  A TLS 1.3
  record tshark could not decrypt is reported as tshark shows it: application_data (its outer
  opaque type).
- A stream appears under "tls" only if tshark found at least one TLS record in it.
"""
import argparse
import json
import os
import subprocess
import sys

HS_TYPES = {
    0: "hello_request", 1: "client_hello", 2: "server_hello", 4: "new_session_ticket",
    5: "end_of_early_data", 6: "hello_retry_request", 8: "encrypted_extensions",
    11: "certificate", 12: "server_key_exchange", 13: "certificate_request",
    14: "server_hello_done", 15: "certificate_verify", 16: "client_key_exchange",
    20: "finished", 21: "certificate_url", 22: "certificate_status", 23: "supplemental_data",
    24: "key_update", 25: "compressed_certificate", 254: "message_hash",
}
CT_TYPES = {20: "change_cipher_spec", 21: "alert", 22: "handshake", 23: "application_data",
            24: "heartbeat"}
# ServerHello.random of a TLS 1.3 HelloRetryRequest (RFC 8446 4.1.3)
HRR_RANDOM = "cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c"

FIELDS = ["frame.number", "tcp.stream", "ip.src", "ipv6.src", "tcp.srcport", "ip.dst",
          "ipv6.dst", "tcp.dstport", "tcp.flags.syn", "tcp.flags.ack", "tcp.flags.fin",
          "tcp.flags.reset", "tcp.seq_raw", "tcp.len", "tcp.payload"]


def tshark(args):
    cmd = ["tshark", "-n", "-2"] + args
    p = subprocess.run(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, check=False)
    if p.returncode != 0:
        sys.exit("tshark failed (%d): %s\n%s" % (p.returncode, " ".join(cmd),
                                                 p.stderr.decode(errors="replace")))
    return p.stdout.decode("utf-8", errors="replace")


def endpoint(ip, port):
    return ("[%s]:%s" % (ip, port)) if ":" in ip else ("%s:%s" % (ip, port))


def flag(v):
    return v in ("1", "True", "true")


def union_size_and_holes(intervals, syn, fin_off):
    """intervals: (start, end) offsets from ISN+1 (or from the lowest seen); returns (bytes, holes)."""
    ivs = sorted(i for i in intervals if i[1] > i[0])
    merged = []
    for s, e in ivs:
        if merged and s <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], e)
        else:
            merged.append([s, e])
    size = sum(e - s for s, e in merged)
    holes = max(len(merged) - 1, 0)
    if merged:
        if syn and merged[0][0] > 0:
            holes += 1
        if fin_off is not None and fin_off > merged[-1][1]:
            holes += 1
    elif fin_off is not None and syn and fin_off > 0:
        holes += 1
    return size, holes


def signed32(x):
    x &= 0xFFFFFFFF
    return x - (1 << 32) if x >= (1 << 31) else x


def tcp_view(rows):
    streams = {}
    for r in rows:
        if r["stream"] is None:
            continue
        streams.setdefault(r["stream"], []).append(r)
    out = []
    tls_streams = {}
    for sid in sorted(streams):
        pk = streams[sid]
        client = None
        for r in pk:
            if r["syn"] and not r["ack"]:
                client = r["src"]
                break
        if client is None:
            for r in pk:
                if r["payload"].startswith("1603") and r["payload"][10:12] == "01":
                    client = r["src"]
                    break
        if client is None:
            a, b = pk[0]["src"], pk[0]["dst"]
            client = a if int(a[1]) >= int(b[1]) else b
        server = pk[0]["dst"] if pk[0]["src"] == client else pk[0]["src"]
        nbytes = {}
        gaps = 0
        for direction in (client, server):
            dpk = [r for r in pk if r["src"] == direction]
            syns = [r for r in dpk if r["syn"]]
            syn = bool(syns)
            if syn:
                base = (syns[0]["seq"] + 1) & 0xFFFFFFFF
            else:
                data = [r for r in dpk if r["len"] > 0 or r["fin"]]
                base = data[0]["seq"] if data else 0
            ivs = []
            fin_off = None
            for r in dpk:
                if r["seq"] is None:
                    continue
                off = signed32(r["seq"] - base)
                if r["len"] > 0:
                    ivs.append((off, off + r["len"]))
                if r["fin"]:
                    f = off + r["len"]
                    fin_off = f if fin_off is None else max(fin_off, f)
            if not syn and ivs:
                low = min(s for s, _ in ivs)
                ivs = [(s - low, e - low) for s, e in ivs]
                if fin_off is not None:
                    fin_off -= low
            size, holes = union_size_and_holes(ivs, syn, fin_off)
            nbytes[direction] = size
            gaps += holes
        end = "rst" if any(r["rst"] for r in pk) else ("fin" if any(r["fin"] for r in pk) else "open")
        out.append({
            "stream": sid,
            "client": endpoint(*client),
            "server": endpoint(*server),
            "first_frame": pk[0]["frame"],
            "last_frame": pk[-1]["frame"],
            "packets": len(pk),
            "client_bytes": nbytes[client],
            "server_bytes": nbytes[server],
            "gaps": gaps,
            "end": end,
        })
        first_payload = next((r["payload"] for r in pk if r["payload"]), "")
        if first_payload.startswith("1603"):
            tls_streams[sid] = server
    return out, streams, tls_streams


def pairs_hook(pairs):
    return pairs


def get(pairs, key, default=None):
    for k, v in pairs:
        if k == key:
            return v
    return default


def is_obj(v):
    return isinstance(v, list) and (not v or isinstance(v[0], tuple))


def tls_messages(tls_layer):
    """Yield message dicts (without frame/from) for one "tls" layer, in order."""
    for key, rec in tls_layer:
        if key != "tls.record" or not is_obj(rec):
            continue
        ct = get(rec, "tls.record.content_type")
        if ct is None:
            ct = get(rec, "tls.record.opaque_type")
        if ct is None:
            continue
        ct = int(ct)
        if ct == 22:
            reassembled_elsewhere = get(rec, "tls.handshake.reassembled_in") is not None
            found = False
            for k, hs in rec:
                if k != "tls.handshake":
                    continue
                if is_obj(hs):
                    t = get(hs, "tls.handshake.type")
                    if t is None:
                        continue
                    t = int(t)
                    name = HS_TYPES.get(t, "handshake_%d" % t)
                    if t == 2:
                        rnd = (get(hs, "tls.handshake.random") or "").replace(":", "").lower()
                        if rnd == HRR_RANDOM:
                            name = "hello_retry_request"
                    m = {"type": name}
                    if t == 1:
                        ja3 = get(hs, "tls.handshake.ja3")
                        ja3f = get(hs, "tls.handshake.ja3_full")
                        if ja3 is not None:
                            m["ja3"] = ja3
                        if ja3f is not None:
                            m["ja3_full"] = ja3f
                        ja4 = get(hs, "tls.handshake.ja4")
                        if ja4 is not None:
                            m["ja4"] = ja4
                    found = True
                    yield m
            if not found and not reassembled_elsewhere and get(rec, "tls.handshake.fragments") is None:
                yield {"type": "encrypted"}
        elif ct == 21:
            am = get(rec, "tls.alert_message")
            m = {"type": "alert"}
            if is_obj(am) and get(am, "tls.alert_message.level") is not None:
                m["alert"] = {"level": int(get(am, "tls.alert_message.level")),
                              "description": int(get(am, "tls.alert_message.desc"))}
            yield m
        else:
            yield {"type": CT_TYPES.get(ct, "content_type_%d" % ct)}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("capture")
    ap.add_argument("--keylog")
    ap.add_argument("--out")
    ap.add_argument("--decode-as", action="append", default=[],
                    help="extra tshark -d rule for the JSON pass, e.g. tcp.port==2525,smtp "
                         "(TLS that starts mid-stream after STARTTLS)")
    a = ap.parse_args()
    opts = ["-r", a.capture]
    if a.keylog:
        opts += ["-o", "tls.keylog_file:" + os.path.abspath(a.keylog)]

    rows = []
    txt = tshark(opts + ["-T", "fields", "-E", "separator=\t", "-E", "occurrence=f"]
                 + sum((["-e", f] for f in FIELDS), []))
    for line in txt.splitlines():
        c = line.split("\t")
        c += [""] * (len(FIELDS) - len(c))
        d = dict(zip(FIELDS, c))
        src_ip = d["ip.src"] or d["ipv6.src"]
        dst_ip = d["ip.dst"] or d["ipv6.dst"]
        rows.append({
            "frame": int(d["frame.number"]),
            "stream": int(d["tcp.stream"]) if d["tcp.stream"] else None,
            "src": (src_ip, d["tcp.srcport"]),
            "dst": (dst_ip, d["tcp.dstport"]),
            "syn": flag(d["tcp.flags.syn"]), "ack": flag(d["tcp.flags.ack"]),
            "fin": flag(d["tcp.flags.fin"]), "rst": flag(d["tcp.flags.reset"]),
            "seq": int(d["tcp.seq_raw"]) if d["tcp.seq_raw"] else None,
            "len": int(d["tcp.len"]) if d["tcp.len"] else 0,
            "payload": d["tcp.payload"].replace(":", "")[:16].lower(),
        })
    tcp, streams, tls_streams = tcp_view(rows)
    client_of = {t["stream"]: t["client"] for t in tcp}
    src_of = {r["frame"]: endpoint(*r["src"]) for r in rows if r["stream"] is not None}
    stream_of = {r["frame"]: r["stream"] for r in rows}

    # Make sure TLS on any port is dissected as TLS (tshark only guesses for unknown ports).
    decode_as = sum((["-d", d] for d in a.decode_as), [])
    for sid, server in sorted(tls_streams.items()):
        arg = "tcp.port==%s,tls" % server[1]
        if arg not in decode_as:
            decode_as += ["-d", arg]
    raw = tshark(opts + decode_as + ["-T", "json", "-J", "frame tcp tls"])
    packets = json.loads(raw, object_pairs_hook=pairs_hook) if raw.strip() else []
    tls = {}
    for p in packets:
        layers = get(get(p, "_source"), "layers")
        frame = int(get(get(layers, "frame"), "frame.number"))
        sid = stream_of.get(frame)
        if sid is None:
            continue
        sender = "client" if src_of.get(frame) == client_of[sid] else "server"
        for k, v in layers:
            if k != "tls" or not is_obj(v):
                continue
            for m in tls_messages(v):
                entry = {"frame": frame, "from": sender}
                entry.update(m)
                tls.setdefault(sid, []).append(entry)

    doc = {
        "file": os.path.basename(a.capture),
        "frames": len(rows),
        "tcp": tcp,
        "tls": [{"stream": sid, "messages": tls[sid]} for sid in sorted(tls)],
    }
    text = json.dumps(doc, indent=1) + "\n"
    if a.out:
        with open(a.out, "w") as f:
            f.write(text)
    else:
        sys.stdout.write(text)


if __name__ == "__main__":
    main()
