"""The officials' screens of M-Voting."""

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hamkke.accounts.models import Role
from hamkke.accounts.permissions import official_required


@official_required(role=Role.VIEWER)
def index(request: HttpRequest) -> HttpResponse:
    return render(request, "polls/desk/index.html", {})
