from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("manage/programs/<slug:slug>/matching/", views.review, name="review"),
    path("manage/programs/<slug:slug>/matching/status/", views.run_status, name="run_status"),
    *(
        path(f"manage/programs/<slug:slug>/matching/{name}/", getattr(views, name), name=name)
        for name in views.REVIEW_ACTIONS
    ),
    path("matches/<int:pk>/new-match/", views.rematch, name="rematch"),
    path("matches/<int:pk>/check/", views.pulse, name="pulse"),
    path("programs/<slug:slug>/preferences/", views.preferences, name="preferences"),
    path(
        "line-manager/proposal/<str:token>/",
        views.line_manager_match,
        name="line_manager_match",
    ),
]
