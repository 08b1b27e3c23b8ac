"""What readers and crawlers harvest from the Plaza: RSS 2.0 and Atom feeds of the newest public
documents (all, a category's, a department's), summaries only, and the sitemap of every public
document. Both start from selectors.public_documents, like every public surface."""

from __future__ import annotations

from django.contrib.sitemaps import Sitemap
from django.contrib.syndication.views import Feed
from django.http import HttpRequest
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed, Rss201rev2Feed
from django.utils.translation import gettext as _

from hamkke.core.city.selectors import current_city
from hamkke.core.web import responses
from hamkke.plaza import selectors
from hamkke.plaza.models import Category, Document

FEED_ITEMS = 50


class DocumentsFeed(Feed):
    """The newest public documents of the whole Plaza (RSS 2.0)."""

    feed_type = Rss201rev2Feed

    def __call__(self, request: HttpRequest, *args, **kwargs):
        response = super().__call__(request, *args, **kwargs)
        response["X-Content-Type-Options"] = "nosniff"
        return response

    def get_object(self, request: HttpRequest, code: str = ""):
        return None

    def name(self, obj) -> str:
        return _("Information Communication Plaza")

    def title(self, obj) -> str:
        return f"{self.name(obj)} · {current_city().display_name}"

    def link(self, obj) -> str:
        return reverse("plaza:index")

    def description(self, obj) -> str:
        return _("The newest documents the city has published.")

    def subtitle(self, obj) -> str:
        return self.description(obj)

    def items(self, obj) -> list[Document]:
        return selectors.feed_documents(limit=FEED_ITEMS)

    def item_title(self, item: Document) -> str:
        return item.title

    def item_description(self, item: Document) -> str:
        return item.summary

    def item_link(self, item: Document) -> str:
        return item.get_absolute_url()

    def item_pubdate(self, item: Document):
        return item.published_at

    def item_updateddate(self, item: Document):
        return item.updated_at

    def item_author_name(self, item: Document) -> str:
        return item.department.display_name

    def item_categories(self, item: Document) -> list[str]:
        return [item.category.display_name] if item.category else []


class DocumentsAtomFeed(DocumentsFeed):
    feed_type = Atom1Feed


class CategoryFeed(DocumentsFeed):
    """A category's newest public documents (a theme's include its topics')."""

    def get_object(self, request: HttpRequest, code: str = "") -> Category:
        return responses.found_or_404(selectors.category_by_code, code)

    def title(self, obj: Category) -> str:
        return f"{obj.display_name} · {super().title(obj)}"

    def link(self, obj: Category) -> str:
        return reverse("plaza:category", args=[obj.code])

    def description(self, obj: Category) -> str:
        return _("The newest documents in %(category)s.") % {"category": obj.display_name}

    def items(self, obj: Category) -> list[Document]:
        return selectors.feed_documents(category=obj, limit=FEED_ITEMS)


class CategoryAtomFeed(CategoryFeed):
    feed_type = Atom1Feed


class DepartmentFeed(DocumentsFeed):
    """A department's newest public documents."""

    def get_object(self, request: HttpRequest, code: str = ""):
        return responses.found_or_404(selectors.department_by_code, code)

    def title(self, obj) -> str:
        return f"{obj.display_name} · {super().title(obj)}"

    def link(self, obj) -> str:
        return reverse("plaza:department", args=[obj.code])

    def description(self, obj) -> str:
        return _("The newest documents of %(department)s.") % {"department": obj.display_name}

    def items(self, obj) -> list[Document]:
        return selectors.feed_documents(department=obj, limit=FEED_ITEMS)


class DepartmentAtomFeed(DepartmentFeed):
    feed_type = Atom1Feed


class DocumentSitemap(Sitemap):
    """Every public document; more than 50,000 are split into pages (?p=2 …)."""

    limit = 50_000
    changefreq = "monthly"

    def items(self):
        return selectors.sitemap_documents()

    def location(self, item: Document) -> str:
        return item.get_absolute_url()

    def lastmod(self, item: Document):
        return item.updated_at


SITEMAPS = {"documents": DocumentSitemap}
