from django.urls import path

from supervision import views

app_name = "supervision"
urlpatterns = [
    path("<int:nominal_id>/contacts/new/", views.log_contact, name="log-contact"),
]
