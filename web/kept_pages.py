"""Pages of free times kept per app server process, by the calendar's generation.

A page of free times depends on what is written in the calendar (which the generation
names: models/booking/generation.py), on the minute (the minimum notice moves the
earliest bookable time on), and on the request: its address, whether HTMX asked for
the fragment, the language, whether the cookie banner shows. A request whose page is
kept costs one look-up of the generation by primary key and a dictionary look-up.

Each answer carries an ETag, the hash of what it holds, so a browser (or a proxy) that
asks again with If-None-Match gets a 304 while the page is the same, also after the
minute has moved on or on another app server. Its compressed bytes are kept too, by the
same hash and the compression (Flask-Compress's cache: `compression_key`,
`CompressedPages`), so a kept page is compressed once, not on every answer.

The page holds no form token and nothing of a visitor (a customer's details are asked
for on the next page, which is not kept), so one kept page serves every visitor.
"""

import hashlib
from functools import wraps

from flask import g, make_response, request

from engines import clock
from models.booking.generation import BoundedCache, current_generation, whole_minute
from web.analytics import statistics_page
from web.cookies import banner_needed
from web.formatting import language

# Some 10 KB each, uncompressed: at most a few MB per process.
PAGES = BoundedCache(512)
# The same pages compressed, 1-2 KB each, by ETag and compression.
COMPRESSED = BoundedCache(1024)
# Answers that may be kept: the page, or the same page with a word at a field.
KEPT_STATUSES = (200, 422)
# A browser keeps the page but asks (If-None-Match) before it shows it again.
CACHE_CONTROL = "no-cache"


class Kept:
    __slots__ = ("body", "content_type", "etag", "status")

    def __init__(self, body, status, content_type):
        self.body, self.status, self.content_type = body, status, content_type
        digest = hashlib.blake2b(body, digest_size=12)
        digest.update(str(status).encode())
        self.etag = digest.hexdigest()


def _page_key(generation, moment):
    htmx = request.htmx
    return (
        request.endpoint,
        request.full_path,
        bool(htmx), bool(htmx and htmx.boosted), bool(htmx and htmx.history_restore_request),
        language(),
        banner_needed(),
        statistics_page(),
        generation,
        moment,
    )


def kept_by_generation(view):
    """Answer a GET of `view` from the page kept for this generation and minute, or
    render it and keep it. The view gets the moment to compute for (`moment`: now,
    rounded up to the whole minute, the same for every request the kept page answers)
    and the `generation` it was read at (None: keep nothing by it)."""

    @wraps(view)
    def answer(**arguments):
        moment = whole_minute(clock.now())
        generation = current_generation()
        if generation is None:  # nothing can be kept: the generation row is missing
            return view(moment=moment, generation=None, **arguments)
        key = _page_key(generation, moment)
        kept = PAGES.get(key)
        if kept is None:
            response = view(moment=moment, generation=generation, **arguments)
            if response.status_code not in KEPT_STATUSES or response.is_streamed:
                return response
            kept = Kept(response.get_data(), response.status_code, response.content_type)
            PAGES.put(key, kept)
        return _response(kept)

    return answer


def _response(kept):
    if request.if_none_match.contains_weak(kept.etag):
        response = make_response("", 304)
    else:
        response = make_response(kept.body, kept.status)
        response.content_type = kept.content_type
    response.set_etag(kept.etag, weak=True)
    g.kept_page_etag = kept.etag
    response.headers["Cache-Control"] = CACHE_CONTROL
    response.vary.add("HX-Request")
    response.vary.add("Cookie")
    return response


def compression_key(request):
    """Flask-Compress's key of a response's compressed bytes: the ETag of a kept page,
    "" for every other answer (which is compressed anew)."""
    return g.get("kept_page_etag", "")


class CompressedPages:
    """Flask-Compress's cache: the compressed bytes of kept pages only."""

    def get(self, key):
        return None if key.endswith(";") else COMPRESSED.get(key)

    def set(self, key, value):
        if not key.endswith(";"):
            COMPRESSED.put(key, value)
