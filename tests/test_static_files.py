"""The site's own style sheet and scripts arrive compressed as small as they go, in the
encoding the browser accepts, and a browser that has them is answered 304."""

import gzip
import re

import brotli

BROWSER = "gzip, deflate, br, zstd"


def linked_files(client):
    page = client.get("/book", headers={"Accept-Encoding": "identity"}).get_data(as_text=True)
    return re.findall(r'(?:href|src)="(/static/[^"?]+\.(?:css|js)(?:\?[^"]*)?)"', page)


def test_style_sheet_and_scripts_come_in_brotli_and_decode_to_the_file(shop, client):
    files = linked_files(client)
    assert any("site.css" in f for f in files) and any("htmx" in f for f in files)
    for address in files:
        plain = client.get(address, headers={"Accept-Encoding": "identity"})
        answer = client.get(address, headers={"Accept-Encoding": BROWSER})
        if len(plain.data) < 1024:
            assert "Content-Encoding" not in answer.headers
            continue
        assert answer.headers["Content-Encoding"] == "br"
        assert brotli.decompress(answer.data) == plain.data
        assert "Accept-Encoding" in answer.headers["Vary"]
        # The highest quality: clearly smaller than gzip at its highest level.
        assert len(answer.data) < 0.95 * len(gzip.compress(plain.data, 9))


def test_a_browser_without_brotli_gets_gzip(shop, client):
    address = next(f for f in linked_files(client) if "htmx" in f)
    answer = client.get(address, headers={"Accept-Encoding": "gzip"})
    assert answer.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(answer.data) == client.get(
        address, headers={"Accept-Encoding": "identity"}).data


def test_a_browser_that_has_the_file_is_answered_not_modified(shop, client):
    address = next(f for f in linked_files(client) if "site.css" in f)
    for encoding in (BROWSER, "gzip", "identity"):
        first = client.get(address, headers={"Accept-Encoding": encoding})
        again = client.get(address, headers={"Accept-Encoding": encoding,
                                             "If-None-Match": first.headers["ETag"]})
        assert again.status_code == 304
    tags = {client.get(address, headers={"Accept-Encoding": e}).headers["ETag"]
            for e in (BROWSER, "gzip", "identity")}
    assert len(tags) == 3  # each encoding is its own version for a cache
