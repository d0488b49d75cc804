"""The kernel commands as a user runs them: `python -m explorer kernels` and `python -m explorer kernel ...`."""

import numpy as np
import pytest
from PIL import Image

from explorer.kernels.presets import PRESETS
from tests.cli.conftest import CHELSEA, explorer
from tests.conftest import ROOT


def test_kernels_lists_every_preset_with_its_explanation():
    done = explorer("kernels")
    assert done.returncode == 0
    lines = done.stdout.strip().splitlines()
    assert [line.split()[0] for line in lines] == list(PRESETS)
    assert all(kernel.explanation in line for kernel, line in zip(PRESETS.values(), lines))


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
        ([CHELSEA, "--custom", "1 0; 0 1"], "odd size"),
        ([CHELSEA, "--custom", "1 0 -1; 2 0 -2; 1 0 -1", "--normalise"], "add up to 0"),
        ([CHELSEA], "exactly one of --kernel"),
        ([CHELSEA, "--kernel", "sobel", "--padding", "lots"], "--padding must be"),
        ([CHELSEA, "--kernel", "sobel", "--stride", "0"], "stride"),
    ],
)
def test_bad_input_prints_one_line_and_exits_2(tmp_path, args, message):
    done = explorer("kernel", *args, "--out", str(tmp_path / "out.npy"))
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1 and "Traceback" not in done.stderr
    assert message in done.stderr


def test_unknown_output_type_is_refused(tmp_path):
    done = explorer("kernel", CHELSEA, "--kernel", "sobel", "--out", str(tmp_path / "out.jpg"))
    assert done.returncode == 2 and ".png" in done.stderr and len(done.stderr.strip().splitlines()) == 1
