"""Hostile input never gets a server error.

The fuzz test crawls the site as an anonymous visitor, as staff and as the owner, then
sends a fixed corpus of hostile values (tests/hostile.py) to every route of the url_map:
in each part of its path (also with the real ids the crawl found), in each query
parameter the code reads, in the headers, in each field of every form the pages show
(with valid CSRF and form tokens, so that the forms are really reached), and bodies of
the wrong kind to every POST route. Any answer of 500 or more fails it, listing each
request that got one. `-s` shows how many requests and routes it made."""

import re
from datetime import UTC, datetime, time, timedelta
from functools import partial

import hostile
import pytest
from hostile import BODIES, HOSTILE, HOSTILE_HEADERS, Fuzzer, Site, Visitor, encoded
from support import form_fields, next_weekday, translated

import models
import worker
from engines.clock import HELSINKI
from models.booking.bookings import Booking
from models.people.customers import Customer
from models.privacy import consents, my_data
from web.forms import LINE_BREAK_TYPED, UNSTORABLE_TYPED

HTMX = {"HX-Request": "true"}

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
        key = consents.unsubscribe_key(consents.give(customer), app.secret_key)
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


# Some 4 800 requests: a minute or two on an idle machine, longer on a shared one.
@pytest.mark.timeout(1200)
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


# One test per finding, named for what a person notices ---------------------------------

CLASSIC_60 = 2
NAME = "Liisa Laine"


@pytest.fixture
def customer(app, shop):
    """A customer who reads the site in English."""
    client = app.test_client()
    client.set_cookie("lang", "en")
    return client


def booking_form(client, **changes):
    """The details form of a free time, filled in, with `changes`."""
    start = datetime.combine(next_weekday(1), time(10), HELSINKI).astimezone(UTC)
    page = client.get(f"/book/{CLASSIC_60}/details",
                      query_string={"staff": "any", "start": start.strftime("%Y-%m-%dT%H:%MZ")})
    assert page.status_code == 200
    return {**form_fields(page.text), "name": NAME, "email": "liisa@example.com",
            "phone": "040 765 4321", **changes}


def book(client, fields, headers=None):
    return client.post(f"/book/{CLASSIC_60}/details", data=fields, headers=headers or {})


def error_at(html, field_id):
    found = re.search(rf'<p class="error" id="{field_id}-error">([^<]*)</p>', html)
    return found.group(1) if found else None


def bookings():
    """The bookings of the customer filling in the form (the demo has others)."""
    with models.db.connection_context():
        return list(Booking.select().join(Customer)
                    .where(Customer.email == "liisa@example.com"))


def test_invisible_control_characters_in_a_name_are_refused_at_the_field(customer):
    response = book(customer, booking_form(customer, name="Liisa\x00 La\x1bine\x85"))
    assert response.status_code == 422
    assert error_at(response.text, "name") == UNSTORABLE_TYPED
    assert 'value="Liisa Laine"' in response.text  # what was typed, less what cannot be kept
    assert 'value="liisa@example.com"' in response.text
    assert bookings() == []


def test_a_line_break_in_a_name_is_refused_and_the_rest_kept(customer):
    response = book(customer, booking_form(customer, name="Liisa\r\nLaine"), headers=HTMX)
    assert response.status_code == 422
    assert error_at(response.text, "name") == LINE_BREAK_TYPED
    assert 'value="Liisa Laine"' in response.text
    assert bookings() == []


def test_the_refusal_is_in_the_visitors_language(app, shop):
    finnish = app.test_client()  # no language chosen: Finnish
    response = book(finnish, booking_form(finnish, name="Liisa\x00"))
    assert error_at(response.text, "name") == translated("fi", str(UNSTORABLE_TYPED))


def test_a_message_keeps_its_line_breaks_and_tabs(customer):
    fields = booking_form(customer, message="Hei!\r\n\tOvikoodi 1234.\rKiitos")
    assert book(customer, fields).status_code == 303
    assert bookings()[0].message == "Hei!\n\tOvikoodi 1234.\nKiitos"


def test_control_characters_in_an_address_get_a_clear_page(staff_client):
    response = staff_client.get("/staff/customers/", query_string={"q": "Matti\x00"})
    assert response.status_code == 400
    assert translated("fi", "This address has characters that no link of ours has "
                            "(invisible control characters), so it cannot be opened. Check "
                            "the address, or start again from the home page.") in response.text


def test_a_superscript_digit_for_the_person_gets_the_form_back(customer):
    response = book(customer, booking_form(customer, staff="²", privacy_version="²"))
    assert response.status_code == 422
    assert 'value="Liisa Laine"' in response.text
    assert bookings() == []


def test_a_superscript_page_number_shows_the_first_page(staff_client):
    assert staff_client.get("/staff/customers/?page=²").status_code == 200
    assert staff_client.get("/staff/customers/?page=" + "9" * 5000).status_code == 200


def test_a_day_in_year_9999_says_until_when_times_can_be_booked(customer):
    response = customer.get(f"/book/{CLASSIC_60}?day=9999-12-31")
    last_day = (datetime.now(HELSINKI) + timedelta(days=60)).date()
    assert response.status_code == 422
    assert error_at(response.text, "day").startswith("Times can be booked until")
    assert f'value="{last_day.isoformat()}"' in response.text


def test_a_past_day_shows_the_times_from_today(customer):
    response = customer.get(f"/book/{CLASSIC_60}?day=2000-01-01")
    assert response.status_code == 422
    assert error_at(response.text, "day") == ("That day has passed. Here are the free times "
                                              "from today on.")


def test_an_id_larger_than_64_bits_names_nothing(customer, staff_client):
    assert customer.get("/privacy/9223372036854775808").status_code == 404
    assert customer.get("/book/99999999999999999999999").status_code == 404
    assert staff_client.get("/staff/customers/9223372036854775808").status_code == 404
    assert customer.get("/privacy/9223372036854775807").status_code == 404  # the largest


def test_an_unsatisfiable_range_of_a_static_file_is_answered_416(customer):
    response = customer.get("/static/css/site.css", headers={"Range": "bytes=99999999-"})
    assert response.status_code == 416
    assert response.headers["Content-Range"].startswith("bytes */")


def test_a_wrong_method_keeps_its_status_and_allow_header(customer):
    response = customer.put("/contact")
    assert response.status_code == 405 and "POST" in response.headers["Allow"]


def test_a_form_sent_as_json_gets_the_form_back(customer, owner_client):
    for body in (b'{"name": ["a", {"b": 1}], "email": 5}', b"[1, 2]"):
        response = customer.post(f"/book/{CLASSIC_60}/details", data=body,
                                 content_type="application/json")
        assert response.status_code == 422
        response = owner_client.post("/staff/settings/business", data=body,
                                     content_type="application/json",
                                     headers={"X-CSRFToken": owner_client.csrf})
        assert response.status_code == 422
    assert bookings() == []


def test_the_retention_page_opens_as_an_htmx_request(owner_client):
    assert owner_client.get("/staff/records/retention", headers=HTMX).status_code == 200


def test_a_5000_digit_row_number_adds_no_row(owner_client):
    page = owner_client.get("/staff/settings/staff/1")
    fields = dict(re.findall(r'name="(days-[^"]+)" value="([^"]*)"', page.text))
    response = owner_client.post("/staff/settings/staff/1/hours", data={
        **fields, "csrf_token": owner_client.csrf, "add_row": "9" * 5000})
    assert response.status_code == 200
