"""Placeholder photos for the sample outlets: an 800x450 SVG rectangle with a short label.

The colour comes from a hash of the image's key, so the same article always shows the same picture
and tests can compare bytes between runs.
"""

from __future__ import annotations

import hashlib
from xml.sax.saxutils import escape

WIDTH, HEIGHT = 800, 450


def render_svg(key: str, label: str) -> bytes:
    """An SVG picture for `key` (e.g. "garam/20451/1") showing `label` (e.g. the outlet name)."""
    digest = hashlib.sha256(key.encode("utf-8")).digest()
    # Keep the hue free but lightness mid-range so white text stays readable on every colour.
    hue = int.from_bytes(digest[:2], "big") % 360
    saturation = 35 + digest[2] % 40
    lightness = 30 + digest[3] % 20
    name = escape(label, {'"': "&quot;"})
    svg = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{name}">'
        f'<rect width="{WIDTH}" height="{HEIGHT}" fill="hsl({hue}, {saturation}%, {lightness}%)"/>'
        f'<text x="{WIDTH // 2}" y="{HEIGHT // 2}" fill="#ffffff" font-size="40" '
        'font-family="sans-serif" text-anchor="middle" dominant-baseline="middle">'
        f"{name}</text>"
        "</svg>\n"
    )
    return svg.encode("utf-8")
