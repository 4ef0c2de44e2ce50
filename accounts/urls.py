from django.urls import path

from . import views

app_name = "accounts"

urlpatterns = [
    path("profile/", views.profile, name="profile"),
    path("language/", views.set_language, name="set_language"),
    path("my-data/", views.my_data, name="my_data"),
    path("delete/", views.delete_account, name="delete"),
    path("keep-alive/", views.keep_alive, name="keep_alive"),
]
