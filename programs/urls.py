from django.urls import path

from . import views

app_name = "programs"

urlpatterns = [
    path("", views.program_list, name="list"),
    path("programs/<slug:slug>/", views.program_detail, name="detail"),
    path("programs/<slug:slug>/privacy/", views.privacy, name="privacy"),
    path("programs/<slug:slug>/apply/<str:role>/", views.apply, name="apply"),
    path("applications/", views.my_applications, name="my_applications"),
    path("applications/<int:pk>/", views.application_detail, name="application"),
    path(
        "applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("mentor-bank/", views.mentor_bank, name="mentor_bank"),
    path("mentor-bank/leave/<str:token>/", views.mentor_bank_leave, name="mentor_bank_leave"),
    path("line-manager/<str:token>/", views.line_manager, name="line_manager"),
]
