from django.urls import path

from . import views

app_name = "meetings"

urlpatterns = [
    path("mentorship/", views.mentorship_list, name="mentorships"),
    path("mentorship/<int:pk>/", views.mentorship, name="mentorship"),
    path("mentorship/<int:pk>/goals/new/", views.goal_edit, name="goal_add"),
    path("mentorship/<int:pk>/goals/<int:goal_id>/", views.goal_edit, name="goal_edit"),
    path("mentorship/<int:pk>/goals/<int:goal_id>/move/", views.goal_move, name="goal_move"),
    path(
        "mentorship/<int:pk>/goals/<int:goal_id>/comment/",
        views.goal_comment,
        name="goal_comment",
    ),
    path("mentorship/<int:pk>/meetings/new/", views.meeting_add, name="meeting_add"),
    path("meetings/<int:meeting_id>/", views.meeting, name="meeting"),
    path("meetings/<int:meeting_id>/calendar.ics", views.meeting_ics, name="meeting_ics"),
    path("line-manager/", views.line_manager_page, name="line_manager_page"),
    path(
        "line-manager/<int:pk>/withdraw/",
        views.line_manager_withdraw_view,
        name="line_manager_withdraw",
    ),
    path("calendar/", views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", views.feed, name="feed"),
]
