"""gunicorn settings for the Procfile's web process (`-c gunicorn.conf.py`); bind and workers come from its command."""

# The access log prints every request line and referrer; this logger redacts secret link tokens from them.
logger_class = "isimedia.logging.GunicornLogger"
