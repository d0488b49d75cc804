"""Fixtures shared by every test: the bundled sample photos (read from assets/, no downloads) and the
networks, each loaded once per test run (session scope) and shared read-only, as the app shares them."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import torch

from explorer.images import SAMPLES, SAMPLES_DIR, LoadedImage, load_sample
from explorer.models import LoadedModel, load_model

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts"
ROUTED_PAGES = [f"views/{name}" for name in re.findall(r'st\.Page\(VIEWS / "([^"]+)"', (ROOT / "app.py").read_text())]
"""Every page app.py routes to, as AppTest's ``switch_page`` names it (``views/home.py`` ...)."""


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


@pytest.fixture(scope="session")
def lite0() -> LoadedModel:
    """The default model with its bundled ImageNet weights, loaded once per test run (never modify it)."""
    return load_model()


@pytest.fixture(scope="session")
def lite0_random() -> LoadedModel:
    """The default architecture with random weights (the sanity check's network), loaded once per run."""
    torch.manual_seed(0)
    return load_model(pretrained=False)


@pytest.fixture(scope="session")
def resnet18_random() -> LoadedModel:
    """ResNet-18 with seeded random weights (no download), loaded once per run (never modify it)."""
    torch.manual_seed(0)
    return load_model("resnet18", pretrained=False)
