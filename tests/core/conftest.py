"""Fixtures of the core tests."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def folder(app, tmp_path, monkeypatch) -> Path:
    folder = tmp_path / "uploads"
    monkeypatch.setitem(app.config, "UPLOAD_FOLDER", str(folder))
    return folder
