from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "medir.accounts"
    verbose_name = "Accounts"

    def ready(self) -> None:
        # Connects the lock-out receiver.
        from medir.accounts import signals  # noqa: F401
