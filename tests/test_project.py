"""The project promises made in the README stay true: pins, the two commands, samples and pages."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import zipfile

from explorer.images import SAMPLES
from tests.conftest import ROOT, ROUTED_PAGES


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
    pages = ROUTED_PAGES
    assert len(pages) == 9 and all((ROOT / page).is_file() for page in pages)


def test_listing_kernels_on_the_command_line_imports_neither_torch_nor_torchvision():
    code = (
        "import sys, contextlib, io\n"
        "from explorer.cli import main\n"
        "with contextlib.redirect_stdout(io.StringIO()): code = main(['kernels'])\n"
        "print(code, 'torch' in sys.modules, 'torchvision' in sys.modules)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.stdout.split() == ["0", "False", "False"], done.stderr


def test_the_package_builds_a_wheel_with_every_subpackage_and_the_cnn_explorer_command(tmp_path):
    source = tmp_path / "source"  # a copy, so the build leaves nothing in the working tree
    shutil.copytree(ROOT / "explorer", source / "explorer", ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md", "requirements.txt"):
        shutil.copy(ROOT / name, source / name)
    done = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q", "-w", str(tmp_path), "."],
        cwd=source,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    (wheel,) = tmp_path.glob("cnn_explorer-*.whl")
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
        entry_points = next(archive.read(n).decode() for n in names if n.endswith("entry_points.txt"))
    for package in ("kernels", "models", "network", "cam", "cli", "handout", "quiz"):
        assert f"explorer/{package}/__init__.py" in names
    assert "cnn-explorer = explorer.cli:main" in entry_points
