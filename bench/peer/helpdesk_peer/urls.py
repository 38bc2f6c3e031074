from django.http import JsonResponse
from django.urls import include, path


def health(request):
    """The bare endpoint: Django's full middleware stack, no database, no auth (the peer's ceiling)."""
    return JsonResponse({"status": "ok"})


urlpatterns = [
    path("health", health),
    path("helpdesk/", include("helpdesk.urls", namespace="helpdesk")),
]
