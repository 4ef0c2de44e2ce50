from django.urls import path

from . import views

app_name = "evaluations"

urlpatterns = [
    path("evaluations/", views.survey_list, name="list"),
    path("evaluations/<int:pk>/", views.answer, name="answer"),
    path("manage/evaluations/<int:pk>/", views.results, name="results"),
    path(
        "manage/evaluations/<int:pk>/results.csv",
        views.results_export,
        {"kind": "csv"},
        name="results_csv",
    ),
    path(
        "manage/evaluations/<int:pk>/results.xlsx",
        views.results_export,
        {"kind": "xlsx"},
        name="results_xlsx",
    ),
    path("manage/programs/<slug:slug>/dashboard/", views.dashboard, name="dashboard"),
]
