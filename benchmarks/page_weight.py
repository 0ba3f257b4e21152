"""Bytes a browser transfers on a first visit to a page, every resource included.

Run from the repository root: .venv/bin/python benchmarks/page_weight.py

Starts the app in gunicorn on a temporary SQLite database with the demo business, on a
free loopback port, and opens each page in real Chromium (Debian's, through Playwright)
in a fresh context, so with an empty cache. Chromium's own figures are read over the
DevTools protocol: per request, the bytes received (Network.loadingFinished's
encodedDataLength: headers and the body as sent, compressed), the body as sent (that
minus the headers' bytes at Network.responseReceived) and the body after decoding (the
sum of Network.dataReceived's dataLength). Chromium asks for zstd, br and gzip, so the
app's Flask-Compress answers with zstd; the same resources are then fetched once more
with urllib asking for gzip only, as an older client would, for comparison.

Headless Chromium does not ask for the page's icon, which an ordinary window does; when
it has not, the script fetches it from the page (a same-origin fetch, so the same
request headers and the same accounting) and counts it with the rest.

The goal: a first visit transfers under 35 KB (counted as 35 000 bytes), per page, and
nothing from another host.
"""

import argparse
import re
import sys
import tempfile
import time
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from playwright.sync_api import sync_playwright
from support import Server, next_weekday

import models
from models import demo, schema

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-background-networking", "--disable-component-update",
    "--disable-sync", "--disable-gpu", "--no-first-run",
]
GOAL_BYTES = 35_000
SERVICE_ID = 2


class Transfers:
    """What Chromium says it received, per request, from Network.* events."""

    def __init__(self, cdp):
        self.requests = {}
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.responseReceived", self._response)
        cdp.on("Network.dataReceived", self._data)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)

    def _entry(self, request_id):
        return self.requests.setdefault(request_id, {
            "url": "", "type": "", "status": None, "encoding": "", "headers": 0,
            "decoded": 0, "received": None, "failed": None,
        })

    def _sent(self, event):
        entry = self._entry(event["requestId"])
        entry["url"] = event["request"]["url"]
        entry["type"] = event.get("type", "")

    def _response(self, event):
        entry = self._entry(event["requestId"])
        response = event["response"]
        headers = {k.lower(): v for k, v in response.get("headers", {}).items()}
        entry["status"] = response.get("status")
        entry["encoding"] = headers.get("content-encoding", "-")
        entry["headers"] = int(response.get("encodedDataLength", 0))
        entry["type"] = event.get("type", entry["type"])

    def _data(self, event):
        self._entry(event["requestId"])["decoded"] += event["dataLength"]

    def _finished(self, event):
        self._entry(event["requestId"])["received"] = int(event["encodedDataLength"])

    def _failed(self, event):
        self._entry(event["requestId"])["failed"] = event.get("errorText", "failed")

    def done(self):
        return [entry for entry in self.requests.values()
                if entry["received"] is not None or entry["failed"]]


def browser_visit(browser, url):
    """The requests of a first visit to `url` in a fresh context."""
    context = browser.new_context()
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        transfers = Transfers(cdp)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": False})
        response = page.goto(url, wait_until="networkidle")
        if response is None or response.status >= 400:
            raise RuntimeError(f"{url} answered {response and response.status}")
        icon = page.evaluate(
            "() => { const l = document.querySelector('link[rel~=icon]');"
            " return l ? l.href : null; }"
        )
        fetched_icon = False
        if icon and not any(e["url"] == icon for e in transfers.requests.values()):
            page.evaluate("async (u) => { const r = await fetch(u);"
                          " await r.arrayBuffer(); }", icon)
            fetched_icon = True
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and any(
            e["received"] is None and not e["failed"] for e in transfers.requests.values()
        ):
            page.wait_for_timeout(50)
        return transfers.done(), fetched_icon
    finally:
        context.close()


def urllib_size(url, encoding):
    """(bytes on the wire with headers, body bytes as sent, content-encoding) of
    `url` fetched with Accept-Encoding: `encoding`."""
    request = urllib.request.Request(url, headers={"Accept-Encoding": encoding})
    with urllib.request.urlopen(request, timeout=30) as response:
        body = response.read()  # urllib does not decode: these are the bytes sent
        status_line = f"HTTP/1.1 {response.status} {response.reason}\r\n"
        headers = len(status_line) + len(str(response.headers).replace("\n", "\r\n"))
        return headers + len(body), len(body), response.headers.get(
            "Content-Encoding", "-")


def short(url, origin):
    text = url[len(origin):] if url.startswith(origin) else url
    return text if len(text) <= 58 else text[:55] + "..."


