"""``python -m explorer features``: a PNG grid of one layer's channels; a bad layer is one line, exit 2."""

from __future__ import annotations

import numpy as np
from PIL import Image

from tests.cli.conftest import CHELSEA, explorer


def test_features_writes_a_grid_of_the_layer_channels(tmp_path):
    out = tmp_path / "grid.png"
    result = explorer("features", CHELSEA, "--layer", "_blocks.0", "--out", str(out))
    assert result.returncode == 0, result.stderr
    assert "_blocks.0: 16 channels of 112x169" in result.stdout
    grid = np.asarray(Image.open(out).convert("RGB"))
    # 16 channels in 8 columns: 2 rows of tiles, each tile a 169-wide map (no upscaling needed), 4 px gaps
    assert grid.shape == (2 * (112 + 4) + 4, 8 * (169 + 4) + 4, 3)
    assert len(np.unique(grid.reshape(-1, 3), axis=0)) > 50  # real pictures, not blank tiles


def test_features_list_prints_every_layer_with_shape(tmp_path):
    result = explorer("features", CHELSEA, "--list")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split()[0] == "_conv_stem" and "32x112x169" in lines[0]
    assert any(line.startswith("_avg_pooling") for line in lines)


def test_bad_layer_name_is_one_line_and_exit_2(tmp_path):
    out = tmp_path / "grid.png"
    result = explorer("features", CHELSEA, "--layer", "_blocks.99", "--out", str(out))
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "'_blocks.99'" in result.stderr and "--list" in result.stderr
    assert "Traceback" not in result.stderr and not out.exists()


def test_missing_image_is_one_line_and_exit_2(tmp_path):
    result = explorer("features", str(tmp_path / "nope.png"), "--layer", "_blocks.0")
    assert result.returncode == 2 and result.stderr.startswith("error: There is no file")
