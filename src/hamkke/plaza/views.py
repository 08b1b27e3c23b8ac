"""The public pages of the Plaza's documents: home, search, a document, its files, feeds."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from hamkke.plaza import selectors


def index(request: HttpRequest) -> HttpResponse:
    return render(request, "plaza/index.html", {"documents": selectors.newest(20)})
