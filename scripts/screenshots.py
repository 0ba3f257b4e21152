"""Screenshots of every page, to look at before calling a page done.

Run from the repository root: .venv/bin/python scripts/screenshots.py [folder]

Starts the app in gunicorn on a temporary SQLite database with the demo business (and
an owner's account), opens it in real Chromium (Debian's, through Playwright) and
saves full-page PNG files into the folder (default screenshots/, which git ignores):

- every public page at 390x844 and 360x800, in Finnish, the booking flow walked
  through as a customer does it (a service, a time, the details, the booking's own
  page, the question whether to cancel, moving, cancelled);
- the same booking flow in Swedish at 390x844;
- every back-office page at 1280x800 and 768x1024, in Finnish: the pages the back
  office's navigation links to, and one page of each kind linked from them.

Each file is named <number>-<page>-<width>x<height>.png; the script prints each.
Date fields are drawn in Finnish only with Debian's chromium-l10n installed
(`apt-get install chromium-l10n`).
"""

import argparse
import os
import re
import sys
import tempfile
from datetime import datetime, time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from playwright.sync_api import sync_playwright
from support import PASSWORD, Server, next_weekday

import models
from engines.clock import HELSINKI
from models import demo, schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--no-sandbox", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--disable-gpu",
                 "--no-first-run", "--lang=fi-FI"]
# Chromium draws a date field in the format of its own language, whatever the page's:
# in Finnish here, as a Finnish customer's browser does, when Debian's chromium-l10n
# (Chromium's translations) is installed; without it, in American English.
CHROMIUM_ENV = {"LANG": "fi_FI.UTF-8", "LANGUAGE": "fi"}
PHONES = [(390, 844), (360, 800)]
DESKS = [(1280, 800), (768, 1024)]
OWNER = "olli@hieronta.example"
SERVICE_ID = 2
# Back-office links not to follow: they log out, download a file or need a POST.
NOT_PAGES = re.compile(r"logout|\.csv|\.ics|\.pdf|\.zip|\.xlsx|\.json|download|export\.", re.I)
MAX_BACK_OFFICE_PAGES = 45


# The back office's calendar is shot on a day of the demo's booked as a busy day is:
# (staff member, hour, minute, service's position, customer's name).
BUSY_DAY = [(0, 9, 0, 0, "Liisa Lahtinen"), (0, 10, 15, 1, "Pekka Virtanen"),
            (0, 13, 0, 2, "Sanna Korhonen"), (0, 15, 30, 0, "Jukka Nieminen"),
            (1, 10, 0, 1, "Anna Mäkinen"), (1, 11, 30, 0, "Timo Heikkinen"),
            (1, 14, 0, 2, "Emilia Laine"), (1, 16, 0, 1, "Ville Koskinen")]


def make_database(directory, busy_day):
    from models.accounts.users import create_user
    from models.booking.generation import calendar_changed
    from models.business.catalogue import Service, StaffMember
    from models.people.customers import Customer

    url = f"sqlite:///{Path(directory) / 'vuoro.db'}"
    models.open_database(url)
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
        user = create_user(OWNER, "Olli Omistaja", "owner")
        user.set_password(PASSWORD)
        user.save()
        staff = list(StaffMember.select().order_by(StaffMember.id))
        services = list(Service.select().order_by(Service.position))
        for number, (person, hour, minute, service, name) in enumerate(BUSY_DAY):
            email = f"{name.split()[0].lower()}.{number}@asiakas.example"
            customer = Customer.create(name=name, email=email)
            start = datetime.combine(busy_day, time(hour, minute), HELSINKI)
            demo.add_booking(customer, services[service], staff[person], start)
        calendar_changed()
    models.db.close()
    return url


class Camera:
    """Saves numbered full-page screenshots of pages into a folder."""

    def __init__(self, browser, origin, folder):
        self.browser, self.origin, self.folder = browser, origin, folder
        self.number = 0

    def context(self, size, language="fi"):
        context = self.browser.new_context(
            base_url=self.origin, viewport={"width": size[0], "height": size[1]},
            locale={"fi": "fi-FI", "sv": "sv-FI", "en": "en-GB"}[language],
            timezone_id="Europe/Helsinki")
        context.add_cookies([{"name": "lang", "value": language, "url": self.origin}])
        return context

    def shoot(self, page, name, size):
        self.number += 1
        page.wait_for_load_state("networkidle")
        path = self.folder / f"{self.number:03d}-{name}-{size[0]}x{size[1]}.png"
        page.screenshot(path=str(path), full_page=True)
        print(path)

    def pages(self, paths, size, language="fi"):
        context = self.context(size, language)
        page = context.new_page()
        for name, path in paths:
            page.goto(path)
            self.shoot(page, name, size)
        context.close()


