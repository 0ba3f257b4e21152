"""`/healthz` for a load balancer or an uptime monitor: JSON with no personal data and
nothing secret, 503 when something needs attention. No login is needed."""

from flask import Blueprint, jsonify
from peewee import DatabaseError

import worker
from models import health

blueprint = Blueprint("health", __name__)


@blueprint.get("/healthz")
def healthz():
    try:
        report = health.report({duty.name: duty.every for duty in worker.DUTIES},
                               backups_configured=worker.backup_settings().configured)
    except DatabaseError:
        report = {"ok": False, "problems": ["database unreachable"], "database": "unreachable"}
    response = jsonify(report)
    response.status_code = 200 if report["ok"] else 503
    response.headers["Cache-Control"] = "no-store"
    return response
