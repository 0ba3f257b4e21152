"""How long each category of personal data is kept and what the purge deletes, in the
owner's words: for the privacy records page and the `retention` command alike."""

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from web.wording import CATEGORY_NAMES

# The customer-facing names of the privacy page, with the one category that page leaves
# out (it is not about customers).
RECORD_CATEGORY_NAMES = {
    **CATEGORY_NAMES,
    "staff": _l("Staff accounts and working times"),
    "analytics_counts": _l("Site statistics counted by the server, without consent"),
    "analytics_visits": _l("Site statistics of visits, with the visitor's consent"),
}


def retention_text(category, months):
    """How long a category is kept, `months` counted from its event, in the owner's
    words."""
    after = category.retention.after
    if after == "employment_end" and months == 0:
        return _("Until the employment ends")
    if after == "visit_day":
        return _("At most 48 hours from the start of the visit's day, then only per-day "
                 "counts without any identifier")
    texts = {
        "last_booking": ngettext("%(num)d month after the customer's last booking",
                                 "%(num)d months after the customer's last booking", months),
        "appointment": ngettext("%(num)d month after the appointment",
                                "%(num)d months after the appointment", months),
        "closing": ngettext("%(num)d month after the matter is closed",
                            "%(num)d months after the matter is closed", months),
        "sent": ngettext("%(num)d month after sending", "%(num)d months after sending",
                         months),
        "withdrawal": ngettext("%(num)d month after it is withdrawn",
                               "%(num)d months after it is withdrawn", months),
        "entry": ngettext("%(num)d month after the entry is written",
                          "%(num)d months after the entry is written", months),
        "employment_end": ngettext("%(num)d month after the employment ends",
                                   "%(num)d months after the employment ends", months),
        "counted_day": ngettext(
            "%(num)d month after the day counted (your choice under Statistics, 1 to 25)",
            "%(num)d months after the day counted (your choice under Statistics, 1 to 25)",
            months),
        "financial_year_end": ngettext(
            "%(num)d month after the end of the financial year",
            "%(num)d months after the end of the financial year", months),
    }
    return texts.get(after) or ngettext("%(num)d month", "%(num)d months", months)


# What the purge deletes, by the names models.privacy.retention counts them under.
PURGED_NAMES = {
    "bookings": _l("bookings"),
    "customers": _l("customers"),
    "notes": _l("notes"),
    "e-mail records": _l("records of e-mail"),
    "contact requests": _l("contact requests"),
    "audit entries": _l("audit log entries"),
    "my data links": _l("\"My data\" links"),
    "requests": _l("requests about people's data"),
    "consents": _l("consents"),
    "cookie choices": _l("answers to the cookie question"),
    "receipts": _l("receipts"),
    "payments": _l("payments of invoices"),
    "credit notes": _l("credit notes"),
    "invoices": _l("invoices"),
}
