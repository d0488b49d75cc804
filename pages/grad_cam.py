"""Placeholder: this page is being built."""

import streamlit as st

st.title("grad_cam")
st.info("Coming soon.")
