"""Form fields for dates and times typed by people.

Browsers' date pickers send ISO dates; people typing (or a browser without
a picker) may write 和暦 or full-width digits. Both are read by
``medir.lib.dates``; anything else is refused with a message that shows
how to write it.
"""

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError

from medir.lib.dates import JAPAN, DateInputError, parse_typed_date, parse_typed_moment


class JapanDateField(forms.DateField):
    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.date()
        if isinstance(value, dt.date):
            return value
        try:
            return parse_typed_date(str(value))
        except DateInputError as error:
            raise ValidationError(str(error), code="invalid") from None


class JapanDateTimeField(forms.DateTimeField):
    """A date and time read as Japan time when it carries no offset,
    whatever time zone is active."""

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            moment = value
        elif isinstance(value, dt.date):
            moment = dt.datetime.combine(value, dt.time())
        else:
            try:
                return parse_typed_moment(str(value), JAPAN)
            except DateInputError as error:
                raise ValidationError(str(error), code="invalid") from None
        return moment.replace(tzinfo=JAPAN) if moment.tzinfo is None else moment
