"""mlpath: a local-first roadmap, progress tracker and spaced-repetition trainer for machine learning."""

__version__ = "0.1.0"
