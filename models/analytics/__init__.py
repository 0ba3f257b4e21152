"""The site's own visit statistics, kept on its own server and tied to no person.

Two levels. Without consent, the server counts pages as it serves them, straight into
per-day counters, one table per dimension (`counts.py`), and the booking funnel's steps
(`funnel.py`): no identifier, nothing per request. With the visitor's consent, a small
script of the site reports each view and the time the page was in the foreground
(`visits.py`); those raw rows carry a keyed hash of the address and user agent whose
salt changes every Helsinki day and is deleted after 48 hours, and they are rolled up
into per-day counts and deleted within 48 hours. `reports.py` reads the counts for the
owner's dashboard; nothing here is ever joined to customers, bookings or requests.
"""
