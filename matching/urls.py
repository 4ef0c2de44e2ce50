from django.urls import path

from . import views

app_name = "matching"

urlpatterns = [
    path("manage/programs/<slug:slug>/matching/", views.review, name="review"),
    path("matches/<int:pk>/new-match/", views.rematch, name="rematch"),
]
