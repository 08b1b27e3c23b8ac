"""Back-office screens of the Plaza: documents here; meetings, open data and requests in their
packages' admin modules, imported below so that Django's admin discovery finds them."""

from hamkke.plaza.disclosure import admin as disclosure_admin  # noqa: F401
from hamkke.plaza.meetings import admin as meetings_admin  # noqa: F401
from hamkke.plaza.opendata import admin as opendata_admin  # noqa: F401
