"""The customer register, and the rules for the contact details it holds."""

import re
from dataclasses import dataclass

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from peewee import CharField, DateTimeField

from engines.clock import utc_now
from models import BaseModel, NotAllowed, is_sqlite
from models.privacy.declaration import CONTACT, PersonalData
from models.written import insert_params, run_written, with_defaults


class InvalidValue(ValueError):
    """A value a person typed that cannot be stored; `code` names what is wrong."""

    def __init__(self, code):
        super().__init__(code)
        self.code = code


def normalise_phone(text):
    """The phone number as E.164 (+358…), reading numbers without a country code as
    Finnish ones."""
    try:
        number = phonenumbers.parse(text, "FI")
    except phonenumbers.NumberParseException as error:
        raise InvalidValue("phone_invalid") from error
    if not phonenumbers.is_valid_number(number):
        raise InvalidValue("phone_invalid")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def display_phone(e164):
    """A stored number the way people write it: Finnish numbers in the national
    form (040 123 4567), others internationally."""
    if not e164:
        return ""
    number = phonenumbers.parse(e164, "FI")
    if number.country_code == 358:
        national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
        prefix, _, rest = national.partition(" ")
        return " ".join((prefix, *_groups(rest.replace(" ", ""))))
    return phonenumbers.format_number(
        number, phonenumbers.PhoneNumberFormat.INTERNATIONAL
    )


def _groups(digits):
    """The last four digits as a group, those before in one group of up to four or
    in threes: 1234567 → 123 4567, 71234567 → 7123 4567."""
    head, tail = digits[:-4], digits[-4:]
    if len(head) <= 4:
        return [group for group in (head, tail) if group]
    return [head[i:i + 3] for i in range(0, len(head), 3)] + [tail]


def normalise_email(text):
    """The e-mail address in its normal form, in lower case (people type the same
    address in any case, and mail services ignore it), so that one person is one
    customer. Its syntax only: never a network look-up."""
    try:
        result = validate_email(text, check_deliverability=False)
    except EmailNotValidError as error:
        raise InvalidValue("email_invalid") from error
    return result.normalized.lower()


def normalise_postal_code(text):
    code = text.strip()
    if not re.fullmatch(r"[0-9]{5}", code):
        raise InvalidValue("postal_code_invalid")
    return code


@dataclass(frozen=True)
class CustomerDetails:
    """Contact details as a customer gave them, already normalised."""

    name: str
    email: str
    phone: str
    street: str = ""
    postal_code: str = ""
    town: str = ""


class Customer(BaseModel):
    name = CharField(max_length=100, index=True)  # the register is sorted by name
    email = CharField(max_length=254, null=True, unique=True)
    phone = CharField(max_length=20, default="")
    street = CharField(max_length=200, default="")
    postal_code = CharField(max_length=5, default="")
    town = CharField(max_length=100, default="")
    language = CharField(max_length=2, default="fi")
    created_at = DateTimeField(default=utc_now)
    updated_at = DateTimeField(default=utc_now)
    # Set while the person's data may only be stored (GDPR Art 18): no e-mail, no
    # changes, no new bookings by staff, until the restriction is lifted.
    restricted_at = DateTimeField(null=True)

    personal_data = PersonalData(
        {
            "name": CONTACT,
            "email": CONTACT,
            "phone": CONTACT,
            "street": CONTACT,
            "postal_code": CONTACT,
            "town": CONTACT,
        },
        not_personal=("id", "language", "created_at", "updated_at", "restricted_at"),
    )


def refuse_if_restricted(*customers, lock=True):
    """NotAllowed("restricted") when the data of any of these customers (or customer
    ids) is restricted (GDPR Art 18: kept, not used) as the database holds it now. In a
    transaction on PostgreSQL their rows stay locked until it ends (unless `lock` is
    false), so a restriction cannot come in between this check and the write it guards."""
    ids = [getattr(customer, "id", customer) for customer in customers]
    query = Customer.select(Customer.id, Customer.restricted_at).where(Customer.id.in_(ids))
    if lock and not is_sqlite():  # SQLite's write transaction holds the whole database already
        query = query.for_update()
    if any(row.restricted_at is not None for row in query):
        raise NotAllowed("restricted")


def customer_for_booking(details, language):
    """The register's customer with this e-mail, or a new one.

    An existing customer's details are only filled in where empty: a public form is
    no proof of identity, so it never overwrites what the register holds (staff make
    corrections). A new customer is one statement: the insert returns its id, and the
    object is made of what was written."""
    row = {
        "name": details.name,
        "email": details.email,
        "phone": details.phone,
        "street": details.street,
        "postal_code": details.postal_code,
        "town": details.town,
        "language": language,
        "created_at": utc_now(),
    }
    row["updated_at"] = row["created_at"]
    row = with_defaults(Customer, row)
    inserted = run_written(
        ("new customer",),
        lambda: Customer.insert(row).on_conflict_ignore().returning(Customer.id),
        insert_params(Customer, row))
    if inserted:
        return Customer(id=inserted[0][0], **row)
    customer = Customer.get(Customer.email == details.email)
    missing = {
        field: getattr(details, field)
        for field in ("phone", "street", "postal_code", "town")
        if not getattr(customer, field) and getattr(details, field)
    }
    if missing:
        Customer.update(missing).where(Customer.id == customer.id).execute()
        customer = Customer.get_by_id(customer.id)
    return customer
