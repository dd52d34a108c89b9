from django.conf import settings
from django.utils import translation


class JapaneseFirstLocaleMiddleware:
    """Show Japanese unless the person chose English with the toggle.

    Django's LocaleMiddleware would follow the browser's Accept-Language,
    and a ward PC set up in English would then show English to staff who
    expect the Japanese screens they trained on.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.available = {code for code, _name in settings.LANGUAGES}

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in self.available else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = language
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        patch = response.headers.get("Vary", "")
        if "Cookie" not in patch:
            response.headers["Vary"] = f"{patch}, Cookie" if patch else "Cookie"
        translation.deactivate()
        return response
