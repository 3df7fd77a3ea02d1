"""The desk's time zone in the tests: the default of ``hours.timezone``, which the test settings keep."""

from bot.app.config import HoursSettings

DESK_ZONE = HoursSettings().timezone
