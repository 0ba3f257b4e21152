"""The one pager (models/paging.py) on its own: what a page says of itself, and that
the listing is counted only when its rows cannot tell."""

import pytest

from models.paging import Page, page_from, page_number


def never_counted():
    raise AssertionError("counted, though the rows told the total")


def test_a_page_that_holds_the_rest_is_not_counted():
    page = page_from(list(range(7)), 3, 10, never_counted)
    assert page == Page(list(range(7)), 3, 10, 27)
    assert page.has_previous and not page.has_next
    assert (page.first, page.last, page.pages) == (21, 27, 3)


def test_a_full_page_with_more_after_it_is_counted():
    page = page_from(list(range(11)), 1, 10, lambda: 95)
    assert len(page.items) == 10 and page.total == 95
    assert page.has_next and not page.has_previous and page.pages == 10


def test_a_page_past_the_end_is_empty_and_counted_so_it_links_back():
    page = page_from([], 9, 10, lambda: 24)
    assert page.items == [] and page.first == 0 and page.has_previous
    assert not page.has_next


def test_an_empty_listing_is_one_empty_page():
    page = page_from([], 1, 10, never_counted)
    assert page.total == 0 and page.pages == 1
    assert not page.has_previous and not page.has_next


@pytest.mark.parametrize(("text", "number"), [("2", 2), ("", 1), ("0", 1), ("²", 1),
                                               ("-3", 1), ("9" * 50, 1), (None, 1)])
def test_page_numbers_from_links(text, number):
    assert page_number(text) == number
