"""HTML routes of the Plaza's meetings, in the "plaza" namespace: the public list and pages
(views.py) and the officials' desk (desk/views.py), the desk's fixed words before a meeting's
number."""

from django.urls import path

from hamkke.plaza.meetings import views
from hamkke.plaza.meetings.desk import views as desk

urlpatterns = [
    path("", views.meetings, name="meetings"),
    path("desk/", desk.index, name="meetings-desk"),
    path("desk/new/", desk.new_meeting, name="meetings-desk-new"),
    path("desk/committees/", desk.new_committee, name="meetings-desk-committee"),
    path("desk/<int:pk>/", desk.meeting, name="meetings-desk-meeting"),
    path("desk/<int:pk>/videos/", desk.add_video, name="meetings-desk-video"),
    path(
        "desk/<int:pk>/videos/<int:clip>/remove/",
        desk.remove_video,
        name="meetings-desk-video-remove",
    ),
    path("desk/<int:pk>/minutes/", desk.minutes, name="meetings-desk-minutes"),
    path("desk/<int:pk>/held/", desk.mark_held, name="meetings-desk-held"),
    path("desk/<int:pk>/cancel/", desk.cancel, name="meetings-desk-cancel"),
    path("<int:pk>/", views.meeting, name="meeting"),
    path("<int:pk>/chapters.vtt", views.meeting_chapters, name="meeting-chapters"),
]
