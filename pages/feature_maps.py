"""Placeholder: this page is being built."""

import streamlit as st

st.title("feature_maps")
st.info("Coming soon.")
