"""The owner's view of backups: the last one (when, how big, whether it was checked, or
what went wrong), the files kept, and how to switch them on. A missed or failed backup
also shows in the navigation, like failed e-mail."""

from flask import Blueprint
from flask_babel import lazy_gettext as _l

from models.backups import erasure_list, keeping, runs
from web.access import owner_only
from web.formatting import size_text
from web.rendering import render
from web.wording import BACKUPS_OFF
from worker import backup_settings

blueprint = owner_only(Blueprint("backups", __name__, url_prefix="/staff/backups"))

SHOWN = 30
# What the navigation says beside "Backups" when they need the owner's attention.
WARNINGS = {
    runs.NOT_CONFIGURED: _l("not on"),
    runs.NONE: _l("none yet"),
    runs.FAILED: _l("failed"),
    runs.LATE_STATUS: _l("late"),
}


@blueprint.app_context_processor
def backup_helpers():
    def backup_warning():
        """Why the owner should look at backups, in words, or "" when all is well."""
        return WARNINGS.get(runs.status(backup_settings().configured), "")

    return {"backup_warning": backup_warning}


@blueprint.get("/")
def index():
    settings = backup_settings()
    made_at = keeping.backups_in(settings.folder) if settings.folder.is_dir() else {}
    names = sorted(made_at, key=made_at.get, reverse=True)[:SHOWN]
    files = [{"name": name, "made_at": made_at[name],
              "size": (settings.folder / name).stat().st_size} for name in names]
    try:
        erasures = len(erasure_list.read_file(erasure_list.path_in(settings.folder)))
    except (OSError, ValueError):
        erasures = None
    return render("backups/index.html", None, settings=settings, last=runs.last(),
                  last_made=runs.last_made(), backup_status=runs.status(settings.configured),
                  files=files, erasures=erasures, size_text=size_text, runs=runs,
                  backups_off=BACKUPS_OFF)
