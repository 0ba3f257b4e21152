"""The one customer picker: the register searched as one types, to choose a customer
for a booking, a contact request or a data request
(templates/partials/customer_picker.html)."""

from collections.abc import Callable
from dataclasses import dataclass, field

from models.people.register import Found, find_customers

# The fragment an HTMX search gets: the results alone.
RESULTS = "partials/customer_picker.html"


@dataclass(frozen=True)
class CustomerPicker:
    found: Found
    label: str
    page_url: str  # the page with the picker, which a search without JavaScript loads
    search_url: str  # the results alone, which HTMX asks for as one types
    choose: Callable | None = None  # a customer → the address of the link choosing them
    # Or a template that chooses the `customer` with a button (a POST form).
    button: str | None = None
    swap: str | None = None  # the element a chosen link replaces with HTMX
    keep: dict = field(default_factory=dict)  # the page's choices the search carries on
    error: str | None = None  # why the search as typed was refused


def customer_picker(query, label, page_url, search_url, error=None, **choice):
    """The picker for a search as typed (`query`), with the customers it finds."""
    return CustomerPicker(find_customers(query), label, page_url, search_url,
                          error=error, **choice)
