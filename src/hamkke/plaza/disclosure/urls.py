"""HTML routes of the Plaza's disclosure requests (under /plaza/requests/, names in `plaza:`):
the public list and pages, filing, the requester's own, and the officials' desk."""

from django.urls import path, re_path

from hamkke.plaza.disclosure import desk, views

# A request's code: Crockford base32 as typed (lowercase and the letters people mistake for
# digits are read by codes.normalise); other paths ("new", "mine", "desk") never match it.
CODE = r"(?P<code>[0-9A-Za-z]{8})"

urlpatterns = [
    path("", views.index, name="requests"),
    path("new/", views.new, name="request-new"),
    path("mine/", views.mine, name="my-requests"),
    path("desk/", desk.queue, name="requests-desk"),
    re_path(rf"^desk/{CODE}/$", desk.detail, name="requests-desk-request"),
    re_path(rf"^desk/{CODE}/answer/$", desk.answer, name="requests-desk-answer"),
    re_path(rf"^desk/{CODE}/extend/$", desk.extend, name="requests-desk-extend"),
    re_path(rf"^desk/{CODE}/publish/$", desk.publish, name="requests-desk-publish"),
    re_path(rf"^{CODE}/$", views.detail, name="request"),
    re_path(rf"^{CODE}/withdraw/$", views.withdraw, name="request-withdraw"),
]
