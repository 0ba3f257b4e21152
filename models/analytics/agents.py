"""What a request's user agent says: browser, operating system, device class and model,
and the channel (browser, mobile browser, app), read with the maintained ua-parser."""

import re
from dataclasses import dataclass
from functools import lru_cache

from ua_parser import parse

DESKTOP, PHONE, TABLET = "desktop", "phone", "tablet"
BROWSER, MOBILE_BROWSER, APP = "browser", "mobile_browser", "app"
UNKNOWN = ""

# Markers of robots the parser's "Spider" does not catch, and of in-app browsers
# (Facebook, Instagram, LinkedIn, Line, Android's web views).
BOT = re.compile(r"bot\b|crawl|spider|slurp|curl/|wget/|python-|httpx|go-http|java/|"
                 r"headless|lighthouse|monitor|preview|scan|fetch", re.I)
IN_APP = re.compile(r"FBAN|FBAV|Instagram|LinkedInApp|\bLine/|; wv\)|GSA/", re.I)
TABLETS = re.compile(r"iPad|Tablet|Kindle|Silk/|Android(?!.*Mobile)", re.I)
PHONES = re.compile(r"Mobile|iPhone|Android|Windows Phone", re.I)


@dataclass(frozen=True)
class Agent:
    bot: bool
    browser: str
    system: str
    device_class: str
    device_model: str
    channel: str


@lru_cache(maxsize=2048)
def read_agent(user_agent):
    """The user agent's parts (cached: parsing one takes the better part of a
    millisecond, and a site sees the same few again and again)."""
    if not user_agent or BOT.search(user_agent):
        return Agent(True, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN)
    found = parse(user_agent[:500])
    device = found.device
    if device is not None and device.family == "Spider":
        return Agent(True, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN, UNKNOWN)
    browser = found.user_agent
    browser_name = (f"{browser.family} {browser.major}".strip()
                    if browser is not None else UNKNOWN)
    system = found.os.family if found.os is not None else UNKNOWN
    device_class = (TABLET if TABLETS.search(user_agent)
                    else PHONE if PHONES.search(user_agent) else DESKTOP)
    model = UNKNOWN
    if device is not None and device.family not in ("Other", "Generic Smartphone"):
        model = " ".join(part for part in (device.brand, device.model) if part) \
            or device.family
    channel = (APP if IN_APP.search(user_agent)
               else BROWSER if device_class == DESKTOP else MOBILE_BROWSER)
    return Agent(False, browser_name[:60], system[:60], device_class, model[:60], channel)
