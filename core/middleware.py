"""A base for our middleware that only does something before and after the rest of the request."""
from __future__ import annotations

from asgiref.sync import iscoroutinefunction, markcoroutinefunction


class AroundMiddleware:
    """Calls before(), then the rest of the chain, then after(), and end() last even if the chain raised.

    Under ASGI the middleware must itself be a coroutine function, or Django runs each request through it in a
    thread; this takes whichever shape the chain below has, so subclasses write only the plain hooks.
    """

    sync_capable = True
    async_capable = True

    def __init__(self, get_response) -> None:
        self.get_response = get_response
        self.is_async = iscoroutinefunction(get_response)
        if self.is_async:
            markcoroutinefunction(self)

    def __call__(self, request):
        if self.is_async:
            return self._acall(request)
        state = self.before(request)
        try:
            return self.after(request, self.get_response(request), state)
        finally:
            self.end(state)

    async def _acall(self, request):
        state = self.before(request)
        try:
            return self.after(request, await self.get_response(request), state)
        finally:
            self.end(state)

    def before(self, request):
        """Runs first; what it returns is passed to after() and end()."""

    def after(self, request, response, state):
        return response

    def end(self, state) -> None:
        pass
