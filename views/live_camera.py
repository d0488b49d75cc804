"""Live camera: hold an object up to the webcam and watch the top-5 and its Grad-CAM follow it."""

import streamlit as st

from explorer.drawing import COLORMAPS
from explorer.live import LiveLook
from explorer.models import DEFAULT_MODEL, MODELS
from ui import live
from ui.errors import user_errors
from ui.picker import current_image
from ui.present import colormap_default, mark_chosen, presentation_mode

HOW_IT_WORKS = (
    "Every frame is scaled like a photo (shorter side 224, nothing cropped), goes through the network once, "
    "and is explained with Grad-CAM for the network's top class. When frames come faster than the CPU can "
    "explain them, the older ones are skipped, so what you see is always the newest frame."
)


def look_controls() -> LiveLook:
    """Opacity and colour map of the overlay: they change only how frames are drawn."""
    columns = st.columns(2)
    opacity = columns[0].slider("Opacity", 0.0, 1.0, 0.45, 0.05, key="live_opacity")
    colormap_default("live_colormap", "jet")
    colormap = columns[1].selectbox(
        "Colour map", list(COLORMAPS), key="live_colormap", on_change=mark_chosen, args=("live_colormap",)
    )
    return LiveLook(opacity, colormap)


def live_camera() -> None:
    """The live player and its readout, then the snapshot fallback for networks that block WebRTC."""
    presentation_mode()
    st.title("Live camera")
    st.caption(
        "Hold an object up to your webcam: the network's top-5 guesses and the Grad-CAM of its best guess "
        f"follow it live. The live view uses {MODELS[DEFAULT_MODEL].title}, the fastest network here."
    )
    image = current_image()
    look = look_controls()
    with user_errors():
        live.live_panel(live.live_classifier(), look)
    st.caption(HOW_IT_WORKS)
    st.divider()
    st.subheader("No live video? Use a snapshot")
    st.markdown(
        "Where the live video cannot connect (a firewall, a proxy, or a browser without camera access), "
        "choose **Camera** under *Your image* in the sidebar and take a photo: it is explained here exactly "
        "like a live frame, and on every other page too. Below: the photo chosen now."
    )
    st.button(
        "Use the snapshot camera",
        icon=":material/photo_camera:",
        key="live_use_camera",
        on_click=live.use_snapshot_camera,
    )
    if image is not None:
        with user_errors():
            live.snapshot_view(image, look)


live_camera()
