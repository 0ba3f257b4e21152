"""Hostile input never gets a server error.

The fuzz test crawls the site as an anonymous visitor, as staff and as the owner, then
sends a fixed corpus of hostile values (tests/hostile.py) to every route of the url_map:
in each part of its path (also with the real ids the crawl found), in each query
parameter the code reads, in the headers, in each field of every form the pages show
(with valid CSRF and form tokens, so that the forms are really reached), and bodies of
the wrong kind to every POST route. Any answer of 500 or more fails it, listing each
request that got one. `-s` shows how many requests and routes it made."""

from datetime import UTC, datetime
from functools import partial

import hostile
import pytest
from hostile import BODIES, HOSTILE, HOSTILE_HEADERS, Fuzzer, Site, Visitor, encoded

import models
import worker
from models import consents, my_data
from models.customers import Customer
from views.consent import unsubscribe_key

ROLES = ("anonymous", "staff", "owner")


@pytest.fixture
def visitors(app, owner, staff_account):
    hostile.record_reads(app)
    found = {"anonymous": Visitor("anonymous", app.test_client()),
             "staff": Visitor("staff", app.test_client(), staff_account.email),
             "owner": Visitor("owner", app.test_client(), owner.email)}
    for visitor in found.values():
        assert not visitor.email or visitor.log_in()
    return found


def secret_addresses(app):
    """The addresses only an e-mail would give: a my-data link, the view it opens, and an
    unsubscribe link (the booking links come from booking through the form)."""
    with app.test_request_context(), models.db.connection_context():
        customer = Customer.select().order_by(Customer.id).first()
        now = datetime.now(UTC)
        view, _ = my_data.redeem(my_data.create_link(customer, now), now)
        token = my_data.create_link(customer, now)
        key = unsubscribe_key(consents.give(customer))
    return [f"/my-data/{token}", f"/my-data/view/{view}", f"/unsubscribe/{key}"]


def roots(app):
    return sorted(rule.rule for rule in app.url_map.iter_rules()
                  if "GET" in rule.methods and not rule.arguments)


def crawl(site, visitors, app, extra=()):
    with hostile.forms_opened_long_ago():
        for role in ROLES:
            site.crawl(visitors[role], [*roots(app), *extra])


def post_forms(fuzzer, site, visitors, done):
    """Each form found, with each hostile value: first in all its fields at once; then
    in each field the answer did not mark invalid alone, the other fields as the page
    filled them in or as a person would, so that the value gets as far as it can. The
    addresses the forms led to (a booking's own page, say)."""
    led_to = []
    for key, (role, action, form) in list(site.forms.items()):
        if key in done:
            continue
        done.add(key)
        kinds = form.kinds()
        # A checkbox's value is never read as text, and ticking every box would turn
        # on, say, two-factor login for everyone. A form of buttons alone (log out,
        # disable an account) has nothing to fill in: the wrong bodies reach it.
        fuzzed = [name for name in form.families()
                  if not name.endswith("csrf_token") and kinds[name] != "checkbox"]
        read = set()
        for number, value in enumerate(HOSTILE if fuzzed else ()):
            unrendered = {hostile.family(name) for name in read} - {
                hostile.family(name) for name in form.names()}
            names = fuzzed + sorted(unrendered)
            post = partial(post_form, fuzzer, visitors[role], action, form,
                           htmx=bool(number % 2))
            answers = [post({name: value for name in names})]
            refused = hostile.parse_page(answers[0].text).refused if answers[0].text else ()
            answers += [post({name: value}) for name in names if name not in refused]
            for answer in answers:
                read |= answer.read
                if answer.status == 303 and answer.location:
                    led_to.append(answer.location)
    return led_to


