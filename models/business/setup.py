"""The first day: what the owner still has to give before the site opens to customers,
and the steps of the first-run setup, each read from the data the step fills."""

from dataclasses import dataclass

from models.business import Business
from models.business.catalogue import Service, StaffMember, StaffService, WorkingHours
from models.privacy.statements import Processor

# The details the public pages, the privacy statement (its controller) and invoices name;
# until all are given the site is not open to customers.
REQUIRED_DETAILS = ("name", "business_id", "street", "postal_code", "town", "phone",
                    "email")

BUSINESS, SERVICES, STAFF, PROCESSORS = "business", "services", "staff", "processors"


@dataclass(frozen=True)
class Step:
    key: str
    done: bool


def missing_details(business=None):
    """The names of the required details not yet saved (all of them before the owner
    has saved the business details once)."""
    business = business or Business.current()
    if business.id is None:
        return list(REQUIRED_DETAILS)
    return [name for name in REQUIRED_DETAILS if not (getattr(business, name) or "").strip()]


def is_open(business=None):
    """Whether the public site takes bookings and contact requests and publishes the
    privacy statement: only once the business has said who it is."""
    return not missing_details(business)


def steps(business=None):
    """The setup's steps in order, each done or not by what the database holds."""
    working = (StaffMember.select().join(WorkingHours)
               .switch(StaffMember).join(StaffService)
               .where(StaffMember.active).exists())
    return [
        Step(BUSINESS, is_open(business)),
        Step(SERVICES, Service.select().where(Service.active).exists()),
        Step(STAFF, working),
        Step(PROCESSORS, Processor.select().exists()),
    ]


def finished(business=None):
    return all(step.done for step in steps(business))
