"""examples/spark_fleet.py in Spark local mode, its counts against the CLI's JSON Lines.

Runs when pyspark is installed; TLSTRACE_SPARK=0 skips it,
TLSTRACE_SPARK_CAPTURES sets how many captures (default 20).
"""

import collections
import json
import os
import pathlib
import shutil
import subprocess
import sys

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]

pytest.importorskip("pyspark")
if os.environ.get("TLSTRACE_SPARK", "1") == "0":
    pytest.skip("TLSTRACE_SPARK=0", allow_module_level=True)


def test_spark_fleet_counts_equal_the_cli(captures, cli, tmp_path):
    n = int(os.environ.get("TLSTRACE_SPARK_CAPTURES", "20"))
    # Every 10th capture of the corpus (the .gz, pcapng and failure kinds mixed in), in a nested folder.
    all_captures = sorted(p for p in captures.iterdir() if p.name.endswith((".pcap", ".pcapng", ".pcap.gz")))
    chosen = all_captures[:: max(1, len(all_captures) // n)][:n]
    fleet = tmp_path / "fleet"
    for i, p in enumerate(chosen):
        d = fleet / f"host{i % 3}"
        d.mkdir(parents=True, exist_ok=True)
        shutil.copy(p, d / p.name)
    (fleet / "host0" / "notes.txt").write_text("not a capture")

    out = subprocess.run(
        [cli, "explain", str(fleet), "--format", "jsonl"], capture_output=True, text=True, check=False
    )
    assert out.returncode in (0, 1), out.stderr
    lines = [json.loads(line) for line in out.stdout.splitlines() if line.strip()]
    want_outcome = collections.Counter(c["client_auth"]["outcome"] for c in lines)
    failed = [c for c in lines if c["client_auth"]["outcome"] == "failed"]
    want_cause = collections.Counter(c["findings"][0]["code"] if c["findings"] else "-" for c in failed)
    want_client = collections.Counter(
        c["client_chain"][0]["subject"]
        if c["client_chain"]
        else "(encrypted: give the key log)"
        if c["client_auth"]["certificate_sent"]
        else "(no certificate)"
        for c in failed
    )
    assert failed, "the sample should hold failures"

    summary = tmp_path / "summary.json"
    parquet = tmp_path / "fleet.parquet"
    env = dict(os.environ, PYSPARK_PYTHON=sys.executable, PYSPARK_DRIVER_PYTHON=sys.executable)
    run = subprocess.run(
        [
            sys.executable,
            str(ROOT / "examples" / "spark_fleet.py"),
            str(fleet),
            str(parquet),
            "--master",
            "local[2]",
            "--summary-json",
            str(summary),
        ],
        capture_output=True,
        text=True,
        env=env,
        timeout=600,
        check=False,
    )
    assert run.returncode == 0, run.stderr[-4000:]
    assert "Failures by decisive cause:" in run.stdout
    got = json.loads(summary.read_text())
    assert got["connections"] == len(lines)
    assert got["by_outcome"] == dict(want_outcome)
    assert got["failures_by_cause"] == dict(want_cause)
    assert got["failures_by_client"] == dict(want_client)
    assert got["unreadable"] == []
    # The Parquet files carry the stable columns, one row per connection.
    from pyspark.sql import SparkSession

    spark = SparkSession.builder.master("local[1]").appName("check").getOrCreate()
    try:
        df = spark.read.parquet(str(parquet))
        assert df.columns == [
            "capture", "connection", "client", "server", "sni", "version", "outcome", "certificate_sent",
            "decisive_code", "client_subject", "client_issuer", "time", "error",
        ]
        assert df.count() == len(lines)
        assert df.filter("time is null").count() == 0
    finally:
        spark.stop()
