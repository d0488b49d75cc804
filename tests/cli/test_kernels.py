"""The kernel commands as a user runs them: `python -m explorer kernels` and `python -m explorer kernel ...`."""

import cv2
import numpy as np
import pytest
import torch
import torch.nn.functional as F
from PIL import Image

from explorer.cli import main
from explorer.images import load_path
from explorer.kernels.colour import COLOUR_PRESETS
from explorer.kernels.parsing import RANGE
from explorer.kernels.presets import PRESETS
from tests.cli.conftest import CHELSEA, explorer
from tests.conftest import ROOT


def test_kernels_lists_every_2d_then_every_3d_preset_with_its_size_and_explanation():
    done = explorer("kernels")
    assert done.returncode == 0
    flat, volumes = done.stdout.strip().split("\n\n")
    lines = flat.splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert all(kernel.explanation in line for kernel, line in zip(PRESETS.values(), lines))
    assert "motion_blur         1x5  " in flat
    rows = volumes.splitlines()[1:]
    assert [line.split()[0] for line in rows] == list(COLOUR_PRESETS)
    assert "sobel_red_only      3x3x3  " in volumes


def test_sobel_x_on_the_default_settings_equals_cv2_sobel(tmp_path):
    out = tmp_path / "gx.npy"
    done = explorer("kernel", CHELSEA, "--kernel", "sobel_x", "--out", str(out))
    assert done.returncode == 0, done.stderr
    photo = load_path(CHELSEA).to_array().astype(np.float64)
    expected = cv2.Sobel(photo, cv2.CV_64F, 1, 0, ksize=3, borderType=cv2.BORDER_CONSTANT)
    assert np.abs(np.load(out) - expected).max() < 1e-3


def test_a_3d_filter_typed_with_bars_and_a_bias_is_one_conv2d_output_channel(tmp_path):
    out = tmp_path / "map.npy"
    done = explorer("kernel", CHELSEA, "--custom", "1 0 -1 | 0 1/2 0 | -1 -1 -1", "--bias", "-7.5", "--out", str(out))
    assert done.returncode == 0, done.stderr
    photo = torch.tensor(load_path(CHELSEA).to_array(), dtype=torch.float64).permute(2, 0, 1)[None]
    weight = torch.tensor([[[[1, 0, -1]], [[0, 0.5, 0]], [[-1, -1, -1]]]], dtype=torch.float64)
    expected = F.conv2d(photo, weight, torch.tensor([-7.5], dtype=torch.float64), padding="same")[0, 0].numpy()
    values = np.load(out)
    assert values.shape == (300, 451, 1) and np.abs(values[:, :, 0] - expected).max() < 1e-3
    assert "custom_3d: 300x451x1 output" in done.stdout


def test_a_3d_preset_picks_the_rgb_sum_mode_by_itself(tmp_path):
    out = tmp_path / "opponent.npy"
    done = explorer("kernel", CHELSEA, "--kernel", "red_minus_green", "--out", str(out))
    assert done.returncode == 0, done.stderr
    photo = load_path(CHELSEA).to_array().astype(np.float64)
    np.testing.assert_allclose(np.load(out)[:, :, 0], photo[:, :, 0] - photo[:, :, 1], atol=1e-3)


def test_an_even_non_square_kernel_states_its_uneven_padding(tmp_path):
    done = explorer("kernel", CHELSEA, "--custom", "-1 1", "--color", "gray", "--out", str(tmp_path / "d.npy"))
    assert done.returncode == 0, done.stderr
    assert "width: K_eff = D*(K_w-1)+1 = 1*(2-1)+1 = 2; P_left = 0, P_right = 1" in done.stdout
    assert "floor((451 - 2 + 0 + 1) / 1) + 1 = 451" in done.stdout
    assert np.load(tmp_path / "d.npy").shape == (300, 451, 1)


