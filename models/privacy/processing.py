"""The record of processing activities (GDPR Art 30), derived from the personal-data
declaration: for each category, the fields that hold it, whose data it is and which of
the business's processors handle it.

The names shown to the owner are the views' business; this module names things by keys.
"""

from dataclasses import dataclass

from models.privacy.declaration import DECLARED

CUSTOMERS = "customers"
STAFF_MEMBERS = "staff"
VISITORS = "visitors"

# Whose data each category is; a category not named here is the customers'.
SUBJECTS = {
    "staff": (STAFF_MEMBERS,),
    # The audit log names the staff member who acted as well as the customer.
    "audit": (CUSTOMERS, STAFF_MEMBERS),
    # E-mail goes to staff (new bookings, contact requests) as well as to customers.
    "email": (CUSTOMERS, STAFF_MEMBERS),
    "analytics_counts": (VISITORS,),
    "analytics_visits": (VISITORS,),
}

# The processors that handle the business's data on its behalf, and which categories
# each of them sees. The host (the server and its backups) holds every category; the
# statistics go to no one else.
HOSTING = "hosting"
EMAIL_SERVICE = "email"
ACCOUNTING = "accounting"
PROCESSOR_CATEGORIES = {
    EMAIL_SERVICE: {"contact", "booking", "email", "contact_request", "staff",
                    "data_request", "consent"},
    ACCOUNTING: {"contact", "booking"},
}


@dataclass(frozen=True)
class Activity:
    """One category of personal data and where it is held: `fields` are
    (model, field name) pairs in the order of the schema."""

    category: object
    fields: tuple
    subjects: tuple
    processors: tuple


def processors_of(category):
    return (HOSTING,) + tuple(processor for processor, keys in PROCESSOR_CATEGORIES.items()
                              if category.key in keys)


def activities(models, categories=DECLARED):
    """The record's activities, one per category, from the declarations of `models`."""
    return [
        Activity(
            category=category,
            fields=tuple((model, name) for model in models
                         if getattr(model, "personal_data", None)
                         for name, declared in model.personal_data.fields.items()
                         if declared == category),
            subjects=SUBJECTS.get(category.key, (CUSTOMERS,)),
            processors=processors_of(category),
        )
        for category in categories
    ]
