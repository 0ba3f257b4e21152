#!/bin/sh
# The README's two commands:
#   ./dev.sh serve   install, then run the site on SQLite with demo data
#                    (HOST=0.0.0.0 ./dev.sh serve: reachable from a phone on the same network)
#   ./dev.sh test    install, then run the whole test suite (pytest options may follow)
set -eu
cd "$(dirname "$0")"
PYTHON=${PYTHON:-python3}

install() {
    if [ ! -x .venv/bin/python ]; then
        "$PYTHON" -m venv .venv || {
            echo "Could not make a virtual environment. On Debian or Ubuntu: apt install python3-venv" >&2
            exit 1
        }
    fi
    # Install only when the pinned dependencies changed since the last install.
    wanted=$(cat pyproject.toml requirements.lock | sha256sum | cut -d' ' -f1)
    if [ "$(cat .venv/.installed 2>/dev/null)" != "$wanted" ]; then
        echo "Installing the pinned dependencies into .venv ..." >&2
        .venv/bin/python -m pip install --quiet --disable-pip-version-check \
            -c requirements.lock -e ".[test]"
        echo "$wanted" > .venv/.installed
    fi
}

case "${1:-}" in
serve)
    install
    export VUORO_DEVELOPMENT=${VUORO_DEVELOPMENT:-1}
    .venv/bin/flask --app app init-db
    .venv/bin/flask --app app demo
    export VUORO_BASE_URL=${VUORO_BASE_URL:-http://127.0.0.1:${PORT:-5000}}
    # The worker sends e-mail (saved under instance/mail/ unless SMTP is configured)
    # and reminders beside the site; it stops with it.
    .venv/bin/flask --app app worker &
    worker=$!
    trap 'kill "$worker" 2>/dev/null' EXIT INT TERM
    host=${HOST:-127.0.0.1}
    if [ "$host" = 127.0.0.1 ]; then
        echo "Vuoro runs at http://127.0.0.1:${PORT:-5000}/ (Ctrl+C stops it)" >&2
    else
        echo "Vuoro runs at http://$(hostname -I 2>/dev/null | cut -d' ' -f1):${PORT:-5000}/" \
             "on the local network (Ctrl+C stops it)" >&2
    fi
    .venv/bin/flask --app app run --host "$host" --port "${PORT:-5000}"
    ;;
test)
    shift
    install
    exec .venv/bin/python -m pytest "$@"
    ;;
*)
    echo "usage: ./dev.sh serve | ./dev.sh test [pytest options]" >&2
    exit 2
    ;;
esac
