"""The attendee dashboard, at the site root in the "dashboard" namespace (docs/design.md §6)."""

from django.urls import path

from dashboard import views

app_name = "dashboard"

urlpatterns = [
    path("", views.home, name="home"),
    path("login/", views.login_request, name="login"),
    path("login/sent/", views.login_sent, name="login_sent"),
    path("login/link/<str:token>/", views.login_link, name="login_link"),
    path("login/staff/", views.StaffLoginView.as_view(), name="staff_login"),
    path("logout/", views.LogoutView.as_view(), name="logout"),
    path("rounds/<int:pk>/", views.round_detail, name="round"),
    path("rounds/<int:pk>/rsvp/", views.rsvp, name="rsvp"),
    path("rounds/<int:pk>/table.ics", views.round_calendar, name="round_calendar"),
    path("rounds/<int:pk>/met/", views.met, name="met"),
    path("rounds/<int:pk>/met/<int:person>/undo/", views.met_undo, name="met_undo"),
    path("rounds/<int:pk>/met/search/", views.met_search, name="met_search"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("network/", views.network, name="network"),
    path("profile/", views.profile, name="profile"),
    path("profile/email/", views.email_change, name="email_change"),
    path("profile/email/confirm/<str:token>/", views.email_confirm, name="email_confirm"),
    path("profile/calendar/", views.calendar, name="calendar"),
    path("profile/blocks/", views.blocks, name="blocks"),
    path("profile/blocks/search/", views.block_search, name="block_search"),
    path("profile/blocks/<int:pk>/delete/", views.block_delete, name="block_delete"),
    path("profile/together/", views.together, name="together"),
    path("profile/together/search/", views.together_search, name="together_search"),
    path("profile/together/<int:pk>/withdraw/", views.together_withdraw, name="together_withdraw"),
    path("profile/data/", views.my_data, name="data"),
    path("profile/data/export.json", views.export, name="export"),
    path("profile/data/sign-out/", views.sign_out_everywhere, name="sign_out_everywhere"),
    path("profile/delete/", views.delete_account, name="delete"),
]
