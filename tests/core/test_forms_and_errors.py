"""Domain errors shown inline on forms, and the site's own 400/403/404/500 pages."""

from __future__ import annotations

import pytest
from django import forms
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.views import defaults

from hamkke.core.errors import InvalidInput, OutsideCity
from hamkke.core.web.forms import DomainErrorsInline

pytestmark = pytest.mark.usefixtures("english")


class PlaceForm(DomainErrorsInline, forms.Form):
    description = forms.CharField()


def test_a_domain_error_goes_beside_its_field():
    form = PlaceForm({"description": "pothole"})
    assert form.is_valid()
    form.add_domain_error(InvalidInput("Too vague.", field="description"))
    assert form.errors == {"description": ["Too vague."]}
    assert not form.is_valid()


def test_a_domain_error_for_a_field_the_form_lacks_goes_on_top():
    form = PlaceForm({"description": "pothole"})
    form.is_valid()
    form.add_domain_error(OutsideCity("That place is outside Seoul.", field="location"))
    assert form.non_field_errors() == ["That place is outside Seoul."]


@pytest.mark.django_db
def test_an_unknown_address_shows_our_404_page(client):
    response = client.get("/there/is/nothing/here/")
    html = response.content.decode()
    assert response.status_code == 404
    assert "Page not found" in html
    assert 'class="site-header"' in html  # the site's own layout, not Django's bare page


@pytest.mark.django_db
def test_permission_denied_shows_our_403_page_with_the_reason(client, citizen):
    client.force_login(citizen)
    response = client.get("/moderation/comments/")
    html = response.content.decode()
    assert response.status_code == 403
    assert "Only moderators may see the moderation queue." in html
    assert 'class="site-header"' in html


def test_the_500_page_renders_without_any_context():
    html = render_to_string("500.html")
    assert "Something went wrong" in html


def test_djangos_500_view_uses_our_template(rf: RequestFactory):
    response = defaults.server_error(rf.get("/"))
    assert response.status_code == 500
    assert "Something went wrong" in response.content.decode()


@pytest.mark.django_db
def test_djangos_400_view_uses_our_template(rf: RequestFactory):
    from django.contrib.auth.models import AnonymousUser

    request = rf.get("/")
    request.user = AnonymousUser()
    response = defaults.bad_request(request, Exception("bad"))
    assert response.status_code == 400
    assert "Bad request" in response.content.decode()
