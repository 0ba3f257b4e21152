"""The owner's exports form: which tables, in which format."""

from flask_babel import lazy_gettext as _l
from wtforms import RadioField, SelectMultipleField
from wtforms.validators import InputRequired

from engines.spreadsheet import XLSX
from views.owner.settings_forms import NOT_AN_OPTION, options
from web.exports import FORMAT_NAMES, FORMATS, TABLE_TITLES
from web.forms import Form


class ExportForm(Form):
    tables = SelectMultipleField(
        _l("Tables"), choices=options(TABLE_TITLES.items()),
        invalid_choice_message=NOT_AN_OPTION,
        validators=[InputRequired(_l("Choose at least one table."))])
    format = RadioField(
        _l("Format"), choices=options((name, FORMAT_NAMES[name]) for name in FORMATS),
        default=XLSX, invalid_choice_message=NOT_AN_OPTION,
        validators=[InputRequired(_l("Choose a format."))])

    @classmethod
    def empty(cls):
        return cls(formdata=None, tables=list(TABLE_TITLES), format=XLSX)
