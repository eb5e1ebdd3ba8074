from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("export/", views.export_start, name="export"),
    path("export/<uuid:code>/", views.export_download, name="export_download"),
    path("delete/", views.delete_account, name="delete"),
]
