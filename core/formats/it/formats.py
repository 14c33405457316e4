"""Italian date formats as the Region writes them: "2 novembre 2026" in words (months in lower case,
see locale/it/LC_MESSAGES/django.po), dd/mm/yyyy in figures, everywhere the same."""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "d/m/Y H:i"
