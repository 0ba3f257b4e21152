"""Throttling of logins and public forms (Flask-Limiter).

Counts live in memory by default, or in Redis when VUORO_RATELIMIT_STORAGE_URL is set
(redis://localhost:6379), which several app servers must share."""

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

limiter = Limiter(key_func=get_remote_address, strategy="moving-window")


def submitted_email():
    """The account a login tries, so that guessing one password is slowed down
    however many addresses the guesses come from."""
    return "account:" + (request.form.get("email") or "").strip().lower()


def failed(response):
    """Only failed attempts count against the limits."""
    return response.status_code in (401, 422)
