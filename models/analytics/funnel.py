"""The booking funnel, counted on the server where no blocker stops it: home, service
chosen, time chosen, details sent, booked, with the "just taken" answers and the
bookings moved and cancelled, per day, channel and campaign."""

from peewee import BigIntegerField, CharField, DateField

from engines.clock import today
from models import BaseModel
from models.privacy.declaration import PersonalData

HOME = "home"
SERVICE = "service"
TIME = "time"
DETAILS = "details"
BOOKED = "booked"
TAKEN = "taken"
MOVED = "moved"
CANCELLED = "cancelled"
# The steps in order: each step's conversion is counted from the one before it.
STEPS = (HOME, SERVICE, TIME, DETAILS, BOOKED)
OTHER_EVENTS = (TAKEN, MOVED, CANCELLED)


class FunnelCount(BaseModel):
    day = DateField()
    step = CharField(max_length=12)
    channel = CharField(max_length=20, default="")
    campaign = CharField(max_length=200, default="")
    count = BigIntegerField(default=0)

    class Meta:
        table_name = "analytics_funnel"
        indexes = ((("day", "step", "channel", "campaign"), True),)

    personal_data = PersonalData({}, not_personal=(
        "id", "day", "step", "channel", "campaign", "count"))


def count_step(step, channel="", campaign="", day=None, count=1):
    FunnelCount.insert(day=day or today(), step=step, channel=channel,
                       campaign=campaign[:200], count=count).on_conflict(
        conflict_target=[FunnelCount.day, FunnelCount.step, FunnelCount.channel,
                         FunnelCount.campaign],
        update={FunnelCount.count: FunnelCount.count + count},
    ).execute()
