"""HTML routes of the Plaza: documents and search (views.py), their feeds and sitemap
(feeds.py), meetings, open data, disclosure requests, and the officials' desk."""

from django.urls import include, path

from hamkke.plaza import feeds, views

app_name = "plaza"
urlpatterns = [
    path("", views.index, name="index"),
    path("search/", views.search, name="search"),
    path("documents/<int:pk>/", views.document, name="document"),
    path("attachments/<int:pk>/", views.attachment, name="attachment"),
    path("attachments/<int:pk>/download/", views.attachment_download, name="attachment-download"),
    path("categories/<slug:code>/", views.category, name="category"),
    path("departments/<slug:code>/", views.department, name="department"),
    path("feed/", feeds.DocumentsFeed(), name="feed"),
    path("feed/atom/", feeds.DocumentsAtomFeed(), name="feed-atom"),
    path("categories/<slug:code>/feed/", feeds.CategoryFeed(), name="category-feed"),
    path("categories/<slug:code>/feed/atom/", feeds.CategoryAtomFeed(), name="category-feed-atom"),
    path("departments/<slug:code>/feed/", feeds.DepartmentFeed(), name="department-feed"),
    path(
        "departments/<slug:code>/feed/atom/",
        feeds.DepartmentAtomFeed(),
        name="department-feed-atom",
    ),
    path("sitemap.xml", views.sitemap, name="sitemap"),
    path("sitemap-<slug:section>.xml", views.sitemap_section, name="sitemap-section"),
    path("desk/", include("hamkke.plaza.desk.urls")),
    path("meetings/", include("hamkke.plaza.meetings.urls")),
    path("data/", include("hamkke.plaza.opendata.urls")),
    path("requests/", include("hamkke.plaza.disclosure.urls")),
]
