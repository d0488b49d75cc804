"""Every awkward file a user can bring becomes an RGB image with a note, or one clear sentence."""

from __future__ import annotations

import io
import struct
import tomllib
import zlib

import numpy as np
import pytest
from PIL import Image

from explorer.errors import ExplorerError
from explorer.images import COMPUTE_MAX_SIDE, MAX_FILE_BYTES, MAX_FILE_MB, load_image, load_path, load_sample
from tests.conftest import ROOT
from tests.crafted_images import png_chunk


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def assert_refused(data: bytes, words: str) -> None:
    with pytest.raises(ExplorerError) as caught:
        load_image(data)
    message = str(caught.value)
    assert words in message
    assert "\n" not in message and "Traceback" not in message


def test_sample_photo_loads_unchanged(sample_bytes):
    loaded = load_image(sample_bytes["chelsea"])
    assert loaded.image.mode == "RGB" and loaded.size == (451, 300)
    assert loaded.notes == ()
    assert np.array_equal(loaded.to_array(), np.asarray(Image.open(io.BytesIO(sample_bytes["chelsea"]))))


def test_same_bytes_give_the_same_digest_and_different_bytes_do_not(sample_bytes):
    assert load_image(sample_bytes["coffee"]).digest == load_image(sample_bytes["coffee"]).digest
    assert load_image(sample_bytes["coffee"]).digest != load_image(sample_bytes["chelsea"]).digest


def test_exif_rotated_photo_is_turned_upright():
    wide = Image.new("RGB", (40, 20), "red")
    exif = wide.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to display"
    loaded = load_image(encode(wide, "JPEG", exif=exif.tobytes()))
    assert loaded.size == (20, 40)
    assert any("EXIF" in note for note in loaded.notes)


def test_cmyk_jpeg_becomes_rgb():
    loaded = load_image(encode(Image.new("CMYK", (16, 16), (0, 255, 255, 0)), "JPEG", quality=95))
    red, green, blue = loaded.to_array()[8, 8].astype(int)
    assert red > 200 and green < 60 and blue < 60
    assert any("CMYK" in note for note in loaded.notes)


def test_16_bit_greyscale_is_reduced_to_8_bits():
    values = np.array([[0, 65535], [257 * 100, 257 * 200]], dtype=np.uint16)
    loaded = load_image(encode(Image.fromarray(values), "PNG"))
    assert loaded.to_array()[:, :, 0].tolist() == [[0, 255], [100, 200]]
    assert any("16 to 8 bits" in note for note in loaded.notes)


def test_float_tiff_in_0_to_1_is_scaled_to_0_to_255():
    values = np.array([[0.0, 1.0], [0.5, 0.25]], dtype=np.float32)
    loaded = load_image(encode(Image.fromarray(values, mode="F"), "TIFF"))
    assert loaded.to_array()[:, :, 1].tolist() == [[0, 255], [128, 64]]
    assert any("floating-point" in note for note in loaded.notes)


def test_palette_image_becomes_rgb():
    palette = Image.new("RGB", (8, 8), (10, 200, 30)).convert("P", palette=Image.Palette.ADAPTIVE)
    loaded = load_image(encode(palette, "PNG"))
    assert tuple(loaded.to_array()[0, 0]) == (10, 200, 30)
    assert any("palette" in note for note in loaded.notes)


def test_one_bit_image_becomes_rgb():
    loaded = load_image(encode(Image.new("1", (9, 9), 1), "PNG"))
    assert tuple(loaded.to_array()[4, 4]) == (255, 255, 255)
    assert any("1-bit" in note for note in loaded.notes)


def test_transparent_pixels_are_composited_on_white_and_said_so():
    rgba = np.zeros((4, 4, 4), dtype=np.uint8)
    rgba[:2] = (0, 0, 255, 255)  # opaque blue on top, fully transparent black below
    loaded = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    assert tuple(loaded.to_array()[0, 0]) == (0, 0, 255)
    assert tuple(loaded.to_array()[3, 3]) == (255, 255, 255)
    assert any("Transparent areas" in note for note in loaded.notes)


