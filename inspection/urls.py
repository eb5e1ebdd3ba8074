from django.urls import path

from inspection import views

app_name = "inspection"

urlpatterns = [path("", views.inspect_photo, name="inspect")]
