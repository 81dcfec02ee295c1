"""reptrack: count exercise repetitions from a camera, in a terminal."""

__version__ = "0.1.0"
