"""Personal pages under /me/: profile, identity verification, personal data; and officials'
pages: a department's members, the census upload, the second-factor explanation."""

from django.urls import path

from hamkke.accounts import views

app_name = "accounts"
urlpatterns = [
    path("", views.profile, name="profile"),
    path("verify/phone/", views.verify_phone, name="verify-phone"),
    path("verify/phone/confirm/", views.verify_phone_confirm, name="verify-phone-confirm"),
    path("verify/census/", views.verify_census, name="verify-census"),
    path("data/", views.personal_data, name="personal-data"),
    path("data/download/", views.personal_data_download, name="personal-data-download"),
    path("delete/", views.delete_account, name="delete-account"),
    path("second-factor/", views.second_factor, name="second-factor"),
    path("census/", views.census_upload, name="census-upload"),
    path(
        "departments/<slug:code>/members/",
        views.department_members,
        name="department-members",
    ),
    path(
        "departments/<slug:code>/members/<int:member_id>/role/",
        views.department_member_role,
        name="department-member-role",
    ),
    path(
        "departments/<slug:code>/members/<int:member_id>/remove/",
        views.department_member_remove,
        name="department-member-remove",
    ),
]
