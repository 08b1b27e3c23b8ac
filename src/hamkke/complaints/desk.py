"""The officials' desk: department queues, the report workflow, moderation and statistics."""

from django.shortcuts import render


def queue(request):
    return render(request, "core/not_built.html")
