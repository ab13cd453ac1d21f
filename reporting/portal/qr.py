"""QR codes pointing to a project's permanent public page.

The code carries the page's absolute address (``PUBLIC_BASE_URL`` when set), because it is
printed and scanned away from the site. Error correction is at least M (segno raises it when
that costs no extra size) so a slightly smudged print still reads, and the four-module quiet
zone the standard asks for is kept.
"""

from __future__ import annotations

import hashlib
from functools import lru_cache
from io import BytesIO

import segno

from core.urls import external_url

#: Pixels per module: a typical project code (about 41 modules with its quiet zone) comes out
#: around 650 px, sharp on paper at 5 cm and more.
PNG_SCALE = 16
#: The SVG is vector; the scale only sets its default size on screen.
SVG_SCALE = 8
QUIET_ZONE = 4
ERROR_CORRECTION = "m"


def project_url(reference: str) -> str:
    """The absolute address of a project's public page."""
    return external_url("portal.project", reference=reference)


def make_code(url: str) -> segno.QRCode:
    # make_qr never returns a Micro QR, which many phone readers cannot decode.
    return segno.make_qr(url, error=ERROR_CORRECTION, boost_error=True)


def png_bytes(url: str) -> bytes:
    buffer = BytesIO()
    make_code(url).save(buffer, kind="png", scale=PNG_SCALE, border=QUIET_ZONE)
    return buffer.getvalue()


def svg_bytes(url: str) -> bytes:
    """An SVG of dark modules on a white background: paths only, no scripts or links."""
    buffer = BytesIO()
    make_code(url).save(buffer, kind="svg", scale=SVG_SCALE, border=QUIET_ZONE,
                        light="#fff", dark="#000", xmldecl=True)
    return buffer.getvalue()


def etag(kind: str, url: str) -> str:
    """What an image's bytes depend on: its kind, its address and the drawing settings."""
    key = f"{kind}|{url}|{PNG_SCALE}|{SVG_SCALE}|{QUIET_ZONE}|{ERROR_CORRECTION}"
    return hashlib.sha256(key.encode()).hexdigest()[:32]


@lru_cache(maxsize=256)
def image_bytes(kind: str, url: str) -> bytes:
    """The PNG or SVG of ``url``, kept for the next visitor (codes are costly to draw)."""
    return png_bytes(url) if kind == "png" else svg_bytes(url)
