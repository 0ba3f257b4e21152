"""The security baseline: headers, cross-site requests, cookies, nothing from elsewhere."""

import gzip
import re
from pathlib import Path

import pytest
from support import PASSWORD, csrf_token, form_fields, next_weekday, staff_urls, translated

from app import create_app
from web.security import CONTENT_SECURITY_POLICY, local_path

ROOT = Path(__file__).resolve().parent.parent
PAGES = ["/", "/book", "/book/2", "/privacy", "/no-such-page"]


@pytest.mark.parametrize("url", PAGES)
def test_every_page_sends_the_security_headers(client, shop, url):
    headers = client.get(url).headers
    assert headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
    assert headers["X-Content-Type-Options"] == "nosniff"
    assert headers["Referrer-Policy"] == "same-origin"
    assert "Strict-Transport-Security" not in headers  # plain http here


def test_a_pages_files_carry_no_document_policy_but_are_never_sniffed(client, shop):
    page = client.get("/book/2").text
    stylesheet = re.search(r'href="(/static/css/site\.css[^"]*)"', page).group(1)
    script = re.search(r'src="(/static/vendor/htmx/[^"]*)"', page).group(1)
    for url in (stylesheet, script):
        headers = client.get(url).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert "Content-Security-Policy" not in headers
    # An SVG opened by itself is a document: it keeps the policy.
    icon = client.get("/static/favicon.svg").headers
    assert icon["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_policy_allows_no_inline_script_or_eval_and_no_framing():
    assert "unsafe-inline" not in CONTENT_SECURITY_POLICY
    assert "unsafe-eval" not in CONTENT_SECURITY_POLICY
    assert "frame-ancestors 'none'" in CONTENT_SECURITY_POLICY
    assert "script-src 'self'" in CONTENT_SECURITY_POLICY


def test_hsts_over_https(client, shop):
    response = client.get("/", base_url="https://vuoro.example")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")


def test_templates_have_no_inline_script_nor_handlers_nor_other_hosts():
    for path in (ROOT / "templates").rglob("*.html"):
        text = path.read_text()
        assert not re.search(r"<script(?![^>]*\ssrc=)[^>]*>", text), path
        assert not re.search(r"\son[a-z]+\s*=", text), path
        assert not re.search(r"""(src|href|action)=["'](https?:)?//""", text), path
        # E-mail is read in mail programs, which keep only inline styles; no page
        # of the site has any.
        if path.parent.name != "mail":
            assert "style=" not in text, path


def test_static_files_load_nothing_from_elsewhere():
    css = (ROOT / "static/css/site.css").read_text()
    assert "url(" not in css and "@import" not in css


def test_htmx_is_vendored_with_version_and_licence():
    vendor = ROOT / "static/vendor/htmx"
    assert (vendor / "LICENSE").exists()
    assert "2.0.11" in (vendor / "VERSION").read_text()
    assert 'version:"2.0.11"' in (vendor / "htmx.min.js").read_text().replace(" ", "")


def test_cross_site_post_is_refused(client, shop):
    day = next_weekday(1)
    page = client.get(f"/book/2?day={day.isoformat()}").text
    link = re.search(r'href="(/book/2/details[^"]+)"', page).group(1).replace("&amp;", "&")
    fields = form_fields(client.get(link).text)
    data = {**fields, "name": "Liisa Laine", "email": "liisa@example.com",
            "phone": "0401234567"}
    for headers in ({"Sec-Fetch-Site": "cross-site"},
                    {"Origin": "https://evil.example"}):
        assert client.post("/book/2/details", data=data, headers=headers).status_code == 403
    same_site = {"Sec-Fetch-Site": "same-origin", "Origin": "http://localhost"}
    assert client.post("/book/2/details", data=data, headers=same_site).status_code == 303


def test_booking_works_with_cookies_blocked(app, shop):
    """A customer whose browser refuses every cookie can still book: the public
    pages set none, and the form carries its own token."""
    client = app.test_client(use_cookies=False)
    day = next_weekday(2)
    page = client.get(f"/book/2?day={day.isoformat()}")
    assert "Set-Cookie" not in page.headers
    link = re.search(r'href="(/book/2/details[^"]+)"', page.text).group(1)
    form = client.get(link.replace("&amp;", "&"))
    assert "Set-Cookie" not in form.headers
    response = client.post("/book/2/details", data={
        **form_fields(form.text), "name": "Liisa Laine", "email": "liisa@example.com",
        "phone": "0401234567"})
    assert response.status_code == 303
    assert "Set-Cookie" not in response.headers
    assert client.get(response.headers["Location"]).status_code == 200


def test_session_cookie_is_secure_httponly_lax_in_production(database_url, tmp_path):
    app = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


def test_secret_key_is_generated_into_instance_once(database_url, tmp_path, monkeypatch):
    monkeypatch.delenv("VUORO_SECRET_KEY", raising=False)
    monkeypatch.setattr("flask.Flask.auto_find_instance_path", lambda self: str(tmp_path))
    first = create_app({"DATABASE_URL": database_url}).secret_key
    second = create_app({"DATABASE_URL": database_url}).secret_key
    assert first == second and len(first) == 64
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_pages_and_static_files_are_compressed_for_browsers_that_accept_it(client, shop):
    for url in ("/book/2", "/static/vendor/htmx/htmx.min.js", "/static/css/site.css"):
        response = client.get(url, headers={"Accept-Encoding": "gzip"})
        assert response.headers["Content-Encoding"] == "gzip", url
        assert gzip.decompress(response.get_data())  # a whole, valid gzip stream
        response.close()


def test_too_large_request_gets_a_clear_page(client, shop):
    response = client.post("/book/2/details", data={"message": "x" * 400_000})
    assert response.status_code == 413
    assert "Too much text" in response.text or "<h1>" in response.text


def test_database_outage_gets_a_503_page_not_a_500(tmp_path):
    app = create_app({"DATABASE_URL": f"sqlite:///{tmp_path}/missing/dir/../x.db",
                      "SECRET_KEY": "x", "DEVELOPMENT": True})
    response = app.test_client().get("/book")  # no tables: an operational error
    assert response.status_code == 503


def test_production_over_plain_http_says_https_is_needed(database_url, tmp_path, shop):
    from app import create_app

    production = create_app({"DATABASE_URL": database_url, "SECRET_KEY": "x"})
    production.instance_path = str(tmp_path / "instance")
    client = production.test_client()
    page = client.get("/staff/login")
    assert "Secure" in page.headers["Set-Cookie"]
    client.delete_cookie("session")  # as a browser does with a Secure cookie over http
    sent = client.post("/staff/login", data={
        "csrf_token": csrf_token(page.text), "email": "olli@hieronta.example",
        "password": "whatever it is"})
    assert sent.status_code == 400
    assert translated("fi", "This site needs HTTPS") in sent.text
    assert "VUORO_DEVELOPMENT=1" in sent.text


# Addresses that a browser reads as another site once it drops tabs and line breaks and
# reads backslashes as slashes (and the plain ones).
OFF_SITE = ["/%09/evil.example", "/%0D%0A/evil.example", "/%5Cevil.example",
            "%5C%5Cevil.example", "/%09%5Cevil.example", "//evil.example",
            "https://evil.example/", "%20//evil.example", "/%00/evil.example"]


def stays_on_site(response, home):
    """Led to `home`, or (a NUL in the address) refused with a page and no redirect."""
    if "%00" in response.request.url:
        return response.status_code == 400 and "Location" not in response.headers
    return response.headers.get("Location") == home


@pytest.mark.parametrize("target", OFF_SITE)
def test_the_language_switch_never_leads_off_the_site(client, shop, target):
    response = client.get(f"/language/en?next={target}")
    assert stays_on_site(response, "/")


@pytest.mark.parametrize("target", OFF_SITE)
def test_logging_in_never_leads_off_the_site(app, owner, target):
    client = app.test_client()
    page = client.get("/staff/login")
    response = client.post(f"/staff/login?next={target}", data={
        "csrf_token": csrf_token(page.text), "email": owner.email, "password": PASSWORD})
    assert stays_on_site(response, "/staff/calendar/")


def test_a_path_on_the_site_is_followed_as_the_browser_reads_it(client, shop):
    target = "/book/2?day=2030-01-07&staff=any"
    assert local_path(target, "/") == target
    assert local_path("/privacy\t", "/") == "/privacy"
    assert client.get("/language/sv?next=/book/2").headers["Location"] == "/book/2"


def test_no_back_office_answer_is_kept_in_a_cache(app, owner_client):
    """Pages, downloads, redirects and errors under /staff/ alike: Cache-Control no-store."""
    answers = {(method, url): owner_client.open(url, method=method)
               for _, method, url in staff_urls(app) if method == "GET"}
    anonymous = app.test_client()
    answers["anonymous"] = anonymous.get("/staff/customers/")
    answers["login page"] = anonymous.get("/staff/login")
    answers["unknown"] = owner_client.get("/staff/no-such-page")
    answers["no form token"] = owner_client.post("/staff/account/notifications")
    statuses = {response.status_code for response in answers.values()}
    assert {200, 302, 400, 404} <= statuses
    assert any(response.mimetype == "text/csv" for response in answers.values())
    for what, response in answers.items():
        assert response.headers.get("Cache-Control") == "no-store", what
        response.close()
