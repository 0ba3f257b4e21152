"""The site's own files (style sheets, scripts, the icon) compressed once, at the
highest level, per app server process.

The files carry their content's hash in their address and are cached by browsers for a
year, so each is compressed once and the same bytes are sent to every visitor: Brotli at
its highest quality (some 15 % smaller than Flask-Compress's per-answer zstd at level 3
for htmx and the style sheet), gzip at 9 for a browser without Brotli. A file under 1 KB
is sent as it is: compressing it would save less than the headers weigh. The answer
carries Content-Encoding, so Flask-Compress leaves it alone.
"""

import gzip

import brotli
from flask import request

from models.booking.generation import BoundedCache

COMPRESSIBLE = ("text/css", "text/javascript", "application/javascript", "image/svg+xml")
SMALLEST_COMPRESSED = 1024
ENCODINGS = {
    "br": lambda body: brotli.compress(body, quality=11),
    "gzip": lambda body: gzip.compress(body, 9, mtime=0),
}
# A few dozen files at most, in each encoding.
COMPRESSED = BoundedCache(256)


def compressed_once(filename, response):
    """The static file's answer, its body compressed with the best encoding the browser
    accepts, computed once per file, version and encoding."""
    if (response.status_code != 200 or response.mimetype not in COMPRESSIBLE
            or "Content-Encoding" in response.headers):
        return response
    body = response.get_data()
    if len(body) < SMALLEST_COMPRESSED:
        return response
    response.vary.add("Accept-Encoding")
    encoding = request.accept_encodings.best_match(tuple(ENCODINGS))
    if encoding is None:
        return response
    etag, weak = response.get_etag()
    key = (filename, etag, encoding)
    data = COMPRESSED.get(key)
    if data is None:
        data = ENCODINGS[encoding](body)
        COMPRESSED.put(key, data)
    response.set_data(data)
    response.headers["Content-Encoding"] = encoding
    if etag:
        response.set_etag(f"{etag}-{encoding}", weak=weak)
        response.make_conditional(request)
    return response
