"""Settings package: base (shared), dev, test and production; DJANGO_SETTINGS_MODULE picks one."""
