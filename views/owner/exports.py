"""The owner's exports page: choose tables and a format; the worker writes the file in
the background while the page shows its progress (HTMX asks every second, without
JavaScript the page reloads itself); the file is downloaded once, within a day."""

from pathlib import Path

from flask import Blueprint, abort, current_app, url_for
from flask_login import current_user

from engines import clock
from engines.spreadsheet import MEDIA_TYPES
from models.exports import jobs
from views.owner.exports_forms import ExportForm
from web.access import audit, owner_only
from web.downloads import file_download_once
from web.exports import FORMAT_NAMES, TABLE_TITLES, exports_folder
from web.formatting import language
from web.rendering import redirect_after_post, render

blueprint = owner_only(Blueprint("exports", __name__, url_prefix="/staff/exports"))

JOB = "partials/exports/job.html"


def tables_text(job):
    return ", ".join(str(TABLE_TITLES.get(name, name)) for name in job.table_names)


@blueprint.context_processor
def export_names():
    return {"tables_text": tables_text, "format_names": FORMAT_NAMES}


def exports_page(form, status=200):
    return render("exports/index.html", status=status, form=form,
                  recent=jobs.recent(current_user.id, clock.now()), now=clock.now())


@blueprint.get("/")
def index():
    return exports_page(ExportForm.empty())


@blueprint.post("/")
def start():
    form = ExportForm()
    if not form.validate_on_submit():
        return exports_page(form, status=422)
    job = jobs.request_export(current_user.id, form.tables.data, form.format.data,
                              language())
    return redirect_after_post(url_for(".job", job_id=job.id))


def job_of_owner(job_id):
    job = jobs.ExportJob.get_or_none((jobs.ExportJob.id == job_id)
                                     & (jobs.ExportJob.user == current_user.id))
    if job is None:
        abort(404)
    return job


@blueprint.get("/<int:job_id>")
def job(job_id):
    return render("exports/job.html", JOB, job=job_of_owner(job_id), now=clock.now())


@blueprint.get("/<int:job_id>/download")
def download(job_id):
    job = job_of_owner(job_id)
    taken = jobs.claim_download(job.id, current_user.id, clock.now())
    path = Path(exports_folder(current_app.instance_path)) / job.file_name
    if taken is None or not job.file_name or not path.exists():
        return render("exports/job.html", status=410, job=job_of_owner(job_id),
                      now=clock.now())
    audit("data.download", details=f"export {job.id}, {job.format}: {job.tables}")
    # Once sent, the file is deleted (the worker's clean-up marks the job so).
    return file_download_once(path, job.file_name, MEDIA_TYPES[job.format])
