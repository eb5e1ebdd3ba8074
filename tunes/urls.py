from django.urls import path

from tunes import views

app_name = "tunes"

urlpatterns = [
    path("", views.tune_list, name="list"),
]