def public_pages(camera, size):
    day = next_weekday(1).isoformat()
    camera.pages([
        ("home", "/"),
        ("services", "/book"),
        ("times", f"/book/{SERVICE_ID}"),
        ("times-person", f"/book/{SERVICE_ID}?staff=1&day={day}"),
        ("contact", "/contact"),
        ("privacy", "/privacy"),
        ("my-data", "/my-data"),
        ("cookies", "/cookies"),
    ], size)
    booking_flow(camera, size, "fi")


def booking_flow(camera, size, language):
    """A customer's booking from the service list to its cancellation."""
    suffix = "" if language == "fi" else f"-{language}"
    context = camera.context(size, language)
    page = context.new_page()
    page.goto("/book")
    camera.shoot(page, "flow-services" + suffix, size)
    page.locator("#service-list a.button").nth(1).click()
    page.wait_for_selector("a.time")
    camera.shoot(page, "flow-times" + suffix, size)
    # A day two weeks on, so that the booking can still be moved and cancelled.
    page.goto(f"/book/{SERVICE_ID}?staff=any&day={next_weekday(1).isoformat()}")
    page.locator("a.time").first.click()
    page.wait_for_selector("#booking-form")
    camera.shoot(page, "flow-details" + suffix, size)
    page.locator("#email").fill("maija@")
    page.locator("#phone").focus()
    page.wait_for_selector("#email-error")
    camera.shoot(page, "flow-details-checked" + suffix, size)
    page.locator("#name").fill("Maija Meikäläinen")
    page.locator("#email").fill("maija.meikalainen@example.fi")
    page.locator("#phone").fill("040 123 4567")
    page.locator("#booking-form button[type=submit]").click()
    page.wait_for_url(re.compile(r"/booking/"))
    camera.shoot(page, "flow-confirmed" + suffix, size)
    link = urlsplit(page.url).path
    page.goto(link)
    camera.shoot(page, "flow-booking-page" + suffix, size)
    page.goto(link + "/cancel")
    camera.shoot(page, "flow-cancel-question" + suffix, size)
    page.goto(link + "/move")
    camera.shoot(page, "flow-move" + suffix, size)
    page.goto(link + "/cancel")
    page.locator("#booking-actions button.danger").click()
    page.wait_for_url(re.compile(r"done=cancelled"))
    camera.shoot(page, "flow-cancelled" + suffix, size)
    context.close()


def back_office_pages(camera, size):
    context = camera.context(size)
    page = context.new_page()
    page.goto("/staff/login")
    camera.shoot(page, "staff-login", size)
    page.fill("input[type=email]", OWNER)
    page.fill("input[type=password]", PASSWORD)
    page.locator("main button[type=submit]").first.click()
    page.wait_for_url(re.compile(r"/staff/"))
    for number, path in enumerate(back_office_paths(page)):
        page.goto(path)
        camera.shoot(page, re.sub(r"[^a-z0-9]+", "-", path.lower()).strip("-")
                     or f"staff-{number}", size)
    context.close()


def busy_day():
    """The Thursday of the booking flow's week, clear of its Tuesday."""
    return next_weekday(3)


def back_office_paths(page):
    """The pages the navigation links to, then one of each kind linked from them."""
    def links():
        return page.eval_on_selector_all(
            "a[href^='/staff']", "links => links.map(l => l.getAttribute('href'))")

    seen, paths = set(), []

    def add(path):
        path = path.split("#")[0]
        shape = re.sub(r"\d+", "N", path.split("?")[0])
        if NOT_PAGES.search(path) or shape in seen or len(paths) >= MAX_BACK_OFFICE_PAGES:
            return False
        seen.add(shape)
        paths.append(path)
        return True

    # The calendar on a working day ahead, which the demo has booked: today's may be
    # over, or a Sunday.
    add(f"/staff/calendar/{busy_day().isoformat()}")
    for path in links():
        add(path)
    for path in list(paths):
        page.goto(path)
        for linked in links():
            add(linked)
    return paths


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folder", nargs="?", default="screenshots")
    parser.add_argument("--chromium", default=CHROMIUM)
    parser.add_argument("--public-only", action="store_true",
                        help="only the public pages and the booking flows")
    args = parser.parse_args()
    folder = Path(args.folder)
    folder.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="vuoro-screenshots-") as directory:
        server = Server(make_database(directory, busy_day()), workers=2, threads=2)
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, args=CHROMIUM_ARGS,
                    env={**os.environ, **CHROMIUM_ENV})
                camera = Camera(browser, server.url, folder)
                for size in PHONES:
                    public_pages(camera, size)
                booking_flow(camera, PHONES[0], "sv")
                if not args.public_only:
                    for size in DESKS:
                        back_office_pages(camera, size)
                browser.close()
        finally:
            server.stop()
    print(f"{camera.number} screenshots in {folder}/")


if __name__ == "__main__":
    main()
