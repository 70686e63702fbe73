"""Nothing of retention review is registered in the admin: decisions are about people's records, and
the admin gives no access to case records (iom/core/admin.py). Managers see them on the retention
pages; the audit trail holds each one."""
