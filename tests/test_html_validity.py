"""Every page is valid HTML by the Nu Html Checker (vnu), the W3C's validator: each GET
route of the site, public and back office, with real records behind its addresses, and
the forms answered with errors. The checker runs once over all the pages.

It needs Java and the checker's jar: VUORO_VNU_JAR, or the `vnu-jar` npm package that
`.ci/run` installs into .ci/cache/ (without them the test is skipped, except in CI)."""

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

import money_support
import pytest
from support import (
    CLASSIC_60,
    HOME_VISIT,
    ROOT,
    form_fields,
    log_in,
    next_weekday,
    post,
)

import models
import worker
from engines import clock
from engines.clock import HELSINKI
from models.accounts.users import User, invite
from models.exports.jobs import request_export
from models.money import invoicing, reminders
from models.money.counter import make_sale
from models.money.vouchers import Invoice
from models.people.contact_requests import ContactDetails
from models.people.contact_requests import receive as receive_contact
from models.people.customers import Customer
from models.privacy import consents
from models.privacy.breaches import Breach
from models.privacy.consents import unsubscribe_key
from models.privacy.data_requests import ERASURE, PHONE
from models.privacy.data_requests import receive as receive_request
from models.privacy.my_data import create_link
from models.privacy.statements import HOSTING, add_processor

CI_JAR = ROOT / ".ci" / "cache" / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
# Addresses that answer with no page of their own: files, redirects, the health check.
NOT_PAGES = {
    "static", "public.health", "public.choose_language", "booking.calendar_file",
    "my_data.download", "owner.audit_export", "records.processing_csv", "exports.download",
    "analytics.download",
    "calendar.this_week", "calendar.day",  # redirect to their day's address
    "sent_mail.saved_file_html",  # the e-mail's own HTML, checked as mail, not a page
    "money.invoice_pdf", "money.receipt_pdf", "money.reminder_pdf",  # PDF downloads
    "public.brand_image", "public.brand_css",  # the business's pictures and colours
}


def checker():
    """The command that runs vnu, or a skip saying what is missing."""
    java = shutil.which("java")
    jar = os.environ.get("VUORO_VNU_JAR") or (str(CI_JAR) if CI_JAR.is_file() else None)
    if java is None or jar is None:
        pytest.skip("the Nu Html Checker needs Java and its jar: install the vnu-jar npm "
                    "package (as .ci/run does) or set VUORO_VNU_JAR to vnu.jar")
    return [java, "-jar", jar, "--errors-only", "--format", "json"]


@pytest.fixture
def records(app, shop, owner):
    """A record behind every kind of address: a booking made online (its token), a
    customer with her consent and a my-data view, a contact request, a request about
    data, a breach, a processor, an invitation and a saved e-mail file."""
    client = app.test_client()
    start = datetime.combine(next_weekday(1), time(10), HELSINKI).astimezone(UTC).strftime(
        "%Y-%m-%dT%H:%MZ")
    form = client.get(f"/book/{CLASSIC_60}/details", query_string={"start": start})
    booked = client.post(f"/book/{CLASSIC_60}/details", data={
        **form_fields(form.text), "name": "Liisa Laine", "email": "liisa@example.com",
        "phone": "040 765 4321", "marketing": "y"})
    assert booked.status_code == 303, booked.text
    booking_token = booked.headers["Location"].removesuffix("?done=booked").rsplit("/", 1)[1]
    with app.test_request_context(), models.db.connection_context():
        customer = Customer.get(Customer.email == "liisa@example.com")
        consent = consents.give(customer)
        unsubscribe = unsubscribe_key(consent, app.secret_key)
        contact = receive_contact(ContactDetails(
            name="Ville Virtanen", email="ville@example.fi", phone="", subject="booking",
            message="Onko lauantaina tilaa?", preferred_reply="email", language="fi"), "k1")
        data_request = receive_request(
            ERASURE, customer=customer, name="Liisa Laine", email="liisa@example.com",
            source=PHONE, identity_check="Asked her address", language="fi",
            details="Poistakaa tietoni", user=owner.id)
        breach = Breach.create(what_happened="Puhelin katosi", noticed_at=clock.utc_now(),
                               data_affected="Asiakkaiden nimet", risk="risk")
        processor = add_processor("Palvelin Oy", HOSTING, "FI")
        invitation = invite(User.create(email="uusi@hieronta.example", name="Uusi",
                                        role="staff"))
        link = create_link(customer, datetime.now(UTC))
        sale_id, invoice_id = money_records()
        export = request_export(owner.id, ["customers"], "xlsx", "fi")  # being made
    opened = client.post(f"/my-data/{link}")
    assert opened.status_code == 303, opened.text
    with app.app_context(), models.db.connection_context():
        worker.send_due()  # no SMTP server: saved as .eml files
    mail_file = sorted((Path(app.instance_path) / "mail").glob("*.eml"))[0].name
    return {
        "service_id": CLASSIC_60, "staff_id": 1, "booking_id": 1, "customer_id": customer.id,
        "other_id": 2, "request_id": contact.id, "user_id": owner.id, "version": 1,
        "breach_id": breach.id, "processor_id": processor.id, "day": next_weekday(1)
        .isoformat(), "name": mail_file, "booking_token": booking_token,
        "my_data_token": create_link_token(app, customer), "invitation": invitation,
        "key": opened.headers["Location"].rsplit("/", 1)[1], "unsubscribe": unsubscribe,
        "data_request_id": data_request.id, "start": start, "sale_id": sale_id,
        "invoice_id": invoice_id, "job_id": export.id,
    }