def test_npy_output_is_raw_float32_height_width_channels(tmp_path):
    out = tmp_path / "sobel.npy"
    done = explorer(
        "kernel",
        CHELSEA,
        "--kernel",
        "sobel_x",
        "--stride",
        "2",
        "--padding",
        "valid",
        "--dilation",
        "2",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    values = np.load(out)
    assert values.dtype == np.float32 and values.shape == ((300 - 5) // 2 + 1, (451 - 5) // 2 + 1, 3)
    assert values.min() < 0
    assert "floor((451 - 5 + 2*0) / 2) + 1 = 224" in done.stdout


def test_custom_kernel_in_grey_is_one_channel(tmp_path):
    out = tmp_path / "blur.npy"
    done = explorer(
        "kernel",
        CHELSEA,
        "--custom",
        "1 1 1; 1 1 1; 1 1 1",
        "--normalise",
        "--color",
        "gray",
        "--mode",
        "corr",
        "--out",
        str(out),
    )
    assert done.returncode == 0, done.stderr
    assert np.load(out).shape == (300, 451, 1)


def test_png_output_is_the_picture_as_displayed(tmp_path):
    out = tmp_path / "edges.png"
    done = explorer("kernel", CHELSEA, "--kernel", "laplacian_8", "--display", "diverging", "--out", str(out))
    assert done.returncode == 0, done.stderr
    picture = np.asarray(Image.open(out))
    assert picture.shape == (300, 451, 3) and picture.dtype == np.uint8
    assert abs(int(np.median(picture)) - 128) <= 10


@pytest.mark.parametrize(
    "args, message",
    [
        (["missing.png", "--kernel", "sobel"], "There is no file"),
        ([str(ROOT / "pyproject.toml"), "--kernel", "sobel"], "not an image"),
        ([CHELSEA, "--kernel", "blurry"], "no kernel called 'blurry'"),
        ([CHELSEA, "--custom", "1 0 -1; 2 zero -2"], "'zero' is not a number"),
        ([CHELSEA, "--custom", "1 " * 16], "from 1x1 to 15x15; it is 1x16"),
        ([CHELSEA, "--custom", "9" * 400 + "/1"], "is too large"),
        ([CHELSEA, "--custom", "1e38 1e38; 1e38 1e38"], "'1e38' is too large"),
        ([CHELSEA, "--custom", "1e300"], "'1e300' is too large"),
        ([CHELSEA, "--custom", "1 | 2"], "three kernels separated by '|'"),
        ([CHELSEA, "--custom", "1 | x | 3"], "In the green kernel: 'x' is not a number"),
        ([CHELSEA, "--kernel", "red_minus_green", "--color", "gray"], "use it with the colour mode rgb-sum"),
        ([CHELSEA, "--kernel", "sobel_x", "--color", "rgb-sum"], "needs a 3-D filter"),
        ([CHELSEA, "--kernel", "sobel_x", "--bias", "2"], "--bias only applies to a 3-D filter"),
        ([CHELSEA, "--kernel", "red_minus_green", "--bias", "1e300"], "--bias is too large"),
        ([CHELSEA, "--custom", "1 0 -1; 2 0 -2; 1 0 -1", "--normalise"], "add up to 0"),
        ([CHELSEA], "exactly one of --kernel"),
        ([CHELSEA, "--kernel", "sobel", "--padding", "lots"], "--padding must be"),
        ([CHELSEA, "--kernel", "sobel", "--stride", "0"], "stride"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path, capsys, args, message):
    # in this process (the same ``main`` that ``python -m explorer`` runs), so 19 cases do not start 19 Pythons
    assert main(["kernel", *args, "--out", str(tmp_path / "out.npy")]) == 2
    captured = capsys.readouterr()
    assert len(captured.err.strip().splitlines()) == 1 and "Traceback" not in captured.err
    assert message in captured.err and not (tmp_path / "out.npy").exists()


def test_an_enormous_kernel_number_exits_2_with_one_line_in_a_fresh_process(tmp_path):
    done = explorer("kernel", CHELSEA, "--custom", "9" * 400 + "/1", "--out", str(tmp_path / "out.npy"))
    assert done.returncode == 2 and "Traceback" not in done.stderr
    assert done.stderr.strip().splitlines() == [f"error: '{'9' * 47}…' is too large; {RANGE}."]


def test_unknown_output_type_is_refused(tmp_path):
    done = explorer("kernel", CHELSEA, "--kernel", "sobel", "--out", str(tmp_path / "out.jpg"))
    assert done.returncode == 2 and ".png" in done.stderr and len(done.stderr.strip().splitlines()) == 1
