"""The officials' screens of the Plaza."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required


@official_required(role=Role.VIEWER)
def desk(request: HttpRequest) -> HttpResponse:
    return render(request, "plaza/desk/index.html", {})
