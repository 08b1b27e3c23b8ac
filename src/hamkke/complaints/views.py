"""Pages of the Smart Complaint Report."""

from django.shortcuts import render


def index(request):
    return render(request, "core/not_built.html")
