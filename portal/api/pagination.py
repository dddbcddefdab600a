from rest_framework.pagination import CursorPagination


class PortalCursorPagination(CursorPagination):
    """Cursor pagination on a stable order: no COUNT(*), no skipped or repeated rows while data changes."""

    ordering = "pk"
    page_size = 100
    page_size_query_param = "page_size"
    max_page_size = 500
