"""The browser's own date and time fields, one labelled field each, whose values are ISO text
whatever the page's language (the browser shows them in the person's locale)."""

from django import forms

DATE = "%Y-%m-%d"
DATETIME_LOCAL = "%Y-%m-%dT%H:%M"


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None, format=DATE):
        super().__init__(attrs, format)


class DateTimeLocalInput(forms.DateTimeInput):
    input_type = "datetime-local"

    def __init__(self, attrs=None, format=DATETIME_LOCAL):
        super().__init__(attrs, format)
