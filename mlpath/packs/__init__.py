"""Content packs: YAML folders read safely and validated completely into a roadmap and its questions."""
