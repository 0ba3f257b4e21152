"""A clearly fictional Finnish business to try Vuoro with."""

from datetime import datetime, time, timedelta
from functools import lru_cache

from peewee import AutoField

from engines import artwork, clock
from engines.clock import HELSINKI, naive_utc
from models import db, schema
from models.accounts.users import User
from models.analytics.demo import STATISTICS
from models.booking.bookings import Booking
from models.booking.generation import calendar_changed
from models.business import brand
from models.business.catalogue import Break, Service, StaffMember, StaffService, WorkingHours
from models.people.customers import Customer

from . import demo_marks
from .business import Business

NAME = "Hyvän Olon Hieronta (demo)"

INTRO_FI = (
    "Tämä on Vuoron esittelyyritys: yritystä, ihmisiä ja varauksia ei ole oikeasti "
    "olemassa.\n\nHierontaa ja kotikäyntejä Helsingin keskustassa. Varaa aika "
    "netistä, se on nopeaa ja onnistuu myös puhelimella."
)
INTRO_SV = (
    "Det här är Vuoros demoföretag: företaget, personerna och bokningarna finns inte "
    "på riktigt.\n\nMassage och hembesök i Helsingfors centrum. Boka tid på nätet."
)
INTRO_EN = (
    "This is Vuoro's demo business: the business, its people and its bookings are "
    "not real.\n\nMassage and home visits in central Helsinki. Book online."
)

SERVICES = (
    # fi, sv, en, minutes, cents, buffer, needs address
    ("Klassinen hieronta 30 min", "Klassisk massage 30 min", "Classic massage 30 min",
     30, 3900, 10, False),
    ("Klassinen hieronta 60 min", "Klassisk massage 60 min", "Classic massage 60 min",
     60, 6500, 15, False),
    ("Urheiluhieronta 45 min", "Idrottsmassage 45 min", "Sports massage 45 min",
     45, 5500, 15, False),
    ("Kotikäynti: hieronta 60 min", "Hembesök: massage 60 min",
     "Home visit: massage 60 min", 60, 8900, 30, True),
)
# Each service's (category fi, sv, en) and description (fi, sv, en), in the same order.
MASSAGE = ("Hieronta", "Massage", "Massage")
HOME_VISITS = ("Kotikäynnit", "Hembesök", "Home visits")
DESCRIPTIONS = (
    (MASSAGE, ("Niska, hartiat ja selkä: nopea apu jumiin kesken työpäivän.",
               "Nacke, axlar och rygg: snabb hjälp mitt i arbetsdagen.",
               "Neck, shoulders and back: quick relief in the middle of a working day.")),
    (MASSAGE, ("Koko kehon rauhallinen hieronta. Kerro toiveesi, niin painotamme niitä.",
               "Lugn massage av hela kroppen. Berätta vad du önskar.",
               "A calm massage of the whole body. Tell us what you would like.")),
    (MASSAGE, ("Palauttava hieronta treenin tai kisan jälkeen, lihashuollon ammattilaiselta.",
               "Återhämtande massage efter träning eller tävling.",
               "Massage for recovery after training or a race.")),
    (HOME_VISITS, ("Tulemme luoksesi hierontapöydän kanssa Helsingin keskusta-alueella.",
                   "Vi kommer till dig med massagebänk i Helsingfors centrum.",
                   "We come to you with a massage table in central Helsinki.")),
)
STAFF = (
    ("Aino Esimerkki",
     ("Koulutettu hieroja ja urheiluhieroja, kymmenen vuotta alalla. Aino hoitaa myös "
      "kotikäynnit.",
      "Utbildad massör och idrottsmassör med tio år i yrket. Aino gör också hembesöken.",
      "A trained masseuse and sports masseuse with ten years in the trade. Aino also "
      "makes the home visits.")),
    ("Eero Esimerkki",
     ("Rauhallinen klassinen hieronta on Eeron erikoisala. Palvelee myös lauantaisin.",
      "Lugn klassisk massage är Eeros specialitet. Jobbar också på lördagar.",
      "Calm classic massage is Eero's speciality. Also works on Saturdays.")),
)
BRAND_COLOUR = "#2d6a4f"


def add_demo_business(today=None):
    """Add the demo business to an empty database; False if a business exists."""
    with db.atomic():
        if Business.select().exists():
            return False
        Business.create(
            name=NAME,
            business_id="1234567-1",
            street="Esimerkkikatu 1 A",
            postal_code="00100",
            town="Helsinki",
            phone="+358401234567",
            email="info@hieronta.example",
            intro_fi=INTRO_FI,
            intro_sv=INTRO_SV,
            intro_en=INTRO_EN,
            brand_colour=BRAND_COLOUR,
        )
        services = [
            Service.create(
                name_fi=fi, name_sv=sv, name_en=en, duration_minutes=minutes,
                price_cents=cents, buffer_minutes=buffer, needs_address=address,
                position=position, **_texts("category", category),
                **_texts("description", description),
            )
            for position, ((fi, sv, en, minutes, cents, buffer, address),
                           (category, description)) in enumerate(
                zip(SERVICES, DESCRIPTIONS, strict=True)
            )
        ]
        aino, eero = (StaffMember.create(name=name, **_texts("intro", intro))
                      for name, intro in STAFF)
        for kind, made in _demo_images().items():
            brand.store_prepared(kind, made)
        for service in services:
            StaffService.create(staff=aino, service=service)
            if not service.needs_address:
                StaffService.create(staff=eero, service=service)
        _week(aino, range(5), time(9), time(17), time(12), time(12, 30))
        _week(eero, range(1, 6), time(10), time(18), time(13), time(13, 30))
        _demo_bookings(services, (aino, eero), today or clock.today())
        demo_marks.record((Business, Service, StaffMember, Customer, Booking))
        calendar_changed()
    return True


