from django.urls import path

from medir.deadlines import views

app_name = "deadlines"

urlpatterns = [
    path("calendar.ics", views.calendar, name="calendar"),
]
