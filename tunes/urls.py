from django.urls import path

from tunes import views

app_name = "tunes"

urlpatterns = [
    path("", views.tune_list, name="list"),
    path("new/", views.tune_create, name="create"),
    path("<uuid:code>/", views.tune_detail, name="detail"),
    path("<uuid:code>/status/", views.tune_status, name="status"),
    path("<uuid:code>/photos/<uuid:photo_code>/", views.tune_photo, name="photo"),
    path("<uuid:code>/delete/", views.tune_delete, name="delete"),
    path("<uuid:code>/train-again/", views.tune_retry, name="retry"),
]
