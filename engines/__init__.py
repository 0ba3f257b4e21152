"""The money computations: reference numbers, the bank's virtual bar code, the EPC payment
QR code, VAT rates and row arithmetic, Finvoice messages and the business ID check.

The rule here: pure functions of plain inputs (int, str, Decimal, date, dataclasses),
returning plain values. Nothing in this package imports Flask, peewee, `models` or
`views`, so invoices, receipts, the worker, the CLI and the tests all use one computation.
"""
