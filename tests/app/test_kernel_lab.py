"""The Kernel lab page run by Streamlit's AppTest: widgets work, errors are sentences, the cache holds."""

import pytest

from tests.app.conftest import open_page
from ui.kernel_lab import cached_result


@pytest.fixture
def lab():
    cached_result.clear()  # each test starts with no convolution cached, whatever ran before it
    app = open_page("views/kernel_lab.py")
    assert not app.exception
    return app


def texts(app):
    return " ".join(str(element.value) for element in [*app.markdown, *app.code, *app.success, *app.info])


def test_page_shows_the_output_size_formula_for_the_sample_photo(lab):
    assert "floor((451 - 3 + 2*1) / 1) + 1 = 451" in texts(lab)
    assert "floor((300 - 3 + 2*1) / 1) + 1 = 300" in texts(lab)
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


def test_next_moves_the_step_and_the_sum_matches_the_output(lab):
    lab.button(key="kl_step_next").click().run()
    assert "Step 2 of 16" in texts(lab)
    verdict = lab.success[0].value
    shown, computed = verdict.split("= **")[1].split("**")[0], verdict.split("computed ")[1].rstrip(")")
    assert float(shown) == pytest.approx(float(computed), abs=0.01)


def test_picking_sobel_explains_it(lab):
    lab.selectbox(key="kl_preset").select("sobel").run()
    assert "Edge strength in any direction" in texts(lab)
    assert "sqrt(gx² + gy²)" in texts(lab)


@pytest.mark.parametrize(
    "text, message",
    [
        ("1 0 -1; 2 oops -2; 1 0 -1", "'oops' is not a number"),
        ("1 0; 0 1", "odd size"),
    ],
)
def test_malformed_custom_kernel_shows_a_sentence_not_a_traceback(lab, text, message):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.text_area(key="kl_text").input(text).run()
    assert not lab.exception
    assert message in lab.error[0].value


def test_normalising_a_zero_sum_kernel_is_refused_on_the_page(lab):
    lab.radio(key="kl_source").set_value("Type numbers").run()
    lab.checkbox(key="kl_normalise").check().run()
    assert "add up to 0" in lab.error[0].value


def test_grid_editor_starts_as_identity_of_the_chosen_size(lab):
    lab.radio(key="kl_source").set_value("Edit a grid").run()
    lab.selectbox(key="kl_grid_size").select(5).run()
    assert not lab.exception and not lab.error
    assert "K_eff = D*(K-1)+1 = 1*(5-1)+1 = 5" in texts(lab)


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


def test_greyscale_convolves_one_channel_and_pools_it(lab):
    lab.radio(key="kl_color").set_value("gray").run()
    assert not lab.exception and not lab.error
    assert lab.radio(key="kl_channel").options == ["grey"]
    charts = {chart.key for chart in lab.get("plotly_chart")}
    assert {"kl_pool_region", "kl_pool_max", "kl_pool_avg"} <= charts


def test_a_padding_number_is_plugged_into_the_formula(lab):
    lab.selectbox(key="kl_padding").select("number").run()
    lab.number_input(key="kl_padding_number").set_value(4).run()
    assert "floor((451 - 3 + 2*4) / 1) + 1 = 457" in texts(lab)
