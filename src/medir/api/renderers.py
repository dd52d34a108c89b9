import datetime as dt
from typing import Any

from ninja.renderers import JSONRenderer
from ninja.responses import NinjaJSONEncoder


class Encoder(NinjaJSONEncoder):
    def default(self, o: Any) -> Any:
        # Django's encoder cuts microseconds and writes UTC as "Z"; the
        # full ISO form with "+00:00" reads the same as the "+09:00" of
        # the *_local fields.
        if isinstance(o, dt.datetime):
            return o.isoformat()
        return super().default(o)


class UnicodeJSONRenderer(JSONRenderer):
    """JSON with Japanese as UTF-8 rather than \\u escapes: readable in
    logs and curl output, and a third the size."""

    encoder_class = Encoder
    json_dumps_params = {"ensure_ascii": False}
