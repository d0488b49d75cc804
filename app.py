"""CNN Explorer: the router. Each page draws the shared sidebar (image picker, device badge) itself.

Presentation mode (``?present=1`` or the sidebar toggle) starts with the sidebar collapsed: only this
file may set the page config, so it asks ``ui.present`` for the sidebar's state before navigating.
Page files are named from this file's folder, not the entry point's, so ``deploy/streamlit_app.py``
(the hosted demo's entry point) can run this same router.
"""

from pathlib import Path

import streamlit as st

from ui.present import sidebar_state

VIEWS = Path(__file__).resolve().parent / "views"

st.set_page_config(
    page_title="CNN Explorer",
    page_icon=":material/grid_on:",
    layout="wide",
    initial_sidebar_state=sidebar_state(),
)

PAGES = {
    "Start": [st.Page(VIEWS / "home.py", title="Home", icon=":material/home:", default=True)],
    "Convolution": [st.Page(VIEWS / "kernel_lab.py", title="Kernel lab", icon=":material/blur_on:")],
    "Network": [
        st.Page(VIEWS / "feature_maps.py", title="Feature maps", icon=":material/layers:"),
        st.Page(VIEWS / "filters.py", title="Filters", icon=":material/grid_view:"),
        st.Page(VIEWS / "architecture.py", title="Architecture", icon=":material/account_tree:"),
        st.Page(VIEWS / "tiny_cnn.py", title="Tiny CNN", icon=":material/draw:"),
    ],
    "Explain": [st.Page(VIEWS / "grad_cam.py", title="Grad-CAM studio", icon=":material/visibility:")],
    "Live": [st.Page(VIEWS / "live_camera.py", title="Live camera", icon=":material/videocam:")],
    "Practise": [st.Page(VIEWS / "quiz.py", title="Quiz", icon=":material/quiz:")],
}

st.navigation(PAGES).run()
