"""Made-up traffic for the demo: six weeks of a small business's statistics, so that
the dashboard of a fresh clone is not empty. Removed with the demo (`demo --remove`
takes every statistics table as the demo's: models/demo.py)."""

import random
from datetime import timedelta

from engines.clock import today
from models import db
from models.analytics import counts, funnel, months
from models.analytics.counts import DIMENSIONS, FLOW_ARROW, DayTotals
from models.analytics.settings import first_day_kept
from models.analytics.visits import Hit, Salt

# Every table of the statistics but the owner's settings.
STATISTICS = (*DIMENSIONS.values(), DayTotals, funnel.FunnelCount, Salt, Hit,
              *months.MONTHLY.values(), months.MonthRolled)

WEEKS = 6
PAGES = {"/": 40, "/book": 30, "/book/2": 18, "/book/1": 9, "/book/2/details": 12,
         "/book/1/details": 6, "/booking/<token>": 6, "/contact": 7, "/privacy": 2}
SHARES = {
    "referrer": {"": 50, "www.google.com": 30, "www.facebook.com": 10,
                 "l.instagram.com": 6, "duckduckgo.com": 4},
    "campaign": {"": 85, "newsletter / email / spring": 10, "facebook / social / offer": 5},
    "channel": {"mobile_browser": 62, "browser": 30, "app": 8},
    "browser": {"Mobile Safari 18": 30, "Chrome Mobile 131": 28, "Chrome 131": 18,
                "Firefox 133": 7, "Edge 131": 6, "Samsung Internet 27": 6, "Safari 18": 5},
    "system": {"iOS": 34, "Android": 36, "Windows": 18, "Mac OS X": 9, "Linux": 3},
    "device_class": {"phone": 62, "desktop": 30, "tablet": 8},
    "device_model": {"": 38, "Apple iPhone": 34, "Samsung SM-S921B": 12,
                     "Apple iPad": 6, "Google Pixel 8": 6, "XiaoMi Redmi Note 13": 4},
    "language": {"fi": 82, "sv": 9, "en": 9},
}
SCREENS = {"≤ 600": 60, "≤ 1000": 10, "≤ 1920": 26, "> 1920": 4}


def _split(total, shares, rng):
    """`total` divided among the shares' values, a little at random."""
    weights = {value: share * rng.uniform(0.7, 1.3) for value, share in shares.items()}
    whole = sum(weights.values())
    return {value: round(total * weight / whole) for value, weight in weights.items()}


def add_demo_traffic():
    """Fill the statistics of the six weeks up to yesterday (nothing when there are some)."""
    if counts.PageCount.select().exists():
        return False
    rng = random.Random(15)
    with db.atomic():
        for back in range(1, WEEKS * 7 + 1):
            day = today() - timedelta(days=back)
            busy = (0.6 if day.weekday() == 6 else 1.2 if day.weekday() == 0 else 1.0)
            _add_day(day, round(rng.uniform(90, 160) * busy), rng)
        months.roll_up_months(today(), first_day_kept(today()))
    return True


def _add_day(day, views, rng):
    for page, number in _split(views, PAGES, rng).items():
        counts.add(counts.PageCount, day, page, number)
    for dimension, shares in SHARES.items():
        for value, number in _split(views, shares, rng).items():
            if value and number:
                counts.add(counts.SERVER_DIMENSIONS[dimension], day, value, number)
    consented = round(views * 0.45)
    visits = round(consented / 2.6)
    for value, number in _split(consented, SCREENS, rng).items():
        counts.add(counts.ScreenCount, day, value, number)
    for model, shares in ((counts.EntryCount, {"/": 55, "/book": 30, "/contact": 15}),
                          (counts.ExitCount, {"/booking/<token>": 30, "/book/2": 25,
                                              "/": 30, "/contact": 15})):
        for value, number in _split(visits, shares, rng).items():
            counts.add(model, day, value, number)
    flows = {f"/{FLOW_ARROW}/book": 30, f"/book{FLOW_ARROW}/book/2": 22,
             f"/book/2{FLOW_ARROW}/book/2/details": 15,
             f"/book/2/details{FLOW_ARROW}/booking/<token>": 8, f"/{FLOW_ARROW}/contact": 6}
    for value, number in _split(visits, flows, rng).items():
        counts.add(counts.FlowCount, day, value, number)
    DayTotals.create(day=day, visitors=round(visits * 0.85), visits=visits, views=consented,
                     bounces=round(visits * rng.uniform(0.3, 0.45)),
                     engaged_visits=round(visits * rng.uniform(0.5, 0.65)),
                     duration_seconds=visits * rng.randint(70, 150),
                     engaged_seconds=visits * rng.randint(40, 90))
    _add_funnel(day, views, rng)


def _add_funnel(day, views, rng):
    for channel, share in (("mobile_browser", 0.62), ("browser", 0.3), ("app", 0.08)):
        for campaign, part in (("", 0.88), ("newsletter / email / spring", 0.12)):
            number = views * share * part * 0.35
            for step, keep in zip(funnel.STEPS, (1, 0.55, 0.6, 0.8, 0.85), strict=True):
                number *= keep * rng.uniform(0.9, 1.1)
                _steps(day, step, channel, campaign, round(number))
            _steps(day, funnel.TAKEN, channel, campaign, rng.randint(0, 1))
            _steps(day, funnel.CANCELLED, channel, campaign, rng.randint(0, 1))


def _steps(day, step, channel, campaign, number):
    if number:
        funnel.FunnelCount.insert(day=day, step=step, channel=channel, campaign=campaign,
                                  count=number).execute()
