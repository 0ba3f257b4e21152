"""The owner's exports: the page, the background job with its progress, the one-time
download, the command line, the JSON archive's documented schema, the audit log."""

import csv
import io
import json
import re
import zipfile
from datetime import timedelta
from pathlib import Path

import openpyxl
import pytest
from support import HTMX, MAIJA, MATTI, post

import models
import worker
from models.exports import TABLES, jobs
from models.people.customers import Customer
from models.privacy.audit import AuditEntry

BACK_OFFICE_LANGUAGE = "en"  # the owner reads the back office in English here
SCHEMA = Path(__file__).resolve().parent.parent / "docs" / "export-schema.md"


def run_worker(app):
    with app.app_context(), models.db.connection_context():
        return worker.run_exports()


def entries(action):
    with models.db.connection_context():
        return list(AuditEntry.select().where(AuditEntry.action == action)
                    .order_by(AuditEntry.id))


def give_maija_an_address():
    with models.db.connection_context():
        Customer.update(street="Esimerkkikatu 1", postal_code="00100", town="Helsinki",
                        phone="+358401234567").where(Customer.id == MAIJA).execute()


def ask(owner_client, tables=("customers", "bookings"), format="xlsx"):
    response = post(owner_client, "/staff/exports/",
                    {"tables": list(tables), "format": format})
    assert response.status_code == 303
    return response.headers["Location"]


def test_exports_page_is_in_the_owners_navigation(owner_client):
    page = owner_client.get("/staff/calendar/")
    assert 'href="/staff/exports/"' in page.text
    page = owner_client.get("/staff/exports/")
    assert page.status_code == 200
    for name in ("Customers", "Bookings", "Contact requests", "Audit log", "Excel workbook"):
        assert name in page.text


def test_staff_may_not_export(staff_client, owner_client, app):
    assert staff_client.get("/staff/exports/").status_code == 403
    assert post(staff_client, "/staff/exports/",
                {"tables": ["customers"], "format": "xlsx"}).status_code == 403
    job = ask(owner_client)
    run_worker(app)
    assert staff_client.get(job).status_code == 403
    assert staff_client.get(job + "/download").status_code == 403
    assert "staff" not in [entry.details for entry in entries("data.download")]


def test_a_choice_left_out_gets_a_message_and_keeps_what_was_chosen(owner_client):
    response = post(owner_client, "/staff/exports/", {"tables": ["bookings"]})
    assert response.status_code == 422
    assert "Choose a format." in response.text
    assert re.search(r'value="bookings"\s+checked', response.text)
    response = post(owner_client, "/staff/exports/", {"format": "json"})
    assert response.status_code == 422 and "Choose at least one table." in response.text
    response = post(owner_client, "/staff/exports/", {"tables": ["passwords"], "format": "xlsx"})
    assert response.status_code == 422
    with models.db.connection_context():
        assert jobs.ExportJob.select().count() == 0


def test_background_export_shows_progress_then_downloads_once(owner_client, app, owner):
    give_maija_an_address()
    job_page = ask(owner_client)
    waiting = owner_client.get(job_page)
    assert "Being made: 0 %" in waiting.text
    assert '<progress id="export-progress" max="100" value="0">' in waiting.text
    assert 'data-hx-trigger="every 1s"' in waiting.text
    assert '<noscript><meta http-equiv="refresh" content="2"></noscript>' in waiting.text
    fragment = owner_client.get(job_page, headers=HTMX)
    assert fragment.text.lstrip().startswith('<section id="export-job"')

    assert run_worker(app) == "1 written"
    ready = owner_client.get(job_page, headers=HTMX)
    assert "every 1s" not in ready.text and "Ready: 5 rows." in ready.text
    link = re.search(r'href="([^"]+/download)"', ready.text).group(1)

    download = owner_client.get(link)
    assert download.status_code == 200
    assert download.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in download.headers["Content-Disposition"]
    workbook = openpyxl.load_workbook(io.BytesIO(download.get_data()))
    download.close()
    assert workbook.sheetnames == ["Customers", "Bookings"]
    customers = list(workbook["Customers"].iter_rows(values_only=True))
    assert customers[0][:4] == ("Customer number", "Name", "E-mail", "Phone")
    maija = next(row for row in customers if row[0] == MAIJA)
    assert "00100" in maija and "+358401234567" in maija
    bookings = list(workbook["Bookings"].iter_rows(values_only=True))
    assert len(bookings) == 4 and "Customer" in bookings[0]

    again = owner_client.get(link)
    assert again.status_code == 410
    assert "has been downloaded" in again.text
    assert list(Path(app.instance_path, "exports").iterdir()) == []

    export, = entries("data.export")
    assert export.user_id == owner.id
    assert export.details == "export 1, xlsx: customers 2, bookings 3; 5 rows"
    assert "Maija" not in export.details
    assert [entry.user_id for entry in entries("data.download")] == [owner.id]