def money_records():
    """A receipt, an issued invoice with a business buyer, overdue by 19 days so that its
    page has the payment reminder form with its fee, and a draft (its page is the
    invoice's id + 1): the money pages' records."""
    money_support.seller()
    matti = Customer.get_by_id(1)
    sale = make_sale(matti, [money_support.past_booking(hour=9).id], [], "cash")
    booking = money_support.past_booking(hour=11, days_ago=25)
    clock.CLOCK.shift(days=-20)  # issued 20 days ago, due the day after
    try:
        invoice = invoicing.create_draft(booking)
        invoicing.set_buyer(invoice.id, invoicing.BuyerDetails(
            name="Yritys Oy", street="Katu 1", postal_code="00100", town="Helsinki",
            business_id="2077474-0", ovt="003720774740", operator="003723327487"))
        invoicing.issue(invoice.id, clock.today() + timedelta(days=1))
    finally:
        clock.CLOCK.reset()
    assert reminders.can_remind(Invoice.get_by_id(invoice.id))
    invoicing.create_draft(money_support.past_booking(hour=13))
    return sale.id, invoice.id


def create_link_token(app, customer):
    with models.db.connection_context():
        return create_link(customer, datetime.now(UTC))


def address(rule, values):
    """The rule's URL with real values, or None when it takes one this walk lacks."""
    path = rule.rule
    for name in rule.arguments:
        if name == "token":
            value = {"auth.invitation": values["invitation"],
                     "my_data.open_link": values["my_data_token"]}.get(
                rule.endpoint, values["booking_token"])
        elif name == "key":
            value = values["unsubscribe" if rule.endpoint.startswith("consent.") else "key"]
        elif name == "request_id" and rule.endpoint.startswith(("data_requests.", "erasure.")):
            value = values["data_request_id"]
        else:
            value = values[name]
        path = re.sub(rf"<(?:[^:<>]+:)?{name}>", str(value), path)
    return path


def pages(app, values):
    """(name, HTML) of every page: each GET route as the owner (the public ones as a
    visitor), and the forms that answer with their errors."""
    visitor = app.test_client()
    owner = log_in(app.test_client(), "olli@hieronta.example")
    found = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda rule: rule.rule):
        if "GET" not in rule.methods or rule.endpoint in NOT_PAGES:
            continue
        url = address(rule, values)
        if rule.endpoint == "booking.details":
            url += f"?start={values['start']}"
        elif rule.endpoint == "booking.new_time":
            url += f"?start={values['start']}&staff=any"
        elif rule.endpoint == "auth.login":
            url = "/staff/login"
        client = owner if rule.rule.startswith("/staff") and rule.endpoint not in (
            "auth.login", "auth.code", "auth.invitation") else visitor
        response = client.get(url)
        assert response.status_code < 500, (url, response.status_code)
        if response.mimetype == "text/html" and response.status_code != 302:
            found.append((url, response.text))
    draft = f"/staff/money/invoices/{values['invoice_id'] + 1}"
    for url in (draft, f"/staff/money/receipts/{values['sale_id']}?paper=roll"):
        found.append((url, owner.get(url).text))
    for url, data in ((f"{draft}/buyer", {"name": "", "business_id": "2077474-1"}),
                      (f"{draft}/rows", {"description": "Öljy", "price": "-1"}),
                      (f"{draft}/issue", {"due_date": "1.1.2000"})):
        response = post(owner, url, data)
        assert response.status_code == 422, (url, response.status_code)
        found.append((f"{url} (with errors)", response.text))
    home_visit = datetime.combine(next_weekday(1), time(14), HELSINKI).astimezone(UTC)
    for url in ("/no-such-page", f"/book/{HOME_VISIT}/details?start="
                f"{home_visit:%Y-%m-%dT%H:%MZ}"):
        found.append((url, visitor.get(url).text))
    for url, data in (
            (f"/book/{CLASSIC_60}/details?start={values['start']}", {"name": ""}),
            ("/contact", {"name": "", "message": ""}),
            ("/my-data", {"email": "ei-osoite"}),
            ("/staff/login", {"email": "x", "password": "y"})):
        form = visitor.get(url)
        response = visitor.post(url, data={**form_fields(form.text), **data})
        assert response.status_code in (400, 422), (url, response.status_code)
        found.append((f"{url} (with errors)", response.text))
    return found


def test_every_page_is_valid_html(app, records, tmp_path):
    command = checker()
    checked = pages(app, records)
    files = {}
    for number, (name, text) in enumerate(checked):
        path = tmp_path / f"page-{number}.html"
        path.write_text(text, encoding="utf-8")
        files[path.name] = name
    result = subprocess.run([*command, *map(str, sorted(tmp_path.glob("*.html")))],
                            capture_output=True, text=True, timeout=240)
    messages = json.loads(result.stderr)["messages"]
    problems = sorted({
        f"{files[message['url'].rpartition('/')[2]]}: {message['message']}"
        for message in messages if message["type"] in ("error", "non-document-error")})
    assert len(checked) >= 70
    assert not problems, f"{len(problems)} problems in {len(checked)} pages:\n" + "\n".join(
        problems)
