"""Lighthouse's mobile scores of the public pages, in the same run as the app it starts.

Run from the repository root, with Lighthouse installed outside the project, e.g.
    npm install --prefix /tmp/lighthouse lighthouse@13.5.0
    .venv/bin/python benchmarks/lighthouse.py \
        --lighthouse /tmp/lighthouse/node_modules/.bin/lighthouse

Starts the app in gunicorn on a temporary SQLite database with the demo business and
runs Lighthouse (mobile form factor, its default throttling) with Debian's Chromium on
each page. Prints each page's scores and every audit that did not score full marks.
The goal: performance at least 95, accessibility, best practices and SEO 100.
"""

import argparse
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from page_weight import make_database
from support import Server, next_weekday

GOALS = {"performance": 95, "accessibility": 100, "best-practices": 100, "seo": 100}


def scores(lighthouse, chromium, url, output):
    subprocess.run(
        [lighthouse, url, "--output=json", f"--output-path={output}", "--quiet",
         "--form-factor=mobile",
         "--chrome-flags=--headless=new --no-sandbox --disable-gpu"],
        env={**os.environ, "CHROME_PATH": chromium}, check=True, timeout=300)
    report = json.loads(Path(output).read_text())
    categories = {key: round(value["score"] * 100)
                  for key, value in report["categories"].items() if key in GOALS}
    missed = [f"{key} {audit['score']:.2f} {audit.get('displayValue', '')}".rstrip()
              for key, audit in report["audits"].items()
              if audit.get("score") is not None and audit["score"] < 1
              and audit.get("scoreDisplayMode") in ("binary", "numeric", "metricSavings")]
    return categories, missed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lighthouse", default="lighthouse")
    parser.add_argument("--chromium", default="/usr/bin/chromium")
    args = parser.parse_args()
    pages = ["/", "/book", "/book/2", f"/book/2?staff=1&day={next_weekday(5).isoformat()}",
             "/contact", "/privacy"]
    with tempfile.TemporaryDirectory(prefix="vuoro-lighthouse-") as directory:
        server = Server(make_database(directory), workers=2, threads=1)
        try:
            for path in pages:
                categories, missed = scores(args.lighthouse, args.chromium,
                                            server.url + path, f"{directory}/report.json")
                met = all(categories[key] >= goal for key, goal in GOALS.items())
                print(f"{path:<40} " + "  ".join(f"{k} {v}" for k, v in categories.items())
                      + f"  {'PASS' if met else 'MISS'}")
                for line in missed:
                    print(f"    {line}")
        finally:
            server.stop()


if __name__ == "__main__":
    main()
