"""How long a failed login takes to answer, by whether the e-mail has an account: the
answer's time must not tell.

Run from the repository root:
  .venv/bin/python benchmarks/logins.py [--tries 20]

Makes a temporary SQLite database with the demo business and two accounts (one active,
one disabled) whose passwords are hashed with the real argon2id parameters, starts the
app in gunicorn as the README runs it (2 workers of 4 threads), and times `--tries`
logins of each kind, interleaved:

  account    an account's e-mail with a wrong password
  unknown    an e-mail without an account
  disabled   a disabled account's e-mail with its right password

Each try comes from an address of its own (X-Forwarded-For, with the app told of one
proxy), so the throttling lets every try through; only the POST is timed, over a fresh
connection. Figures are medians and 90th percentiles; the ratio is unknown / account.
"""

import argparse
import http.client
import os
import random
import re
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))

from support import PASSWORD, Server  # noqa: E402

import models  # noqa: E402
from models import demo, schema  # noqa: E402
from models.accounts.users import User, create_user

KINDS = {
    "account": ("olli@hieronta.example", "not the password at all"),
    "unknown": ("nobody@hieronta.example", "not the password at all"),
    "disabled": ("entinen@hieronta.example", PASSWORD),
}


def prepare(url):
    models.open_database(url)
    schema.migrate()
    with models.db.connection_context():
        demo.add_demo_business()
        for email in ("olli@hieronta.example", "entinen@hieronta.example"):
            user = create_user(email, email.split("@")[0], "owner")
            user.set_password(PASSWORD)
            user.save()
        User.update(active=False).where(User.email == "entinen@hieronta.example").execute()
    models.db.obj.close_all()


def request(port, method, path, headers, body=None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        return response.status, response.getheader("Set-Cookie") or "", response.read().decode()
    finally:
        connection.close()


def one_login(port, email, password, address):
    """The seconds a failed login's POST takes to answer (a 401 is checked)."""
    forwarded = {"X-Forwarded-For": address}
    _, cookie, page = request(port, "GET", "/staff/login", forwarded)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    body = urllib.parse.urlencode({"csrf_token": token, "email": email, "password": password})
    headers = {**forwarded, "Cookie": cookie.split(";")[0],
               "Content-Type": "application/x-www-form-urlencoded"}
    started = time.perf_counter()
    status, _, _ = request(port, "POST", "/staff/login", headers, body)
    took = time.perf_counter() - started
    if status != 401:
        raise SystemExit(f"a failed login answered {status}, not 401")
    return took


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tries", type=int, default=20)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{folder}/vuoro.db"
        prepare(url)
        os.environ["VUORO_PROXIES"] = "1"
        server = Server(url)
        try:
            times = {kind: [] for kind in KINDS}
            order = list(KINDS) * args.tries
            random.Random(9).shuffle(order)
            for number, kind in enumerate(order):
                email, password = KINDS[kind]
                address = f"10.{number // 65536}.{number // 256 % 256}.{number % 256}"
                times[kind].append(one_login(server.port, email, password, address))
        finally:
            server.stop()
    print(f"logins: gunicorn 2 workers x 4 threads, SQLite, {args.tries} tries of each kind")
    print(f"{'kind':10} {'median ms':>10} {'p90 ms':>8}")
    medians = {}
    for kind, measured in times.items():
        medians[kind] = statistics.median(measured) * 1000
        p90 = statistics.quantiles(measured, n=10)[-1] * 1000
        print(f"{kind:10} {medians[kind]:10.1f} {p90:8.1f}")
    ratio = medians["unknown"] / medians["account"]
    verdict = "PASS" if 0.8 <= ratio <= 1.25 else "MISS"
    print(f"unknown / account: {ratio:.2f} ({verdict}: the goal is the same time, "
          f"within 20 %)")


if __name__ == "__main__":
    main()
