"""Exercises as data: TOML definitions and the rep counter that runs them."""
