from django.apps import AppConfig


class ServerConfig(AppConfig):
    name = "medir.server"
    verbose_name = "Server"
