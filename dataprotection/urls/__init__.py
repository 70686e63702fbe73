"""Each duty keeps its own URL list (audit, retention, subject access); the namespace is one."""

from dataprotection.urls import audit, retention, subject_access

app_name = "dataprotection"
urlpatterns = [*audit.urlpatterns, *retention.urlpatterns, *subject_access.urlpatterns]
