"""The secrets that travel in links and forms, made with the site's secret key."""

import secrets

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

from models import link_key


def _serializer():
    return URLSafeTimedSerializer(current_app.secret_key, salt="vuoro-public-form")


def new_form_token():
    """A signed token for a public form: it names the submission (a second submit of
    the same form is recognised) and says when the form was handed out."""
    return _serializer().dumps(secrets.token_urlsafe(24))


def read_form_token(token, max_age):
    """The submission key in a form token, or None when it is forged or too old."""
    try:
        return _serializer().loads(token or "", max_age=max_age)
    except BadData:
        return None


def link_token(submission_key):
    """The secret in a booking's own link, derived from its submission key so that a
    resubmitted form leads to the same booking; only its hash is stored."""
    return link_key(current_app.secret_key, submission_key)
