"""The Kernel lab page run by Streamlit's AppTest: widgets work, errors are sentences, the cache holds."""

import re

import numpy as np
import pytest

from explorer.errors import quoted
from explorer.images import load_sample
from tests.app.conftest import bare_markdown, grids, open_page, read_back
from ui.kernel_lab import cached_result


@pytest.fixture
def lab():
    cached_result.clear()  # each test starts with no convolution cached, whatever ran before it
    app = open_page("views/kernel_lab.py")
    assert not app.exception
    return app


def texts(app):
    return " ".join(str(element.value) for element in [*app.markdown, *app.code, *app.success, *app.info, *app.caption])


def error_text(app) -> str:
    return read_back(app.error[0].value)


def test_page_shows_the_output_size_formula_per_axis_for_the_sample_photo(lab):
    assert "width: floor((W - K_eff + 2P) / S) + 1 = floor((451 - 3 + 2*1) / 1) + 1 = 451" in texts(lab)
    assert "height: floor((H - K_eff + 2P) / S) + 1 = floor((300 - 3 + 2*1) / 1) + 1 = 300" in texts(lab)
    assert "the extra zero goes on the bottom / right" in texts(lab)
    assert "slides as written (cross-correlation)" in texts(lab)
    assert lab.radio(key="kl_mode").value == "corr"
    assert not lab.error


def test_display_only_changes_do_not_convolve_again(lab, convolutions):
    lab.radio(key="kl_display").set_value("diverging").run()
    lab.radio(key="kl_channel").set_value("green").run()
    lab.radio(key="kl_step_channel").set_value(2).run()
    lab.button(key="kl_step_next").click().run()
    lab.number_input(key="kl_x").set_value(10).run()
    assert not lab.exception
    assert convolutions == []


def test_changing_the_stride_convolves_once_and_updates_the_formula(lab, convolutions):
    lab.number_input(key="kl_stride").set_value(2).run()
    assert len(convolutions) == 1
    assert "floor((451 - 3 + 2*1) / 2) + 1 = 226" in texts(lab)


def step_verdict(app) -> tuple[float, float]:
    verdict = app.success[0].value
    return float(verdict.split("= **")[1].split("**")[0]), float(verdict.split("computed ")[1].rstrip(")"))


def test_next_moves_the_step_and_the_sum_matches_the_output(lab):
    lab.button(key="kl_step_next").click().run()
    assert "Step 2 of 16" in texts(lab)
    shown, computed = step_verdict(lab)
    assert shown == pytest.approx(computed, abs=0.01)


def test_picking_sobel_explains_it(lab):
    lab.selectbox(key="kl_preset").select("sobel").run()
    assert "Edge strength in any direction" in texts(lab)
    assert "sqrt(gx² + gy²)" in texts(lab)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 0 -1; 2 oops -2; 1 0 -1", "'oops' is not a number"),
        ("1 " * 16, "from 1x1 to 15x15; it is 1x16"),
        ("9" * 400 + "/1", "'" + "9" * 47 + "…' is too large"),
        ("1e38 1e38; 1e38 1e38", "'1e38' is too large"),
        ("1e300", "'1e300' is too large"),
    ],
)
def test_malformed_or_huge_custom_kernel_shows_a_sentence_not_a_traceback(lab, text, message):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text").input(text).run()
    assert not lab.exception
    assert message in error_text(lab)
    assert not lab.get("plotly_chart") and not lab.metric  # no histogram or metric card sees inf / NaN


@pytest.mark.parametrize("token", ["**bold**", "![x](http://127.0.0.1:9/x.png)", "$x^2$", ":material/home:"])
def test_a_typed_token_is_echoed_literally_never_as_markdown(lab, token):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text").input(f"1 {token} 1").run()
    shown = lab.error[0].value
    assert read_back(shown).startswith(f"{quoted(token)} is not a number")
    assert not re.search(r"[*\[\]$]|:[A-Za-z/]", bare_markdown(shown))  # every Markdown mark is escaped


def test_normalising_a_zero_sum_kernel_is_refused_on_the_page(lab):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.checkbox(key="kl_normalise").check().run()
    assert "add up to 0" in error_text(lab)


def test_grid_editor_takes_rows_and_columns_and_starts_as_pass_through(lab):
    lab.radio(key="kl_source").set_value("Edit a grid").run()
    lab.selectbox(key="kl_grid_rows").select(2).run()
    lab.selectbox(key="kl_grid_cols").select(5).run()
    assert not lab.exception and not lab.error
    assert "height: K_eff = D*(K_h-1)+1 = 1*(2-1)+1 = 2;  P_top = 0, P_bottom = 1" in texts(lab)
    assert "width: K_eff = D*(K_w-1)+1 = 1*(5-1)+1 = 5;  P_left = 2, P_right = 2" in texts(lab)
    shown, _ = step_verdict(lab)
    row, col = (int(n) for n in re.search(r"output row (\d+), column (\d+)", texts(lab)).groups())
    assert shown == load_sample("chelsea").to_array()[row, col, 0]  # the 1 sits on the output pixel


