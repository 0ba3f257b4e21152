"""The one spreadsheet response: a table sent as a CSV download, written row by row
while it is sent (engines/spreadsheet.py writes it)."""

from flask import Response, stream_with_context

from engines.spreadsheet import CSV, MEDIA_TYPES, csv_lines


def attachment(response, filename):
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def csv_download(table, filename, decimal_comma=True):
    """`table` as a CSV file to save, streamed: the rows are read as they are sent."""
    lines = stream_with_context(csv_lines(table, decimal_comma))
    return attachment(Response(lines, content_type=MEDIA_TYPES[CSV]), filename)


def csv_text_download(lines, filename):
    """CSV lines already written (a short document, such as the record of processing)."""
    return attachment(Response("".join(lines), content_type=MEDIA_TYPES[CSV]), filename)


def once(path, chunk=64 * 1024):
    """The file's bytes, read as they are sent; the file is deleted when it is sent, or
    when the download stops half-way."""
    try:
        with open(path, "rb") as stream:
            while data := stream.read(chunk):
                yield data
    finally:
        path.unlink(missing_ok=True)


def file_download_once(path, filename, media_type):
    """A file to save, which is deleted from the server once sent."""
    response = Response(once(path), content_type=media_type, direct_passthrough=True)
    response.headers["Content-Length"] = str(path.stat().st_size)
    return attachment(response, filename)
