"""The hosted demo deploys as it is: its entry point runs the same app, its dependency file is the root one
with CPU-only PyTorch, the config suits a public demo, and the default network loads once per process."""

from __future__ import annotations

import subprocess
import sys
import tomllib

import pytest
from streamlit.testing.v1 import AppTest

from explorer.cam.kinds import imagenet_names
from explorer.models import DEFAULT_MODEL
from tests.app.conftest import open_page
from tests.conftest import ROOT
from ui import models as ui_models

DEPLOY = ROOT / "deploy"


def requirement_lines(path) -> list[str]:
    return [line for line in path.read_text().splitlines() if line and not line.startswith(("#", "-"))]


def test_the_deploy_entry_point_runs_the_same_pages():
    at = AppTest.from_file(str(DEPLOY / "streamlit_app.py"), default_timeout=180).run()
    assert not at.exception and at.title[0].value == "CNN Explorer"
    at.switch_page("../views/feature_maps.py").run()
    assert not at.exception and not at.error
    assert at.title[0].value == "Feature maps"
    assert len(at.get("plotly_chart")) == 2


def test_the_deploy_requirements_are_the_root_ones_with_cpu_only_torch():
    root = requirement_lines(ROOT / "requirements.txt")
    hosted = requirement_lines(DEPLOY / "requirements.txt")
    cpu = {line.split("==")[0]: line for line in hosted if "+cpu" in line}
    assert sorted(cpu) == ["torch", "torchvision"]
    assert [cpu.get(line.split("==")[0], line) for line in root] == hosted
    assert all(cpu[name] == f"{line}+cpu" for line in root if (name := line.split("==")[0]) in cpu)
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in (DEPLOY / "requirements.txt").read_text()


def test_the_config_suits_a_public_demo():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    server = config["server"]
    assert server["maxUploadSize"] == 50 and 0 < server["maxMessageSize"] < 200
    assert server["runOnSave"] is False and server["fileWatcherType"] == "none"
    assert config["browser"]["gatherUsageStats"] is False
    assert config["client"]["toolbarMode"] not in {"minimal", "developer"}  # running indicator and Stop shown


def test_the_default_network_and_imagenet_names_load_once_per_process(monkeypatch):
    loads: list[str] = []
    real_load = ui_models.load_model

    def counting(name: str, **kwargs: object):
        loads.append(name)
        return real_load(name, **kwargs)

    monkeypatch.setattr(ui_models, "load_model", counting)
    ui_models._shared_model.clear()
    names_before = imagenet_names.cache_info().misses
    for page in ("views/feature_maps.py", "views/grad_cam.py", "views/filters.py"):
        for _session in range(2):
            assert not open_page(page).exception
    assert loads == [DEFAULT_MODEL]
    assert imagenet_names.cache_info().misses - names_before <= 1


WITHOUT_TORCHVISION = """
import importlib, pkgutil, sys
import explorer, ui
for package in (explorer, ui):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith(".__main__"):
            importlib.import_module(module.name)
from streamlit.testing.v1 import AppTest
from tests.conftest import ROUTED_PAGES
at = AppTest.from_file("app.py", default_timeout=300).run()
for page in ROUTED_PAGES:
    at.switch_page(page).run()
    assert not at.exception, (page, at.exception)
print(sorted(name for name in ("torchvision", "torch._dynamo", "sympy", "triton") if name in sys.modules))
"""


def test_the_app_on_its_default_network_never_imports_torchvision():
    """torchvision's import pulls in torch._dynamo, sympy and triton: about 165 MB of every server's memory
    (measured with the CUDA build), which a 1 GB host cannot spare. Every module of the app and every page
    on the default network must run without it."""
    done = subprocess.run(
        [sys.executable, "-c", WITHOUT_TORCHVISION], cwd=ROOT, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert done.stdout.strip().splitlines()[-1] == "[]"


@pytest.fixture(autouse=True)
def _default_network_back():
    """Leave a loaded default network behind for the tests that hook it."""
    yield
    ui_models.cached_model(DEFAULT_MODEL)
