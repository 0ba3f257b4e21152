"""gunicorn's settings for Vuoro, read when gunicorn starts in this folder:
`gunicorn 'app:create_app()'` (the systemd unit in deploy/ does so). What is given on
the command line (--bind, --workers, --threads) wins over what is here.

Logs are JSON lines without personal data (web/logging.py): gunicorn's own lines, the
app's (through the root logger) and one access line a request, with its method, its
path without the query string and with links' secrets masked, status, size, time and
request id; no client address, no Referer, no User-Agent."""

import gc
import logging

from gunicorn import glogging

from web.logging import JsonLines, safe_path

threads = 4
# The access log on stdout, gunicorn's and the app's lines on stderr; systemd's journal
# keeps both.
accesslog = "-"
errorlog = "-"


class JsonLogger(glogging.Logger):
    def setup(self, cfg):
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(JsonLines())
        # The app's own loggers (the worker's, Flask's) write through gunicorn's handler.
        root = logging.getLogger()
        root.handlers[:] = list(self.error_log.handlers)
        root.setLevel(min(self.loglevel, logging.INFO))

    def access(self, resp, req, environ, request_time):
        if not self.access_log_enabled:
            return
        headers = {name.lower(): value for name, value in resp.headers}
        self.access_log.info("request", extra={
            "method": environ.get("REQUEST_METHOD", ""),
            "path": safe_path(environ.get("PATH_INFO", "")),
            "status": resp.status_code,
            "bytes": getattr(resp, "sent", None),
            "duration_ms": round(request_time.total_seconds() * 1000, 1),
            "request_id": headers.get("x-request-id", ""),
        })


logger_class = JsonLogger


def post_worker_init(worker):
    """Once the worker has loaded the app, its objects (the modules, the app, the
    translations: some 150 000) go where the garbage collector no longer looks. A full
    collection over them took some 90 ms, in which every thread of the worker stood
    still; the collections left are of what requests make."""
    gc.freeze()
