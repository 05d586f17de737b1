import os
import pathlib
import shutil

import pytest

ROOT = pathlib.Path(__file__).resolve().parents[2]
CAPTURES = ROOT / "captures"


@pytest.fixture
def captures() -> pathlib.Path:
    return CAPTURES


@pytest.fixture
def cli() -> str:
    """The tlstrace binary (TLSTRACE_BIN, else the release build, else PATH)."""
    target = pathlib.Path(os.environ.get("CARGO_TARGET_DIR", ROOT / "target"))
    for candidate in (os.environ.get("TLSTRACE_BIN"), target / "release" / "tlstrace", shutil.which("tlstrace")):
        if candidate and pathlib.Path(candidate).exists():
            return str(candidate)
    pytest.skip("no tlstrace binary (set TLSTRACE_BIN)")
