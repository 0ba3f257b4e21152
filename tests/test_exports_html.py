"""The exports pages are valid HTML (checked with the Nu Html Checker, as
tests/test_html_validity.py checks every page)."""

import json
import subprocess

from support import post
from test_exports import run_worker
from test_html_validity import checker

BACK_OFFICE_LANGUAGE = "en"


def test_exports_pages_are_valid_html(owner_client, app, tmp_path):
    command = checker()
    pages = {"index": owner_client.get("/staff/exports/").text,
             "refused": post(owner_client, "/staff/exports/", {"format": "x"}).text}
    job = post(owner_client, "/staff/exports/", {"tables": ["customers"], "format": "json"})
    pages["waiting"] = owner_client.get(job.headers["Location"]).text
    run_worker(app)
    pages["ready"] = owner_client.get(job.headers["Location"]).text
    pages["listed"] = owner_client.get("/staff/exports/").text
    owner_client.get(job.headers["Location"] + "/download").close()
    pages["gone"] = owner_client.get(job.headers["Location"] + "/download").text
    files = []
    for name, html in pages.items():
        path = tmp_path / f"{name}.html"
        path.write_text(html, encoding="utf-8")
        files.append(str(path))
    result = subprocess.run([*command, *files], capture_output=True, text=True)
    messages = json.loads(result.stderr or result.stdout or '{"messages": []}')["messages"]
    assert [(message["url"].rsplit("/", 1)[-1], message["message"])
            for message in messages] == []
