"""The back office at the counter, read in Finnish: the navigation in groups, the account
menu, no public footer; (further below) the customer page's summary, the week of working
hours, answering from the inbox and the wording of the audit log and a booking's
history."""

import re

from support import translated


def fi(message, **values):
    return translated("fi", message, **values)


# The navigation ------------------------------------------------------------------


def nav_groups(page):
    """The names of the navigation's groups (the <summary> of each menu)."""
    return [re.sub(r"<[^>]+>.*", "", summary).strip()
            for summary in re.findall(r'<summary[^>]*>(.*?)</summary>', page, re.S)]


def test_owner_navigation_is_grouped_with_an_account_menu(owner_client):
    page = owner_client.get("/staff/calendar/").text
    assert f'aria-current="page">{fi("Calendar")}</a>' in page
    assert fi("Customers") in page
    groups = nav_groups(page)
    assert groups[:3] == [fi("Messages"), fi("Money and reports"), fi("Settings")]
    assert "Olli Omistaja</summary>" in page
    # every page the owner reaches from the navigation is still one click inside a group
    for path in ("/staff/inbox/", "/staff/requests/", "/staff/news/", "/staff/mail/",
                 "/staff/money/", "/staff/exports/", "/staff/settings", "/staff/audit",
                 "/staff/records/", "/staff/backups/", "/staff/account/"):
        assert f'href="{path}' in page, path


def test_staff_navigation_has_no_owner_pages(staff_client):
    page = staff_client.get("/staff/customers/").text
    assert nav_groups(page)[:2] == [fi("Messages"), fi("Money and reports")]
    assert fi("Settings") not in nav_groups(page)
    assert 'href="/staff/audit' not in page and 'href="/staff/backups/' not in page


def test_the_group_of_the_open_page_is_marked(owner_client):
    page = owner_client.get("/staff/inbox/").text
    assert f'<summary class="current">{fi("Messages")}' in page
    assert f'aria-current="page">{fi("Inbox")}</a>' in page


def test_log_out_is_a_styled_button_in_a_form_of_the_account_menu(staff_client):
    page = staff_client.get("/staff/calendar/").text
    menu = page[page.index('class="nav-group account-menu"'):]
    menu = menu[:menu.index("</details>")]
    assert 'action="/staff/logout"' in menu and 'method="post"' in menu
    assert f'<button type="submit" class="button small">{fi("Log out")}</button>' in menu
    assert 'href="/staff/account/"' in menu and fi("Your account") in menu


def test_no_public_footer_inside_the_back_office(staff_client, client):
    assert 'class="site-footer"' not in staff_client.get("/staff/calendar/").text
    assert fi("My data") not in staff_client.get("/staff/customers/").text
    assert 'class="site-footer"' in client.get("/").text