def _texts(field, texts):
    return dict(zip((f"{field}_fi", f"{field}_sv", f"{field}_en"), texts, strict=True))


@lru_cache(maxsize=1)
def _demo_images():
    """The demo's logo (a monogram) and picture, drawn once a process and made fit
    as an upload would be."""
    return {"logo": brand.prepared("logo", artwork.monogram("HO", BRAND_COLOUR)),
            "picture": brand.prepared("picture", artwork.stones(BRAND_COLOUR))}


def _week(staff, weekdays, start, end, break_start, break_end):
    for weekday in weekdays:
        WorkingHours.create(staff=staff, weekday=weekday, start=start, end=end)
        Break.create(staff=staff, weekday=weekday, start=break_start, end=break_end)


def _demo_bookings(services, staff, today):
    customers = [
        Customer.create(name="Matti Meikäläinen", email="matti@asiakas.example",
                        phone="+358501234567"),
        Customer.create(name="Maija Meikäläinen", email="maija@asiakas.example",
                        phone="+358441234567", language="sv"),
    ]
    day = today + timedelta(days=1)
    for index, (hour, service) in enumerate(
        ((10, services[1]), (14, services[0]), (11, services[2]))
    ):
        while day.weekday() >= 5:
            day += timedelta(days=1)
        start = datetime.combine(day, time(hour), HELSINKI)
        add_booking(customers[index % 2], service, staff[0], start)
        day += timedelta(days=1)


def add_booking(customer, service, staff, start):
    """A confirmed booking of `service` with `staff` at `start` (aware), at its price."""
    Booking.create(
        customer=customer,
        service=service,
        staff=staff,
        starts_at=naive_utc(start),
        ends_at=naive_utc(start + timedelta(minutes=service.duration_minutes)),
        blocked_until=naive_utc(
            start + timedelta(minutes=service.duration_minutes + service.buffer_minutes)
        ),
        price_cents=service.price_cents,
    )


# Taking the demo away before going live ------------------------------------------------

class NotTheDemo(Exception):
    """`remove_demo` refuses: `found` says what is not the demo's ({table: rows}); empty
    when the database was never the demo's (no marks), or the business is the owner's."""

    def __init__(self, code, found=None):
        super().__init__(code)
        self.code = code
        self.found = found or {}


# Tables `remove_demo` leaves as they are: the accounts and their sessions, the audit log
# (which the database keeps for its 36 months; its links to removed rows are cleared),
# the owner's own settings of the privacy records, and the machinery's bookkeeping.
KEPT = {"account", "recovery_code", "invitation", "staff_session", "audit_entry",
        "rate_limit_entry", "duty_run", "table_rewrite", "retention_period", "processor",
        "analytics_settings"}
# Tables whose rows follow from the demo's rows (its hours, its e-mail, the statement
# versions published with its name as the controller): removed without asking whose.
FOLLOWING = {"working_hours", "break", "staff_service", "time_off", "extra_hours",
             "day_exception", "outbox_message", "privacy_statement", "cookie_choice",
             "access_link", "data_request_event", "demo_mark", "calendar_generation",
             "brand_image",
             # The statistics gathered while the demo runs are the demo's, made up or not.
             *(model._meta.table_name for model in STATISTICS)}


def _tables():
    return [model for model in schema.MODELS if model._meta.table_name not in KEPT]


def _numbered(model):
    """Whether the table's rows have numbers the demo's marks can tell apart; the rest
    (a year's number series, a service's VAT category, the money settings) follow from
    the rows that do."""
    return isinstance(model._meta.primary_key, AutoField)


def mark_money():
    """Mark the demo's money side (its receipts, invoices and payments) as the demo's."""
    demo_marks.record([model for model in schema.MODELS
                       if model.__module__.startswith("models.money.") and _numbered(model)])


def not_the_demos():
    """{table: rows} of the data the demo did not add: rows above the demo's marks, and
    any row of a table the demo did not fill (a contact request, a note, an invoice…)."""
    marks = demo_marks.marks()
    found = {}
    for model in _tables():
        table = model._meta.table_name
        if table in FOLLOWING or not _numbered(model):
            continue
        count = model.select().where(model.id > marks.get(table, 0)).count()
        if count:
            found[table] = count
    return found


def remove_demo():
    """Remove the demo business and everything that follows from it, in one
    transaction; {table: rows removed}. Refuses (NotTheDemo) a database that holds
    anything that is not the demo's, and one the demo was never added to."""
    with db.atomic():
        if not demo_marks.marks():
            raise NotTheDemo("no_demo")
        if Business.current().name != NAME:
            raise NotTheDemo("business_changed")
        found = not_the_demos()
        if found:
            raise NotTheDemo("other_data", found)
        User.update(staff_member=None).where(User.staff_member.is_null(False)).execute()
        removed = {}
        for model in reversed(_tables()):
            removed[model._meta.table_name] = model.delete().execute()
    return {table: rows for table, rows in removed.items() if rows}
