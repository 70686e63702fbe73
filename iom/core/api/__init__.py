"""What every app's `api.py` shares: token authentication, problem-details errors, ETag and
If-Match, throttles, pagination, sparse fields and the schema's error responses.

Apps build their endpoints on `viewsets.ApiViewSet`; see docs/decisions/0010-rest-api.md.
"""