def measure_page(browser, origin, label, path):
    url = origin + path
    entries, fetched_icon = browser_visit(browser, url)
    inline = [e for e in entries if e["url"].startswith("data:")]
    entries = [e for e in entries if not e["url"].startswith("data:")]
    print(f"\n{label}: {path}")
    print(f"  {'resource':<58} {'type':<10}{'status':>6} {'encoding':<9}"
          f"{'received':>9}{'body':>8}{'decoded':>9}")
    total = body_total = decoded_total = 0
    failures = 0
    for entry in entries:
        if entry["failed"]:
            failures += 1
            print(f"  {short(entry['url'], origin):<58} FAILED: {entry['failed']}")
            continue
        body = entry["received"] - entry["headers"]
        total += entry["received"]
        body_total += body
        decoded_total += entry["decoded"]
        print(f"  {short(entry['url'], origin):<58} {entry['type']:<10}"
              f"{entry['status']:>6} {entry['encoding']:<9}{entry['received']:>9}"
              f"{body:>8}{entry['decoded']:>9}")
    print(f"  {'total, ' + str(len(entries)) + ' requests':<58} {'':<10}{'':>6} "
          f"{'':<9}{total:>9}{body_total:>8}{decoded_total:>9}")
    for entry in inline:
        print(f"  (and {short(entry['url'], origin)}: {entry['decoded']} bytes from a "
              "data: URL, nothing transferred: Chromium's own calendar icon of the "
              "date field, not one of the site's files)")
    if fetched_icon:
        print("  (headless Chromium did not ask for the icon; it was fetched from the "
              "page and is counted)")
    third_party = [e["url"] for e in entries
                   if urlsplit(e["url"]).netloc not in ("", urlsplit(origin).netloc)
                   and not e["url"].startswith("data:")]
    if third_party:
        print(f"  requests to other hosts: {third_party}")

    gzip_total = gzip_body = 0
    print("  the same resources with urllib, Accept-Encoding: gzip")
    for entry in entries:
        if entry["failed"] or not entry["url"].startswith(origin):
            continue
        wire, body, encoding = urllib_size(entry["url"], "gzip")
        gzip_total += wire
        gzip_body += body
        print(f"    {short(entry['url'], origin):<58} {encoding:<9}{wire:>9}{body:>8}")
    print(f"    {'total':<58} {'':<9}{gzip_total:>9}{gzip_body:>8}")
    return {"label": label, "path": path, "chromium": total, "gzip": gzip_total,
            "failures": failures, "requests": len(entries)}


def make_database(directory):
    url = f"sqlite:///{Path(directory) / 'vuoro.db'}"
    models.open_database(url)
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
    models.db.close()
    return url


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--chromium", default=CHROMIUM)
    args = parser.parse_args()
    if not Path(args.chromium).exists():
        sys.exit(f"no Chromium at {args.chromium}")
    began = time.perf_counter()
    print(f"page_weight: first visits in Chromium ({args.chromium}), fresh context each; "
          f"goal: under {GOAL_BYTES} bytes per page")
    with tempfile.TemporaryDirectory(prefix="vuoro-weight-") as directory:
        server = Server(make_database(directory), workers=2, threads=1)
        origin = server.url
        try:
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(
                    executable_path=args.chromium, args=CHROMIUM_ARGS, headless=True
                )
                print(f"Chromium {browser.version}")
                try:
                    results = run(browser, origin)
                finally:
                    browser.close()
        finally:
            server.stop()
    report(results)
    print(f"\ntotal time {time.perf_counter() - began:.0f} s")


def run(browser, origin):
    results = [measure_page(browser, origin, "the times page (booking page)",
                            f"/book/{SERVICE_ID}")]
    results.append(measure_page(browser, origin, "the home page", "/"))
    # The details form of the first free time on a Tuesday two weeks ahead, found the
    # way a customer finds it: a link on that day's times page.
    day_path = f"/book/{SERVICE_ID}?staff=any&day={next_weekday(1).isoformat()}"
    with urllib.request.urlopen(origin + day_path, timeout=30) as response:
        day_page = response.read().decode()
    link = re.search(rf'href="(/book/{SERVICE_ID}/details\?[^"]+)"', day_page)
    if link is None:
        raise RuntimeError(f"no free time on {day_path}")
    details_path = link.group(1).replace("&amp;", "&")
    results.append(measure_page(browser, origin, "the details form", details_path))
    return results


def report(results):
    print(f"\nsummary (bytes received, headers included; goal under {GOAL_BYTES})")
    print(f"  {'page':<32}{'requests':>9}{'Chromium':>10}{'gzip only':>11}  goal")
    for result in results:
        met = result["chromium"] < GOAL_BYTES and not result["failures"]
        print(f"  {result['label']:<32}{result['requests']:>9}{result['chromium']:>10}"
              f"{result['gzip']:>11}  {'PASS' if met else 'MISS'}"
              f"{'' if result['gzip'] < GOAL_BYTES else ' (gzip only: over)'}")


if __name__ == "__main__":
    main()