def test_an_unused_file_is_deleted_after_a_day(owner_client, app, clock):
    ask(owner_client, ("customers",), "json")
    run_worker(app)
    folder = Path(app.instance_path, "exports")
    assert len(list(folder.iterdir())) == 1
    clock.shift(days=1, minutes=1)
    assert run_worker(app) == "1 files deleted"
    assert list(folder.iterdir()) == []
    with models.db.connection_context():  # (the owner's session has ended by now)
        job = jobs.ExportJob.get()
        assert job.status == jobs.GONE
        assert jobs.claim_download(job.id, job.user_id, clock.now()) is None


def test_another_owners_export_is_not_theirs(owner_client, app):
    job_page = ask(owner_client)
    run_worker(app)
    with models.db.connection_context():
        jobs.ExportJob.update(user=None).execute()
    assert owner_client.get(job_page).status_code == 404
    assert owner_client.get(job_page + "/download").status_code == 404


def test_an_export_a_stopped_worker_left_is_taken_again(owner_client, app, clock):
    ask(owner_client, ("customers",), "csv-zip")
    with models.db.connection_context():
        taken = jobs.take_next(clock.now())
        assert taken is not None
        assert jobs.take_next(clock.now()) is None  # a second worker does not take it
    clock.shift(minutes=3)  # the first worker stopped without a word
    assert run_worker(app) == "1 written"
    with models.db.connection_context():
        assert jobs.ExportJob.get_by_id(taken.id).status == jobs.DONE


def test_progress_is_counted_while_the_file_is_written(app, owner, monkeypatch):
    seen = []
    monkeypatch.setattr(jobs, "PROGRESS_EVERY", 2)
    real = jobs.report_progress

    def watching(job, total, done, now):
        seen.append((total, done))
        real(job, total, done, now)

    monkeypatch.setattr(jobs, "report_progress", watching)
    with models.db.connection_context():
        jobs.request_export(owner.id, ["customers", "bookings"], "csv-zip", "fi")
    run_worker(app)
    assert seen == [(5, 0), (5, 2), (5, 4)]
    with models.db.connection_context():
        job = jobs.ExportJob.get()
        assert (job.rows_done, job.rows_total, job.percent) == (5, 5, 100)


