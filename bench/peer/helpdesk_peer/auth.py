from rest_framework.authentication import TokenAuthentication


class BearerTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, read from ``Authorization: Bearer <key>`` (what bench/loadclient sends)."""

    keyword = "Bearer"
