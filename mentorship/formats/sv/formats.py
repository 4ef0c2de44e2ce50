# Dates and times as a Swedish reader expects them: "14 december 2026 kl. 23.59".
# "kl." and the time are joined by a non-breaking space, so a line never ends in "kl.".
# Templates use these names (`|date:"ABBR_DATE_FORMAT"`), never literal formats.
DATE_FORMAT = "j F Y"
DATETIME_FORMAT = r"j F Y \k\l. H.i"
TIME_FORMAT = "H.i"
YEAR_MONTH_FORMAT = "F Y"
MONTH_DAY_FORMAT = "j F"
MONTH_DAY_TIME_FORMAT = r"j F \k\l. H.i"
WEEKDAY_DATETIME_FORMAT = r"l j F Y \k\l. H.i"
ABBR_DATE_FORMAT = "j N Y"
ABBR_DATETIME_FORMAT = r"j N Y \k\l. H.i"
ABBR_MONTH_DAY_FORMAT = "j N"
ABBR_MONTH_FORMAT = "b"