@pytest.mark.parametrize(
    "text, shape", [("-1 1", (1, 2)), ("1; -1", (2, 1)), ("1 2; 3 4", (2, 2)), ("1 1 1 1 1", (1, 5))]
)
def test_even_and_non_square_typed_kernels_step_and_pool(lab, text, shape):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text").input(text).run()
    lab.button(key="kl_step_next").click().run()
    assert not lab.exception and not lab.error
    assert f"kernel K_h x K_w = {shape[0]} x {shape[1]}" in texts(lab)
    shown, computed = step_verdict(lab)
    assert shown == pytest.approx(computed, abs=0.01)
    tables = grids(lab)
    assert {"kl_step_1_patch0", "kl_pool_max", "kl_pool_avg"} <= set(tables)
    assert tables["kl_step_1_w0"].numbers().shape == shape
    products = tables["kl_step_1_patch0"].numbers() * tables["kl_step_1_w0"].numbers()
    np.testing.assert_allclose(tables["kl_step_1_p0"].numbers(), products, atol=0.006)  # written to 2 decimals


def test_the_3d_filter_mode_sums_three_channels_plus_the_bias_in_the_steps(lab, convolutions):
    lab.radio(key="kl_color").set_value("rgb-sum").run()
    assert not lab.exception and not lab.error
    assert lab.selectbox(key="kl_preset_3d").value == "sobel_red_only"
    assert lab.radio(key="kl_channel").options == ["feature map"]
    keys = set(grids(lab))
    assert {"kl_kernel_0", "kl_kernel_1", "kl_kernel_2"} <= keys
    assert {f"kl_step_0_{part}{n}" for part in ("patch", "w", "p") for n in range(3)} <= keys
    assert "output = red sum + green sum + blue sum + bias" in texts(lab)
    lab.selectbox(key="kl_preset_3d").select("brighter_than_grey").run()
    assert lab.number_input(key="kl_bias_brighter_than_grey").value == -128.0
    lab.number_input(key="kl_bias_brighter_than_grey").set_value(-100.0).run()
    shown, computed = step_verdict(lab)
    assert shown == pytest.approx(computed, abs=0.01)
    row, col = (int(n) for n in re.search(r"output row (\d+), column (\d+)", texts(lab)).groups())
    assert shown == pytest.approx(load_sample("chelsea").to_array()[row, col].mean() - 100, abs=0.01)
    assert "+ (-100) = **" in texts(lab)
    assert len(convolutions) == 3


def test_the_3d_filter_typed_per_channel_names_the_channel_of_a_bad_number(lab):
    lab.radio(key="kl_color").set_value("rgb-sum").run()
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text_green").input("0 0 0; 0 oops 0; 0 0 0").run()
    assert error_text(lab).startswith("In the green kernel: 'oops' is not a number")
    lab.text_area(key="kl_text_green").input("0 0; 0 0").run()
    assert "one shape; they are 3x3, 2x2, 3x3" in error_text(lab)


def test_the_3d_filter_grid_editor_shows_three_grids(lab):
    lab.radio(key="kl_color").set_value("rgb-sum").run()
    lab.radio(key="kl_source").set_value("Edit a grid").run()
    assert not lab.exception and not lab.error
    assert len(lab.dataframe) == 3  # the red, green and blue grid editors
    photo = load_sample("chelsea").to_array()
    shown, _ = step_verdict(lab)
    row, col = (int(n) for n in re.search(r"output row (\d+), column (\d+)", texts(lab)).groups())
    assert shown == photo[row, col, 0]  # red passes through, green and blue start at zero


def test_play_walks_through_every_cell_of_the_region(lab):
    lab.slider(key="kl_region").set_value(2).run()
    lab.button(key="kl_play").click().run()
    frames = []
    while lab.session_state["kl_playing"]:  # each run is one frame; in a browser a timer reruns the player
        assert not lab.exception and lab.button(key="kl_play").label == "Pause"
        frames.append(next(c.value for c in lab.caption if "Playing: step" in c.value))
        lab.run()
    assert [frame.split("Playing: ")[1] for frame in frames] == ["step 1 of 4", "step 2 of 4", "step 3 of 4"]
    assert lab.session_state["kl_step"] == 3 and lab.button(key="kl_play").label == "Play to the end"
    assert "Step 4 of 4" in texts(lab)


def test_diverging_mode_states_its_scale(lab):
    lab.radio(key="kl_display").set_value("diverging").run()
    assert any("0 → 128" in caption.value for caption in lab.caption)
    lab.radio(key="kl_channel").set_value("red").run()
    assert any("full blue = -" in caption.value for caption in lab.caption)


def test_greyscale_convolves_one_channel_and_pools_it_with_a_chosen_window(lab):
    lab.radio(key="kl_color").set_value("gray").run()
    assert not lab.exception and not lab.error
    assert lab.radio(key="kl_channel").options == ["grey"]
    lab.selectbox(key="kl_pool_size").select("3x3").run()
    tables = grids(lab)
    assert {"kl_pool_region", "kl_pool_max", "kl_pool_avg"} <= set(tables)
    region = tables["kl_pool_region"].numbers()
    assert tables["kl_pool_max"].numbers()[0, 0] == region[:3, :3].max()  # the first 3x3 window
    assert any("Max pooled 225x149" in caption for caption in captions(lab))  # floor((451 - 3) / 2) + 1


def captions(app):
    return [caption for image in app.get("image") for caption in image.captions]


def test_a_padding_number_is_plugged_into_the_formula(lab):
    lab.selectbox(key="kl_padding").select("number").run()
    lab.number_input(key="kl_padding_number").set_value(4).run()
    assert "floor((451 - 3 + 2*4) / 1) + 1 = 457" in texts(lab)


def test_convolution_mode_flips_the_kernel_in_the_steps(lab):
    lab.radio(key="kl_mode").set_value("conv").run()
    assert any("(flipped)" in grid.title for grid in grids(lab).values())
    shown, computed = step_verdict(lab)
    assert shown == pytest.approx(computed, abs=0.01)
    assert np.isfinite(shown)
