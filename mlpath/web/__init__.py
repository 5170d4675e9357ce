"""The roadmap as one self-contained HTML page (`mlpath map`). Pure: imports neither the store nor the CLI."""

from mlpath.web.model import MapArea, MapData, MapProgress, MapResource, MapTopic, Status
from mlpath.web.render import render_map

__all__ = ["MapArea", "MapData", "MapProgress", "MapResource", "MapTopic", "Status", "render_map"]
