"""The business's pictures made fit for its pages: an upload is opened, checked to be a
PNG, JPEG or WebP image, turned upright, scaled down to the widths asked for and
written again as WebP. Writing it again keeps only the pixels: no EXIF (a phone's
location, its make, the time), no comments, no colour profile other than sRGB's."""

import io
from dataclasses import dataclass

from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED = {"PNG", "JPEG", "WEBP"}
MAX_BYTES = 8 * 1024 * 1024
# More pixels than this is not a photo from a phone but a bomb (Pillow warns at 89 M).
MAX_PIXELS = 50_000_000
CONTENT_TYPE = "image/webp"
QUALITY = 82


class UnusableImage(ValueError):
    """`code`: "too_large" (bytes), "not_image", "wrong_type" (not PNG/JPEG/WebP),
    "too_many_pixels"."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


@dataclass(frozen=True)
class Variant:
    width: int
    height: int
    data: bytes
    content_type: str = CONTENT_TYPE


def _opened(data):
    if len(data) > MAX_BYTES:
        raise UnusableImage("too_large")
    try:
        image = Image.open(io.BytesIO(data))
    except (UnidentifiedImageError, OSError, ValueError) as error:
        raise UnusableImage("not_image") from error
    if image.format not in ACCEPTED:
        raise UnusableImage("wrong_type")
    if image.width * image.height > MAX_PIXELS:
        raise UnusableImage("too_many_pixels")
    try:
        image.load()
    except (OSError, ValueError, Image.DecompressionBombError) as error:
        raise UnusableImage("not_image") from error
    return image


def _pixels_only(image):
    """The image upright, in RGB (or RGBA where it has transparency), with nothing but
    its pixels."""
    image = ImageOps.exif_transpose(image)
    has_alpha = image.mode in ("RGBA", "LA", "PA") or (
        image.mode == "P" and "transparency" in image.info)
    return image.convert("RGBA" if has_alpha else "RGB")


def _cut_to(image, tallest):
    """The image cut around its middle to at most `tallest` × its width in height."""
    limit = max(1, round(image.width * tallest))
    if image.height <= limit:
        return image
    top = (image.height - limit) // 2
    return image.crop((0, top, image.width, top + limit))


def _scaled(image, width, tallest):
    """The image no wider than `width` and, with `fit`, no taller than `tallest` ×
    `width`; never made larger."""
    factor = min(1.0, width / image.width)
    if tallest is not None:
        factor = min(factor, width * tallest / image.height)
    if factor >= 1.0:
        return image
    size = (max(1, round(image.width * factor)), max(1, round(image.height * factor)))
    return image.resize(size, Image.Resampling.LANCZOS)


def variants(data, widths, tallest=None, fit=False):
    """The upload `data` as WebP at each of `widths` (px; an image narrower than a width
    is not made larger, and a size it would repeat is left out), widest first.

    With `tallest`, an image taller than `tallest` × its width is either cut to that
    around its middle (a picture for a landscape band), or with `fit` scaled down
    until it fits (a logo, which must stay whole)."""
    image = _pixels_only(_opened(data))
    if tallest is not None and not fit:
        image = _cut_to(image, tallest)
    made, seen = [], set()
    for width in sorted(widths, reverse=True):
        scaled = _scaled(image, width, tallest if fit else None)
        if scaled.size in seen:
            continue
        seen.add(scaled.size)
        out = io.BytesIO()
        scaled.save(out, "WEBP", quality=QUALITY, method=4)
        made.append(Variant(scaled.width, scaled.height, out.getvalue()))
    return made
