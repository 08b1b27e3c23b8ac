"""Template context every page needs: the city and the list of services for the navigation."""

from __future__ import annotations

from hamkke.core.errors import NotFound
from hamkke.core.navigation import SERVICES


def city(request):
    from hamkke.core.selectors import current_city

    try:
        the_city = current_city()
    except NotFound:
        the_city = None
    return {"city": the_city, "services": SERVICES}
