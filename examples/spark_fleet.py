#!/usr/bin/env python3
"""A fleet of captures on Spark: one Parquet row per TLS connection.

Reads every capture under INPUT (a folder, a glob, or an object-store
prefix such as s3a://bucket/captures/) with Spark's ``binaryFiles``, runs
``tlstrace.explain`` on each inside the executors, writes one Parquet row
per TLS connection to OUTPUT, and prints the failures by cause and by client
identity.

    spark-submit examples/spark_fleet.py captures/ /tmp/fleet.parquet \\
        [--keylog ALL.keys] [--ca ca.pem] [--limit N]

The executors need the ``tlstrace`` wheel installed (``pip install
tlstrace-*.whl`` on each node, or ``--archives`` a venv that holds it).
"""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any, Dict, Iterator, List, Optional, Tuple

# The Parquet columns, in order: stable across versions.
COLUMNS = [
    ("capture", "string"),
    ("connection", "long"),
    ("client", "string"),
    ("server", "string"),
    ("sni", "string"),
    ("version", "string"),
    ("outcome", "string"),
    ("certificate_sent", "boolean"),
    ("decisive_code", "string"),
    ("client_subject", "string"),
    ("client_issuer", "string"),
    ("time", "timestamp"),
    ("error", "string"),
]

CAPTURE_SUFFIXES = (".pcap", ".pcapng", ".cap", ".pcap.gz", ".pcapng.gz", ".cap.gz")


def rows_of_document(capture: str, doc: Dict[str, Any]) -> List[Tuple[Any, ...]]:
    """One row per connection of an explain document (see COLUMNS)."""
    import datetime

    rows = []
    for c in doc["connections"]:
        chain = c.get("client_chain") or []
        leaf = chain[0] if chain else {}
        findings = c.get("findings") or []
        first_seen = c.get("first_seen") or 0
        rows.append(
            (
                capture,
                c["id"],
                c["client"],
                c["server"],
                c.get("sni"),
                c.get("version"),
                c["client_auth"]["outcome"],
                c["client_auth"].get("certificate_sent"),
                findings[0]["code"] if findings else None,
                leaf.get("subject"),
                leaf.get("issuer"),
                datetime.datetime.fromtimestamp(first_seen, datetime.timezone.utc) if first_seen > 0 else None,
                doc["capture"].get("error"),
            )
        )
    return rows


def explain_file(
    item: Tuple[str, bytes], keylog: Optional[bytes], ca: Optional[bytes]
) -> Iterator[Tuple[Any, ...]]:
    """Runs in an executor: the rows of one capture (an `unreadable` row if it cannot be read)."""
    import tlstrace

    path, data = item
    try:
        doc = tlstrace.explain(data, keylog=keylog, ca=ca, name=path)
    except tlstrace.TlstraceError as e:
        yield (path, None, None, None, None, None, "unreadable", None, None, None, None, None, str(e))
        return
    yield from rows_of_document(path, doc)


def main(argv: Optional[List[str]] = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("input", help="folder, glob or object-store prefix of captures")
    ap.add_argument("output", help="Parquet output directory (overwritten)")
    ap.add_argument("--keylog", help="an NSS key log for all captures (read on the driver)")
    ap.add_argument("--ca", help="PEM trust store for client certificates (read on the driver)")
    ap.add_argument("--limit", type=int, help="at most this many captures (sorted by path)")
    ap.add_argument("--partitions", type=int, default=None, help="minimum input partitions")
    ap.add_argument("--master", default=None, help="e.g. local[2] (default: spark-submit's)")
    ap.add_argument("--summary-json", help="also write the counts as JSON to this file")
    args = ap.parse_args(argv)

    from pyspark.sql import SparkSession, functions as F

    builder = SparkSession.builder.appName("tlstrace-fleet").config("spark.sql.session.timeZone", "UTC")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    sc = spark.sparkContext
    # Folders are walked recursively.
    sc._jsc.hadoopConfiguration().set("mapreduce.input.fileinputformat.input.dir.recursive", "true")

    def read(path: Optional[str]) -> Optional[bytes]:
        if path is None:
            return None
        # binaryFiles reads local paths and object stores alike.
        return sc.binaryFiles(path).first()[1]

    keylog = sc.broadcast(read(args.keylog))
    ca = sc.broadcast(read(args.ca))

    files = sc.binaryFiles(args.input, minPartitions=args.partitions).filter(
        lambda kv: kv[0].lower().endswith(CAPTURE_SUFFIXES)
    )
    if args.limit is not None:
        keep = set(sorted(files.keys().collect())[: args.limit])
        files = files.filter(lambda kv: kv[0] in keep)
    rows = files.flatMap(lambda kv: explain_file(kv, keylog.value, ca.value))
    schema = ", ".join(f"{name} {kind}" for name, kind in COLUMNS)
    df = spark.createDataFrame(rows, schema=schema).cache()
    df.write.mode("overwrite").parquet(args.output)

    conns = df.filter(F.col("outcome") != "unreadable")
    failed = conns.filter(F.col("outcome") == "failed")
    by_outcome = {r["outcome"]: r["count"] for r in conns.groupBy("outcome").count().collect()}
    by_cause = [
        (r["decisive_code"] or "-", r["count"])
        for r in failed.groupBy("decisive_code").count().orderBy(F.desc("count"), "decisive_code").collect()
    ]
    # A certificate sent but not seen: TLS 1.3 without the key log.
    who = F.coalesce(
        F.col("client_subject"),
        F.when(F.col("certificate_sent"), F.lit("(encrypted: give the key log)")).otherwise(F.lit("(no certificate)")),
    )
    by_client = [
        (r["who"], r["count"], r["first"], r["last"])
        for r in failed.groupBy(who.alias("who"))
        .agg(F.count("*").alias("count"), F.min("time").alias("first"), F.max("time").alias("last"))
        .orderBy(F.desc("count"), "who")
        .collect()
    ]
    unreadable = [(r["capture"], r["error"]) for r in df.filter(F.col("outcome") == "unreadable").collect()]
    total = conns.count()

    print(f"{total} TLS connection(s) in {df.select('capture').distinct().count()} capture(s) -> {args.output}")
    print("By outcome: " + ", ".join(f"{k} {v}" for k, v in sorted(by_outcome.items())))
    print("Failures by decisive cause:")
    for cause, n in by_cause:
        print(f"  {n:>7}  {cause}")
    print("Failures by client identity:")
    for name, n, first, last in by_client[:20]:
        span = f"{first:%Y-%m-%dT%H:%M:%SZ} .. {last:%Y-%m-%dT%H:%M:%SZ}" if first and last else "-"
        print(f"  {n:>7}  {name}  ({span})")
    for path, err in unreadable:
        print(f"Unreadable: {path}: {err}")
    if args.summary_json:
        with open(args.summary_json, "w") as f:
            json.dump(
                {
                    "connections": total,
                    "by_outcome": by_outcome,
                    "failures_by_cause": dict(by_cause),
                    "failures_by_client": {name: n for name, n, _, _ in by_client},
                    "unreadable": [p for p, _ in unreadable],
                },
                f,
                indent=2,
            )
    spark.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
