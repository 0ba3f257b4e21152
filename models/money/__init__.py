"""The money side: the owner's money settings, counter payments with their receipts,
invoices with their gapless numbers, payments and credit notes.

Every rule is enforced here, inside the transaction that writes: an issued invoice or a
receipt never changes, a number is never given twice nor skipped, and every amount is
integer cents computed by engines/vat.py."""


class Refused(ValueError):
    """A money rule said no; `code` says which, `field` the input it is about (or None)."""

    def __init__(self, code, field=None):
        super().__init__(code)
        self.code = code
        self.field = field