def post_form(fuzzer, visitor, action, form, changes, htmx):
    """`form` as a person would send it, with `changes`."""
    fields = {}
    for entry in form.inputs:
        if entry.sent:
            # Each sending gives another address and number, so that the limits per
            # address do not stop the form before it is read.
            value = entry.value or hostile.plausible(entry, fuzzer.requests)
            fields.setdefault(entry.name, []).append(value)
    fields.update({name: [value] for name, value in changes.items()})
    for name in fields:
        if name.endswith("csrf_token") and visitor.csrf:
            fields[name] = [visitor.csrf]
    path, _, query = action.partition("?")
    return fuzzer.send(visitor, "POST", path, query=query,
                       body=encoded((k, v) for k, values in fields.items() for v in values),
                       content_type="application/x-www-form-urlencoded",
                       headers={"HX-Request": "true"} if htmx else {})


def role_for(site, rule):
    """The visitor who sends to `rule`: the least privileged one who found it, or the
    owner, who reaches every page."""
    return site.finders.get(rule.rule, "owner")


def get_every_route(fuzzer, site, visitors, app):
    """Every GET route: each path part hostile; then at a real address each query
    parameter the code reads with each hostile value; and hostile headers."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods:
            continue
        visitor = visitors[role_for(site, rule)]
        addresses = site.addresses.get(rule.rule) or []
        real = addresses[0] if addresses else None
        for path in hostile.hostile_paths(rule, fuzzer, real):
            fuzzer.send(visitor, "GET", path)
        if real is None:
            continue
        path, _, query = real.partition("?")
        fuzzer.send(visitor, "GET", path, query=query, headers=HOSTILE_HEADERS)
        if rule.endpoint == "static":
            continue
        read = set(fuzzer.send(visitor, "GET", path, query=query).read)
        probe = {name: "1" for name in read}
        read |= fuzzer.send(visitor, "GET", path, query=encoded(probe.items())).read
        for name in sorted(read | site.query_names[rule.rule]):
            for number, value in enumerate(HOSTILE):
                fuzzer.send(visitor, "GET", path, query=encoded([(name, value)]),
                            headers={"HX-Request": "true"} if number % 2 else {})


def post_wrong_bodies(fuzzer, site, visitors, app):
    """Every POST route, at a real address and with a hostile id, with bodies of the
    wrong kind; the anonymous visitor's routes first, then staff's, then the owner's
    (who may disable the staff account meanwhile)."""
    posted_to = {rule: (role, action) for (rule, _), (role, action, _) in site.forms.items()}
    sendings = []
    for rule in app.url_map.iter_rules():
        if "POST" in rule.methods:
            role, real = posted_to.get(rule.rule) or (
                role_for(site, rule), (site.addresses.get(rule.rule) or [None])[0])
            paths = [real.split("?")[0]] if real else []
            paths += list(hostile.hostile_paths(rule, fuzzer, real))[:1]
            sendings += [(ROLES.index(role), path) for path in paths or [rule.rule]]
    for role, path in sorted(sendings):
        for content_type, body in BODIES:
            fuzzer.send(visitors[ROLES[role]], "POST", path, body=body, content_type=content_type)


def test_no_hostile_request_gets_a_server_error(app, visitors, capsys):
    fuzzer = Fuzzer(app)
    site = Site(fuzzer)
    crawl(site, visitors, app, secret_addresses(app))
    done = set()
    led_to = post_forms(fuzzer, site, visitors, done)
    with app.app_context(), models.db.connection_context():
        written = worker.send_due()  # the saved messages, and the links in them
    site.seen.clear()  # once more, now that the forms have made requests and bookings
    crawl(site, visitors, app, led_to)
    post_forms(fuzzer, site, visitors, done)
    get_every_route(fuzzer, site, visitors, app)
    post_wrong_bodies(fuzzer, site, visitors, app)

    rules = {(rule.rule, method) for rule in app.url_map.iter_rules()
             for method in rule.methods - {"HEAD", "OPTIONS"}}
    with capsys.disabled():
        print(f"\nhostile input: {fuzzer.requests} requests to {len(fuzzer.routes)} of "
              f"{len(rules)} routes, {len(site.forms)} forms; {len(fuzzer.failures)} "
              f"answers of 500 or more")
    assert not fuzzer.failures, "\n".join(fuzzer.failures[:200])
    assert written.failed == 0, "a message queued from a form could not be written"
    assert rules <= fuzzer.routes, f"never reached: {sorted(rules - fuzzer.routes)}"
