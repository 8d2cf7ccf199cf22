"""The console's account roles (apart from auth.py so that `careline users` can offer them
without importing the web stack)."""

ADMIN, HOTLINE, SUPERVISOR = "admin", "hotline", "supervisor"
ROLES = (ADMIN, HOTLINE, SUPERVISOR)
