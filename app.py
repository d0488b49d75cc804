"""CNN Explorer: the router. Each page draws the shared sidebar (image picker, device badge) itself."""

import streamlit as st

st.set_page_config(page_title="CNN Explorer", page_icon=":material/grid_on:", layout="wide")

PAGES = {
    "Start": [st.Page("views/home.py", title="Home", icon=":material/home:", default=True)],
    "Convolution": [st.Page("views/kernel_lab.py", title="Kernel lab", icon=":material/blur_on:")],
    "Network": [
        st.Page("views/feature_maps.py", title="Feature maps", icon=":material/layers:"),
        st.Page("views/filters.py", title="Filters", icon=":material/grid_view:"),
        st.Page("views/architecture.py", title="Architecture", icon=":material/account_tree:"),
    ],
    "Explain": [st.Page("views/grad_cam.py", title="Grad-CAM studio", icon=":material/visibility:")],
    "Live": [st.Page("views/live_camera.py", title="Live camera", icon=":material/videocam:")],
}

st.navigation(PAGES).run()
