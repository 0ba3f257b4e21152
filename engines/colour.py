"""Colours and how well text reads on them: the contrast ratio of WCAG 2.2
(https://www.w3.org/TR/WCAG22/#dfn-contrast-ratio) and the business's brand palette.

A brand colour is used for buttons (text on the colour) and for links and headings
(the colour on the page's white), so a colour is accepted only when both read at the
level AA asks of body text: 4.5:1.
"""

import re

WHITE = "#ffffff"
DARK = "#1a1a1a"
AA_TEXT = 4.5

# The palette offered to the owner: (value, name); every one passes AA on white.
PALETTE = (
    ("#1f5f8b", "blue"),
    ("#2d6a4f", "green"),
    ("#0f6e6e", "teal"),
    ("#6b3fa0", "violet"),
    ("#a4286a", "plum"),
    ("#b3261e", "red"),
    ("#8a4b08", "brown"),
    ("#3d3d3d", "graphite"),
)
DEFAULT = PALETTE[0][0]

_HEX = re.compile(r"#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})")


class InvalidColour(ValueError):
    """Not a colour (`code` "format"), or one text does not read on ("contrast", with
    the `ratio` found)."""

    def __init__(self, code, ratio=None):
        super().__init__(code)
        self.code = code
        self.ratio = ratio


def normalise(text):
    """"#1F5F8B", "1f5f8b" or "#15b" as "#1f5f8b"; InvalidColour("format") otherwise."""
    match = _HEX.fullmatch(text.strip())
    if match is None:
        raise InvalidColour("format")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(digit * 2 for digit in digits)
    return "#" + digits


def _channel(value):
    value /= 255
    return value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4


def luminance(colour):
    """The relative luminance of a "#rrggbb" colour, 0 (black) to 1 (white)."""
    colour = normalise(colour)
    red, green, blue = (int(colour[i:i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * _channel(red) + 0.7152 * _channel(green) + 0.0722 * _channel(blue)


def contrast_ratio(first, second):
    """The contrast ratio of two colours, from 1 (the same) to 21 (black on white)."""
    lighter, darker = sorted((luminance(first), luminance(second)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def text_on(colour):
    """The text colour that reads best on `colour`: white or near-black."""
    return WHITE if contrast_ratio(colour, WHITE) >= contrast_ratio(colour, DARK) else DARK


def checked_brand(text):
    """The brand colour `text` as "#rrggbb", if white text on it, and it on the white
    page, reach AA (4.5:1); InvalidColour otherwise."""
    colour = normalise(text)
    ratio = contrast_ratio(colour, WHITE)
    if ratio < AA_TEXT:
        raise InvalidColour("contrast", ratio=ratio)
    return colour
