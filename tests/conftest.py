"""Fixtures shared by every test: the bundled sample photos, read from assets/ (no downloads)."""

from __future__ import annotations

from pathlib import Path

import pytest

from explorer.images import SAMPLES, SAMPLES_DIR, LoadedImage, load_sample

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"


@pytest.fixture(scope="session")
def sample_bytes() -> dict[str, bytes]:
    """Raw bytes of each bundled sample photo, by short name."""
    return {name: (SAMPLES_DIR / file).read_bytes() for name, file in SAMPLES.items()}


@pytest.fixture(scope="session")
def chelsea() -> LoadedImage:
    """The cat photo, loaded as the app loads it."""
    return load_sample("chelsea")


@pytest.fixture(scope="session")
def coffee() -> LoadedImage:
    """The espresso photo, loaded as the app loads it."""
    return load_sample("coffee")


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    """Where tests leave screenshots and other things a person may want to look at (git-ignored)."""
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
