"""The one pager: a page of a listing (the register, the inbox, the closed data
requests, the audit log), whose links templates/partials/pager.html draws."""

from dataclasses import dataclass
from math import ceil

from models import whole_number

# Beyond any listing here; a larger page number in a link is a typo.
PAGE_MAX = 99_999


def page_number(text):
    """A page number from a link: 1 for anything that is not a sensible one."""
    return whole_number(text, largest=PAGE_MAX) or 1


@dataclass(frozen=True)
class Page:
    """One page of a listing: its rows, which page it is (from 1), how many rows a page
    holds and how many the listing has in all."""

    items: list
    number: int
    size: int
    total: int

    @property
    def has_previous(self):
        return self.number > 1

    @property
    def has_next(self):
        return self.number * self.size < self.total

    @property
    def pages(self):
        return max(1, ceil(self.total / self.size))

    @property
    def first(self):
        """The place in the listing of the page's first row (0 on an empty page)."""
        return (self.number - 1) * self.size + 1 if self.items else 0

    @property
    def last(self):
        return (self.number - 1) * self.size + len(self.items)


def page_from(rows, number, size, count):
    """The page of `rows`, fetched as up to `size` + 1 rows from where the page starts;
    `count()` tells the total, and is asked only when the rows cannot (a next page, or
    a page past the end)."""
    if len(rows) > size or (not rows and number > 1):
        total = count()
    else:
        total = (number - 1) * size + len(rows)
    return Page(rows[:size], number, size, total)


def page_of(query, number, size, past_the_end_is_last=False):
    """Page `number` of `query`'s rows: one query, and a count only when there is more
    than fits. With `past_the_end_is_last`, a number past the end gives the last page."""
    if past_the_end_is_last:
        total = query.count()
        number = min(number, max(1, ceil(total / size)))
        return Page(list(query.paginate(number, size)), number, size, total)
    rows = list(query.limit(size + 1).offset((number - 1) * size))
    return page_from(rows, number, size, query.count)
