"""Shared fixtures. Tests that need ../shared/data or the model files skip with a reason when
they are absent on a user's machine; in CI (CI=true) a missing prerequisite is a failure."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SHARED = ROOT.parent / "shared" / "data"
IN_CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")


def require(condition: bool, reason: str) -> None:
    if condition:
        return
    if IN_CI:
        pytest.fail(f"CI must run every test, but: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def shared() -> Path:
    require(SHARED.is_dir(), f"real test data not found at {SHARED} (the ../shared checkout)")
    return SHARED


@pytest.fixture(scope="session")
def blazepose_models() -> None:
    from reptrack.pose import models

    missing = [
        m.name
        for m in models.load_manifest()
        if m.name in ("detector", "full") and models.status(m) != "ok"
    ]
    require(
        not missing,
        f"model files {missing} not fetched (run `make test` or `reptrack models fetch`)",
    )


@pytest.fixture
def tmp_home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Point reptrack's data and config directories at a temporary folder."""
    monkeypatch.setenv("REPTRACK_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("REPTRACK_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.delenv("REPTRACK_DB", raising=False)
    return tmp_path
