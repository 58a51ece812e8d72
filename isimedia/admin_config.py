"""The admin app with the portal's own site (isimedia/admin_site.py): two-factor sign-in for every staff member.

In a module of its own: Django takes the one AppConfig of ``isimedia.apps`` as the portal app's default.
"""

from django.contrib.admin.apps import AdminConfig


class PortalAdminConfig(AdminConfig):
    default_site = "isimedia.admin_site.PortalAdminSite"
