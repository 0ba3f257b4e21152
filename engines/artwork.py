"""Pictures drawn from nothing, for the demo business: a monogram logo and a calm
picture of stacked stones by water, in the brand colour. Nothing is taken from
elsewhere; the font is the one the invoices use (DejaVu, engines/fonts)."""

import io
from functools import lru_cache
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT = Path(__file__).resolve().parent / "fonts" / "DejaVuSans-Bold.ttf"


def _rgb(colour):
    return tuple(int(colour[i:i + 2], 16) for i in (1, 3, 5))


def _mix(first, second, share):
    return tuple(round(a + (b - a) * share) for a, b in zip(first, second, strict=True))


def _png(image):
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@lru_cache(maxsize=4)
def monogram(letters, colour, size=400):
    """A round badge in `colour` with `letters` in white, on transparency, as PNG."""
    scale = 4  # drawn larger and scaled down, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((0, 0, big - 1, big - 1), fill=_rgb(colour))
    ring = big // 14
    draw.ellipse((ring, ring, big - 1 - ring, big - 1 - ring), outline=(255, 255, 255),
                 width=max(2, big // 80))
    font = ImageFont.truetype(str(FONT), round(big * 0.36))
    draw.text((big / 2, big / 2), letters, font=font, fill=(255, 255, 255), anchor="mm")
    return _png(image.resize((size, size), Image.Resampling.LANCZOS))


@lru_cache(maxsize=4)
def stones(colour, width=1600, height=900):
    """A landscape picture: a soft sky in a tint of `colour` over still water, and a
    stack of smooth stones, as PNG."""
    brand = _rgb(colour)
    sky_top, sky_low = _mix(brand, (255, 255, 255), 0.78), (247, 238, 226)
    image = Image.new("RGB", (width, height), sky_low)
    draw = ImageDraw.Draw(image)
    horizon = round(height * 0.62)
    for y in range(horizon):
        draw.line((0, y, width, y), fill=_mix(sky_top, sky_low, y / horizon))
    water_top, water_low = _mix(brand, (255, 255, 255), 0.55), _mix(brand, (30, 40, 45), 0.25)
    for y in range(horizon, height):
        share = (y - horizon) / (height - horizon)
        draw.line((0, y, width, y), fill=_mix(water_top, water_low, share))
    sun = (round(width * 0.22), round(height * 0.30), round(height * 0.11))
    draw.ellipse((sun[0] - sun[2], sun[1] - sun[2], sun[0] + sun[2], sun[1] + sun[2]),
                 fill=(255, 246, 228))
    for line, (start, length) in enumerate(((0.06, 0.16), (0.20, 0.10), (0.10, 0.22),
                                            (0.30, 0.08), (0.04, 0.12), (0.24, 0.18))):
        y = horizon + 14 + line * (height - horizon) // 7
        x = round(width * start)
        draw.line((x, y, x + round(width * length), y),
                  fill=_mix(water_top, (255, 255, 255), 0.35), width=3)
    centre = round(width * 0.68)
    base = horizon + round(height * 0.06)
    stone_tones = ((92, 88, 84), (128, 120, 112), (158, 150, 141), (186, 178, 168))
    shapes = ((0.20, 0.085), (0.155, 0.075), (0.115, 0.065), (0.075, 0.055))
    shadow = Image.new("L", (width, height), 0)
    ImageDraw.Draw(shadow).ellipse(
        (centre - width * 0.23, base - height * 0.02, centre + width * 0.23, base + height * 0.07),
        fill=90)
    image.paste((40, 50, 55), mask=shadow.filter(ImageFilter.GaussianBlur(18)))
    top = base
    for (half_width, half_height), tone in zip(shapes, stone_tones, strict=True):
        w, h = width * half_width, height * half_height
        box = (centre - w, top - 2 * h, centre + w, top)
        draw.ellipse(box, fill=tone)
        shine = (centre - w * 0.55, top - 2 * h * 0.92, centre + w * 0.1, top - 2 * h * 0.62)
        draw.ellipse(shine, fill=_mix(tone, (255, 255, 255), 0.22))
        top -= 2 * h * 0.86
    return _png(image.filter(ImageFilter.SMOOTH))
