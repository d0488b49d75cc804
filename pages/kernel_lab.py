"""Placeholder: this page is being built."""

import streamlit as st

st.title("kernel_lab")
st.info("Coming soon.")