def test_command_exports_csv_for_finnish_excel(runner, shop, tmp_path):
    give_maija_an_address()
    out = tmp_path / "csv"
    result = runner.invoke(args=["export", "data", "--what", "customers,bookings",
                                 "--format", "csv", "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert "yksi CSV-tiedosto taulukkoa kohden: Asiakkaat 2, Varaukset" in result.output
    assert sorted(path.name for path in out.iterdir()) == ["bookings.csv", "customers.csv"]
    text = (out / "customers.csv").read_text(encoding="utf-8")
    assert text.startswith("\ufeffAsiakasnumero;Nimi;")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    maija = next(row for row in rows if row[0] == str(MAIJA))
    assert '="00100"' in maija and '="+358401234567"' in maija
    bookings = list(csv.reader(io.StringIO(
        (out / "bookings.csv").read_text(encoding="utf-8")[1:]), delimiter=";"))
    heading = bookings[0]
    first = bookings[1]
    assert first[heading.index("Tila")] == "Vahvistettu"
    assert re.fullmatch(r"\d+,\d\d", first[heading.index("Hinta (€)")])
    assert re.fullmatch(r"\d{1,2}\.\d{1,2}\.20\d\d", first[heading.index("Päiväys")])
    assert re.fullmatch(r"\d{1,2}\.\d\d", first[heading.index("Alkaa")])
    export, = entries("data.export")
    assert export.user_id is None
    assert export.details == "export on the command line, csv: customers 2, bookings 3; 5 rows"


def test_command_writes_money_with_a_decimal_point_when_asked(runner, shop, tmp_path):
    out = tmp_path / "csv"
    runner.invoke(args=["export", "data", "--what", "bookings", "--format", "csv",
                        "--decimal-point", "--language", "en", "--output", str(out)])
    rows = list(csv.reader(io.StringIO(
        (out / "bookings.csv").read_text(encoding="utf-8")[1:]), delimiter=";"))
    assert re.fullmatch(r"\d+\.\d\d", rows[1][rows[0].index("Price (€)")])
    assert rows[1][rows[0].index("Status")] == "Confirmed"


def test_command_writes_a_zip_or_refuses_an_unknown_table(runner, shop, tmp_path):
    result = runner.invoke(args=["export", "data", "--what", "all", "--format", "csv",
                                 "--output", str(tmp_path / "all.zip")])
    assert "Viety zip-tiedostoon" in result.output
    with zipfile.ZipFile(tmp_path / "all.zip") as archive:
        assert archive.namelist() == [f"{name}.csv" for name in TABLES]
    result = runner.invoke(args=["export", "data", "--what", "customers,secrets",
                                 "--format", "xlsx", "--output", str(tmp_path / "x.xlsx")])
    assert result.exit_code != 0 and "taulukkoa secrets ei ole" in result.output


def documented_schema():
    """The tables and their columns (key → kind) as docs/export-schema.md lists them."""
    tables, current = {}, None
    for line in SCHEMA.read_text(encoding="utf-8").splitlines():
        heading = re.fullmatch(r"### `([a-z-]+)`", line)
        if heading:
            current = tables.setdefault(heading.group(1), {})
        row = re.fullmatch(r"\| `([a-z_]+)` \| (\w+) \|.*", line)
        if row and current is not None:
            current[row.group(1)] = row.group(2)
    return tables


def test_json_archive_matches_the_documented_schema(runner, shop, tmp_path):
    give_maija_an_address()
    path = tmp_path / "all.json"
    assert runner.invoke(args=["export", "data", "--format", "json", "--output",
                               str(path)]).exit_code == 0
    archive = json.loads(path.read_text(encoding="utf-8"))
    assert archive["format"] == "vuoro-export/1"
    assert archive["tables_included"] == list(TABLES)
    documented = documented_schema()
    assert list(documented) == list(TABLES)
    for name, table in archive["tables"].items():
        assert {column["key"]: column["kind"] for column in table["columns"]} \
            == documented[name], name
        for row in table["rows"]:
            assert list(row) == list(documented[name])
    maija = next(row for row in archive["tables"]["customers"]["rows"] if row["id"] == MAIJA)
    assert maija["postal_code"] == "00100" and maija["phone"] == "+358401234567"
    booking = next(row for row in archive["tables"]["bookings"]["rows"]
                   if row["customer_id"] == MATTI)
    assert isinstance(booking["price_cents"], int) and booking["status"] == "confirmed"
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[23]:00", booking["starts_at"])


@pytest.mark.parametrize("format, suffix", [("csv-zip", ".zip"), ("json", ".json")])
def test_each_format_downloads_with_its_own_name(owner_client, app, format, suffix):
    job_page = ask(owner_client, ("audit",), format)
    run_worker(app)
    download = owner_client.get(job_page + "/download")
    assert download.status_code == 200
    assert re.search(rf'filename="vuoro-export-[\d-]+{re.escape(suffix)}"',
                     download.headers["Content-Disposition"])
    download.close()


def test_recent_exports_are_listed(owner_client, app):
    ask(owner_client, ("contact-requests",), "json")
    page = owner_client.get("/staff/exports/")
    assert "Your exports of the last day" in page.text
    assert "Contact requests · JSON archive" in page.text and "Being made" in page.text
    run_worker(app)
    assert "Ready to download" in owner_client.get("/staff/exports/").text
    assert timedelta(days=1) == jobs.KEPT_FOR


def test_visit_statistics_export_by_dimension_without_small_counts(runner, shop, tmp_path):
    from datetime import date

    from models.analytics.counts import BrowserCount, PageCount

    with models.db.connection_context():
        PageCount.create(day=date(2026, 11, 30), value="/", count=40)
        PageCount.create(day=date(2026, 11, 30), value="/book", count=2)  # too few to show
        BrowserCount.create(day=date(2026, 11, 30), value="Firefox 133", count=3)
    path = tmp_path / "stats.json"
    result = runner.invoke(args=["export", "data", "--what", "analytics", "--format", "json",
                                 "--output", str(path)])
    assert result.exit_code == 0, result.output
    rows = json.loads(path.read_text(encoding="utf-8"))["tables"]["analytics"]["rows"]
    assert sorted((row["dimension"], row["value"], row["count"]) for row in rows) == [
        ("browser", "Firefox 133", 3), ("page", "/", 40)]
    out = tmp_path / "csv"
    runner.invoke(args=["export", "data", "--what", "analytics", "--format", "csv",
                        "--output", str(out)])
    table = list(csv.reader(io.StringIO(
        (out / "analytics.csv").read_text(encoding="utf-8")[1:]), delimiter=";"))
    assert table[0] == ["Mitä laskettiin", "Päivä", "Arvo", "Määrä"]
    assert ["Sivut", "30.11.2026", "/", "40"] in table
