app_name = "prompts"

urlpatterns = []
