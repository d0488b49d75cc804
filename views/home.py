"""Home: what CNN Explorer is and the tour through it."""

import streamlit as st

from ui.handout import lesson_download
from ui.picker import current_image, sample_gallery
from ui.present import presentation_mode

TOUR = """
1. **Kernel lab**: slide a small grid of numbers (a *kernel*) over the photo. Blur, sharpen and edge
   detectors are all just this. Step through one output pixel by hand: multiply, add, done.
2. **Feature maps**: a real pretrained network runs on your photo. Step through it layer by layer and
   watch the kernels it *learned* light up on edges, textures, then parts of objects.
3. **Filters**: look at the learned kernels themselves, and find the ones that look like Sobel.
4. **Architecture**: how the image shrinks while the channels grow, how many parameters each layer has,
   and how much of the photo each neuron can see (its receptive field).
5. **Grad-CAM studio**: where does the network look when it decides "cat"? And when it is asked about
   "espresso" instead?
"""


def home() -> None:
    """The welcome, the tour, the chosen photo and the sample gallery."""
    presentation_mode()
    st.title("CNN Explorer")
    st.markdown(
        "See how a **convolutional neural network** works, on your own photo. "
        "Pick a photo in the sidebar (a sample, an upload or the camera); it stays chosen on every page."
    )
    st.subheader("The tour")
    st.markdown(TOUR)
    image = current_image()
    if image is not None:
        st.image(image.image, caption="The photo you are exploring", width=480)
    st.subheader("Sample photos")
    st.caption("Free to use (CC0 or public domain, from scikit-image). Or upload your own, or use the camera.")
    sample_gallery()
    if image is not None:
        st.subheader("Download the lesson hand-out (PDF)")
        lesson_download(image)


home()