def test_animated_gif_uses_the_first_frame():
    frames = [Image.new("RGB", (12, 12), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    loaded = load_image(data)
    assert tuple(loaded.to_array()[6, 6]) == (255, 0, 0)
    assert any("3 frames" in note for note in loaded.notes)


def test_one_pixel_image_is_accepted():
    loaded = load_image(encode(Image.new("RGB", (1, 1), (1, 2, 3)), "PNG"))
    assert loaded.size == (1, 1) and tuple(loaded.to_array()[0, 0]) == (1, 2, 3)


def test_extreme_aspect_ratio_is_accepted_with_a_note():
    loaded = load_image(encode(Image.new("RGB", (1800, 3), "white"), "PNG"))
    assert loaded.size == (1800, 3)
    assert any("aspect ratio 600:1" in note for note in loaded.notes)


def test_48_megapixel_photo_is_accepted_and_downscaled_with_a_note():
    photo = load_sample("rocket").image.resize((8000, 6000))
    loaded = load_image(encode(photo, "JPEG", quality=80))
    assert loaded.original_size == (8000, 6000)
    assert loaded.size == (COMPUTE_MAX_SIDE, 1536)
    assert any("downscaled to 2048x1536" in note for note in loaded.notes)


def test_decompression_bomb_is_refused_from_its_header():
    header = struct.pack(">IIBBBBB", 40_000, 40_000, 1, 0, 0, 0, 0)
    bomb = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
    bomb += png_chunk(b"IEND", b"")
    assert_refused(bomb, "100 megapixel limit")


def test_image_just_over_the_pixel_limit_is_refused_before_decoding():
    header = struct.pack(">IIBBBBB", 12_000, 9_000, 1, 0, 0, 0, 0)
    big = b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", header) + png_chunk(b"IDAT", zlib.compress(b"\0" * 64))
    assert_refused(big + png_chunk(b"IEND", b""), "12000x9000 (108 megapixels)")


def test_truncated_file_is_refused(sample_bytes):
    jpeg = encode(load_sample("coffee").image, "JPEG")
    assert_refused(jpeg[: len(jpeg) // 2], "damaged or incomplete")


def test_file_with_an_image_signature_but_garbage_inside_is_called_damaged():
    assert_refused(b"\x89PNG\r\n\x1a\n" + b"garbage" * 10, "damaged")


def test_empty_file_is_refused():
    assert_refused(b"", "empty")


def test_text_file_is_refused_as_not_an_image():
    assert_refused(b"name,score\nada,3\n", "not an image")


@pytest.mark.parametrize(
    "data",
    [b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"/>', b"%PDF-1.7\n%\xe2\xe3\n1 0 obj"],
    ids=["svg", "pdf"],
)
def test_vector_files_are_refused(data):
    assert_refused(data, "Vector files")


def test_missing_path_is_one_sentence(tmp_path):
    with pytest.raises(ExplorerError, match="There is no file"):
        load_path(tmp_path / "nope.png")


def test_unknown_sample_name_lists_the_samples():
    with pytest.raises(ExplorerError, match="chelsea"):
        load_sample("dog")


def test_an_endless_device_is_refused_without_reading_it():
    with pytest.raises(ExplorerError, match="'/dev/zero' is not a regular file"):
        load_path("/dev/zero")


def test_a_folder_is_refused(tmp_path):
    with pytest.raises(ExplorerError, match="is a folder, not an image file"):
        load_path(tmp_path)


def test_a_file_over_the_upload_cap_is_refused_before_it_is_read(tmp_path):
    huge = tmp_path / "huge.png"
    with huge.open("wb") as file:
        file.truncate(MAX_FILE_BYTES + 1)  # sparse: the disk holds nothing, the size says 50 MB + 1 byte
    with pytest.raises(ExplorerError, match=f"over the {MAX_FILE_MB} MB limit"):
        load_path(huge)
    assert_refused(b"\x89PNG" + bytes(MAX_FILE_BYTES), f"over the {MAX_FILE_MB} MB limit")


def test_the_cap_is_the_one_the_apps_uploader_has():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == MAX_FILE_MB


@pytest.mark.parametrize("size", [(4000, 1), (1, 3000), (3000, 2)])
def test_a_one_pixel_line_is_refused_with_its_size(size):
    assert_refused(encode(Image.new("RGB", size, "white"), "PNG"), f"{size[0]}x{size[1]} pixels: a line rather than")


def test_a_sliver_a_few_pixels_thick_is_accepted():
    loaded = load_image(encode(Image.new("RGB", (4000, 3), "white"), "PNG"))
    assert loaded.size == (COMPUTE_MAX_SIDE, 2)
