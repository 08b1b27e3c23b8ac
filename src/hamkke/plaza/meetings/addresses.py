"""Where the documents a meeting names are read: the Plaza's document page when the site routes
one ("plaza:document"), else the document as an OParl paper, which every public paper of a
public meeting is."""

from __future__ import annotations

from django.urls import NoReverseMatch, reverse

from hamkke.plaza.models import Document


def document_url(document: Document) -> str:
    try:
        return reverse("plaza:document", args=[document.pk])
    except NoReverseMatch:
        return reverse("oparl:paper", args=[document.pk])
