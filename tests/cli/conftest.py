"""Running the command line as a teacher does: ``python -m explorer ...`` in a fresh process."""

from __future__ import annotations

import os
import subprocess
import sys

from explorer.images import SAMPLES_DIR
from tests.conftest import ROOT

CHELSEA = str(SAMPLES_DIR / "chelsea.png")
COFFEE = str(SAMPLES_DIR / "coffee.png")


def explorer(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run ``python -m explorer ARGS`` from the repository root (with ``env`` added to the environment)."""
    return subprocess.run(
        [sys.executable, "-m", "explorer", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        env={**os.environ, **(env or {})},
    )
