"""Reusable widgets of the front end."""
