"""The privacy statement: its facts, its text in Finnish, Swedish and English, and its
published versions.

What the statement says is gathered into one JSON-able dict of facts (the controller,
the declaration with the periods in force, the processors, the cookies, and the revision
of the wording). When the facts differ from what the newest version says, a new version
is published, its text rendered once in every language and kept as it was.
"""


from flask import render_template
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l

from engines.clock import local
from models.analytics import settings as analytics_settings
from models.business import Business
from models.privacy import periods
from models.privacy import statements as versions
from models.privacy.declaration import CATEGORIES, LegalBasis, Purpose
from models.privacy.processing import ACCOUNTING, EMAIL_SERVICE, HOSTING
from web.cookies import COOKIES
from web.formatting import LANGUAGES, country_name
from web.wording import BASIS_NAMES, CATEGORY_NAMES, PURPOSE_NAMES, SECURITY_MEASURES

# Bump this whenever the wording of the statement (templates/statement/body.html, the
# texts below, or their translations) changes, so that a new version is published.
TEXT_REVISION = 3

BODY = "statement/body.html"

SERVICE_NAMES = {
    HOSTING: _l("Server hosting"),
    EMAIL_SERVICE: _l("E-mail service"),
    ACCOUNTING: _l("Accounting program"),
    versions.OTHER: _l("Other service"),
}
# How the business protects the data; the statement and the record of processing both
# list these.
# Why the data is used, on which basis, and for the legitimate interests the interest
# itself; the declaration's purposes in the words of the statement.
PURPOSES = (
    (_l("Taking your bookings, giving the service you booked and telling you about "
        "your bookings"), LegalBasis.CONTRACT, None),
    (_l("Invoicing, and keeping invoices and receipts in our bookkeeping"),
     LegalBasis.LEGAL_OBLIGATION,
     _l("The Accounting Act obliges us to keep them.")),
    (_l("Answering your requests about your own data"), LegalBasis.LEGAL_OBLIGATION,
     _l("The data protection law obliges us to answer, and to be able to show that we "
        "did.")),
    (_l("Answering the questions and feedback you send us"), LegalBasis.LEGITIMATE_INTEREST,
     _l("Our interest: to answer what you asked, and to remember what we answered.")),
    (_l("Developing our service"), LegalBasis.LEGITIMATE_INTEREST,
     _l("Our interest: to plan our services and opening hours from how they are booked. "
        "For this we look at bookings as totals, never at one person.")),
    (_l("Noticing and preventing misuse"), LegalBasis.LEGITIMATE_INTEREST,
     _l("Our interest: to keep your data and our service safe. We record which of our "
        "staff handled whose data and when, and we limit how often a form can be "
        "sent.")),
    (_l("Sending news and offers by e-mail"), LegalBasis.CONSENT, None),
)
THE_OMBUDSMAN = {
    "name": "Tietosuojavaltuutetun toimisto",
    "visiting": "Lintulahdenkuja 4, 00530 Helsinki",
    "postal": "PL 800, 00531 Helsinki",
    "phone": "029 566 6700",
    "web": "tietosuoja.fi",
}


def english(text):
    with force_locale("en"):
        return str(text)


def statement_facts():
    """Everything the statement says that can change, as a JSON-able dict."""
    business = Business.current()
    statistics = analytics_settings.current()
    months = periods.all_months()
    return {
        "revision": TEXT_REVISION,
        "controller": {name: getattr(business, name) or "" for name in (
            "name", "business_id", "street", "postal_code", "town", "phone", "email")},
        "marketing": bool(business.marketing_enabled),
        "statistics": {"months": statistics.keep_months, "consent": statistics.ask_consent},
        "categories": [{
            "key": category.key,
            "purposes": [purpose.value for purpose in category.purposes],
            "basis": category.basis.value,
            "months": months[category.key],
            "after": category.retention.after,
        } for category in CATEGORIES if category.key in CATEGORY_NAMES],
        "processors": [{"name": processor.name, "service": processor.service,
                        "country": processor.country}
                       for processor in versions.processors()],
        "cookies": [{"name": cookie.name, "purpose": english(cookie.purpose),
                     "lifetime": english(cookie.lifetime), "necessary": cookie.necessary}
                    for cookie in COOKIES],
    }


def render_body(facts):
    """The statement's text in the current language, from its facts alone."""
    by_key = {category.key: category for category in CATEGORIES}
    cookies = {cookie.name: cookie for cookie in COOKIES}
    return render_template(
        BODY, facts=facts, categories=[(by_key[row["key"]], row)
                                       for row in facts["categories"]],
        cookies=[cookies.get(row["name"]) or row for row in facts["cookies"]],
        category_names=CATEGORY_NAMES, purpose_names=PURPOSE_NAMES,
        basis_names=BASIS_NAMES, service_names=SERVICE_NAMES, purposes=PURPOSES,
        measures=SECURITY_MEASURES, ombudsman=THE_OMBUDSMAN, country_name=country_name,
        Purpose=Purpose, LegalBasis=LegalBasis,
        accounting=[row for row in facts["processors"] if row["service"] == ACCOUNTING])


def render_bodies(facts):
    bodies = {}
    for code in LANGUAGES:
        with force_locale(code):
            bodies[code] = render_body(facts)
    return bodies


def current_statement():
    """The statement in force (a PrivacyStatement), published anew first when what it
    says has changed since the newest version."""
    facts = statement_facts()
    return versions.current(facts, lambda: render_bodies(facts))


def published_on(statement):
    """The day a version was published, in Helsinki."""
    return local(statement.published_at).date()


def show_current():
    statement = current_statement()
    return render_template("public/privacy.html", statement=statement, current=statement,
                           earlier=versions.earlier(statement), published_on=published_on)


def show_version(number):
    """An older version as it was published, marked as not the one in force."""
    current = current_statement()
    statement = versions.version(number)
    if statement is None:
        return render_template("public/privacy_missing.html", number=number,
                               current=current), 404
    return render_template("public/privacy.html", statement=statement, current=current,
                           earlier=versions.earlier(current), published_on=published_on)
