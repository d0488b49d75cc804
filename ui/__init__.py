"""Streamlit glue between the pages and the UI-free ``explorer`` package."""
