"""What the business offers and who does it: services, staff, working hours, time off."""

from peewee import (
    JOIN,
    BooleanField,
    CharField,
    DateField,
    DateTimeField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    SmallIntegerField,
    TextField,
    TimeField,
)

from models import BaseModel
from models.privacy.declaration import STAFF, PersonalData
from models.written import execute_written, get_written, loaded, run_written

LANGUAGES = ("fi", "sv", "en")


class Service(BaseModel):
    name_fi = CharField(max_length=120)
    name_sv = CharField(max_length=120, default="")
    name_en = CharField(max_length=120, default="")
    description_fi = TextField(default="")
    description_sv = TextField(default="")
    description_en = TextField(default="")
    # The heading the service is listed under on the home page ("" for none); services
    # with the same Finnish category are one group, named in each language.
    category_fi = CharField(max_length=80, default="")
    category_sv = CharField(max_length=80, default="")
    category_en = CharField(max_length=80, default="")
    duration_minutes = IntegerField()
    price_cents = IntegerField()
    vat_percent = DecimalField(max_digits=4, decimal_places=1, default=25.5)
    buffer_minutes = IntegerField(default=0)
    needs_address = BooleanField(default=False)
    active = BooleanField(default=True)
    position = IntegerField(default=0)

    personal_data = PersonalData(
        {},
        not_personal=(
            "id", "name_fi", "name_sv", "name_en", "description_fi",
            "description_sv", "description_en", "category_fi", "category_sv",
            "category_en", "duration_minutes", "price_cents",
            "vat_percent", "buffer_minutes", "needs_address", "active", "position",
        ),
    )

    def name(self, language):
        return getattr(self, f"name_{language}") or self.name_fi

    def description(self, language):
        return getattr(self, f"description_{language}") or self.description_fi

    def category(self, language):
        return getattr(self, f"category_{language}") or self.category_fi

    @classmethod
    def active_one(cls, service_id):
        """The service of this id if it is offered, else None; with the active staff
        members who offer it (`staff()`), read in the same statement, whose SQL is
        written once (every booking page and every booking asks)."""
        rows = execute_written(("active service and its staff",),
                               lambda: _with_staff(service_id), [service_id]).fetchall()
        if not rows:
            return None
        width = len(cls._meta.sorted_fields)
        service = loaded(cls, rows[0][:width])
        service.__dict__["_staff"] = [loaded(StaffMember, row[width:]) for row in rows
                                      if row[width] is not None]
        return service

    @classmethod
    def offered(cls):
        return cls.select().where(cls.active).order_by(cls.position, cls.id)

    def staff(self):
        """The active staff members who offer this service, by name; read once per
        service object (a request reads it several times)."""
        if "_staff" not in self.__dict__:
            self.__dict__["_staff"] = list(offering(self.id))
        return self.__dict__["_staff"]

    def staff_ids(self):
        """The ids of `staff()`, in its order; when the service object has not read its
        staff, in one query whose SQL is written once (every booking asks)."""
        if "_staff" in self.__dict__:
            return [member.id for member in self.__dict__["_staff"]]
        return [row[0] for row in run_written(
            ("staff offering",), lambda: offering(self.id, StaffMember.id), [self.id])]


class StaffMember(BaseModel):
    name = CharField(max_length=100)
    active = BooleanField(default=True)
    # A short introduction on the home page, written by or with the person.
    intro_fi = TextField(default="")
    intro_sv = TextField(default="")
    intro_en = TextField(default="")

    personal_data = PersonalData(
        {"name": STAFF, "intro_fi": STAFF, "intro_sv": STAFF, "intro_en": STAFF},
        not_personal=("id", "active"))

    def intro(self, language):
        return getattr(self, f"intro_{language}") or self.intro_fi

    @classmethod
    def active_one(cls, staff_id):
        """The staff member of this id if still active, else None (a booking with a
        chosen person asks: its SQL is written once)."""
        return get_written(cls, ("active staff member",), lambda: cls.select().where(
            (cls.id == staff_id) & cls.active), [staff_id])


class StaffService(BaseModel):
    staff = ForeignKeyField(StaffMember, backref="service_links", on_delete="CASCADE")
    service = ForeignKeyField(Service, backref="staff_links", on_delete="CASCADE")

    personal_data = PersonalData({}, not_personal=("id", "staff", "service"))

    class Meta:
        indexes = ((("staff", "service"), True),)


class WorkingHours(BaseModel):
    """A range of a weekday (0 = Monday) when a staff member works; several a day."""

    staff = ForeignKeyField(StaffMember, backref="working_hours", on_delete="CASCADE")
    weekday = SmallIntegerField()
    start = TimeField()
    end = TimeField()

    personal_data = PersonalData(
        {}, not_personal=("id", "staff", "weekday", "start", "end")
    )


class Break(BaseModel):
    """A recurring break within a weekday's working hours (lunch, say)."""

    staff = ForeignKeyField(StaffMember, backref="breaks", on_delete="CASCADE")
    weekday = SmallIntegerField()
    start = TimeField()
    end = TimeField()

    personal_data = PersonalData(
        {}, not_personal=("id", "staff", "weekday", "start", "end")
    )


class ExtraHours(BaseModel):
    """Working time beyond the weekly hours on one date (an extra Saturday, say)."""

    staff = ForeignKeyField(StaffMember, backref="extra_hours", on_delete="CASCADE")
    day = DateField(index=True)
    start = TimeField()
    end = TimeField()

    personal_data = PersonalData({}, not_personal=("id", "staff", "day", "start", "end"))


class TimeOff(BaseModel):
    """An absence of a staff member, from `starts_at` to `ends_at` (UTC)."""

    staff = ForeignKeyField(StaffMember, backref="time_off", on_delete="CASCADE")
    starts_at = DateTimeField()
    ends_at = DateTimeField()
    reason = CharField(max_length=200, default="")

    personal_data = PersonalData(
        {"reason": STAFF}, not_personal=("id", "staff", "starts_at", "ends_at")
    )


def _with_staff(service_id):
    """The query of the offered service `service_id` joined with the active staff
    members who offer it, by name: a row each (one with no staff when none does)."""
    return (Service.select(Service, StaffMember)
            .join(StaffService, JOIN.LEFT_OUTER, on=StaffService.service == Service.id)
            .join(StaffMember, JOIN.LEFT_OUTER,
                  on=(StaffMember.id == StaffService.staff) & StaffMember.active)
            .where((Service.id == service_id) & Service.active)
            .order_by(StaffMember.name))


def offering(service_id, *columns):
    """The query of the active staff members who offer the service, by name (`columns`
    of them, or the whole rows)."""
    return (StaffMember.select(*columns).join(StaffService)
            .where((StaffService.service == service_id) & StaffMember.active)
            .order_by(StaffMember.name))
