"""The business itself: its identity, its booking rules and its closed and opened days."""

from datetime import timedelta

from peewee import BooleanField, CharField, DateField, IntegerField, TextField

from engines.free_times import BookingRules
from models import BaseModel, read_scope
from models.privacy.declaration import PersonalData
from models.written import get_written


class Business(BaseModel):
    """The one row of business settings."""

    name = CharField(max_length=200)
    business_id = CharField(max_length=9, default="")
    street = CharField(max_length=200, default="")
    postal_code = CharField(max_length=5, default="")
    town = CharField(max_length=100, default="")
    phone = CharField(max_length=20, default="")
    email = CharField(max_length=254, default="")
    intro_fi = TextField(default="")
    intro_sv = TextField(default="")
    intro_en = TextField(default="")
    min_notice_minutes = IntegerField(default=120)
    horizon_days = IntegerField(default=60)
    slot_step_minutes = IntegerField(default=15)
    cancellation_hours = IntegerField(default=24)
    require_two_factor = BooleanField(default=False)
    idle_timeout_hours = IntegerField(default=8)
    # The reminder e-mail goes this many hours before the appointment (0: none).
    reminder_hours = IntegerField(default=24)
    # Whether the booking form offers news and offers by e-mail (never pre-chosen).
    marketing_enabled = BooleanField(default=False)
    # The brand colour ("#rrggbb", checked readable by models/business/brand.py); "" for
    # the site's own. The logo and the picture are rows of brand.BrandImage.
    brand_colour = CharField(max_length=7, default="")

    personal_data = PersonalData(
        {},
        not_personal=(
            "id", "name", "business_id", "street", "postal_code", "town", "phone",
            "email", "intro_fi", "intro_sv", "intro_en", "min_notice_minutes",
            "horizon_days", "slot_step_minutes", "cancellation_hours",
            "require_two_factor", "idle_timeout_hours", "reminder_hours",
            "marketing_enabled", "brand_colour",
        ),
    )

    SCOPE_KEY = "business"

    @classmethod
    def current(cls):
        """The business's settings; defaults until the owner has saved them. Read once
        per request that writes nothing (models.read_scope)."""
        return read_scope.once(cls.SCOPE_KEY, lambda: get_written(
            cls, ("business",), lambda: cls.select().order_by(cls.id).limit(1), [1],
        ) or cls.default())

    @classmethod
    def default(cls):
        """The settings before the owner has saved any."""
        return cls(name="Vuoro")

    @property
    def booking_rules(self):
        return BookingRules(
            slot_step=timedelta(minutes=self.slot_step_minutes),
            min_notice=timedelta(minutes=self.min_notice_minutes),
            horizon_days=self.horizon_days,
        )

    def intro(self, language):
        return getattr(self, f"intro_{language}") or self.intro_fi

    def meta_description(self, language, longest=155):
        """The start of the home page text on one line, for search engines: whole
        words, at most `longest` characters."""
        text = " ".join(self.intro(language).split())
        if len(text) <= longest:
            return text
        cut = text[:longest - 1].rsplit(" ", 1)[0].rstrip(",;:.–-")
        return cut + "…"


class DayException(BaseModel):
    """A day that differs from the usual week: a public holiday the owner opens
    (`is_open`), or an extra closed day."""

    day = DateField(unique=True)
    is_open = BooleanField()
    note = CharField(max_length=200, default="")

    personal_data = PersonalData({}, not_personal=("id", "day", "is_open", "note"))
