"""The project promises made in the README stay true: pins, the two commands, samples and pages."""

from __future__ import annotations

import re

from explorer.images import SAMPLES
from tests.conftest import ROOT


def command_after(marker: str) -> str:
    lines = (ROOT / "README.md").read_text().splitlines()
    return lines[lines.index(f"<!-- {marker} -->") + 2]


def test_requirements_pin_torch_and_torchvision():
    pins = (ROOT / "requirements.txt").read_text().splitlines()
    assert "torch==2.14.1" in pins and "torchvision==0.29.1" in pins


def test_readme_run_command_installs_then_runs_the_app():
    command = command_after("run-command")
    assert "pip install -r requirements.txt" in command and command.endswith("streamlit run app.py")


def test_ci_runs_the_readme_test_command():
    ci = (ROOT / ".ci" / "run").read_text()
    assert "<!-- test-command -->" in ci and 'bash -c "$test_command"' in ci
    assert "requirements-dev.txt" in command_after("test-command") and "pytest" in command_after("test-command")


def test_every_sample_has_a_source_and_licence():
    sources = (ROOT / "assets" / "samples" / "SOURCES.md").read_text()
    for file in SAMPLES.values():
        row = next(line for line in sources.splitlines() if f"`{file}`" in line)
        assert re.search(r"\| (CC0|public domain) \|$", row), row


def test_every_routed_page_exists():
    pages = re.findall(r'st\.Page\("([^"]+)"', (ROOT / "app.py").read_text())
    assert len(pages) == 6 and all((ROOT / page).is_file() for page in pages)
