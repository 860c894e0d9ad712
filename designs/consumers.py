"""Live progress over WebSocket: a snapshot on connect, then the design's events, owner only."""
from __future__ import annotations

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from accounts.requester import Requester, requester_from_scope
from designs.models import Design
from designs.progress import group_name
from designs.state import design_state

NOT_FOUND = 4404  # the same close for a missing design and for someone else's


class DesignConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self) -> None:
        self.design_id = self.scope["url_route"]["kwargs"]["design_id"]
        snapshot = await self._snapshot_if_owner()
        if snapshot is None:
            # Accept first: a close before accepting reaches the client only as an HTTP 403 on the handshake.
            await self.accept()
            await self.close(code=NOT_FOUND)
            return
        self.group = group_name(self.design_id)
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        # Read the state again after joining the group, so no event falls between snapshot and stream.
        await self.send_json({"type": "snapshot", **(await self._snapshot_if_owner() or snapshot)})

    async def disconnect(self, code: int) -> None:
        if hasattr(self, "group"):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs) -> None:
        if content.get("type") == "ping":
            await self.send_json({"type": "pong"})

    async def design_event(self, message: dict) -> None:
        await self.send_json(message["event"])

    async def _snapshot_if_owner(self) -> dict | None:
        requester = requester_from_scope(self.scope)
        if not self.may_look(requester):
            return None  # owns nothing: no need to ask the database (a bogus token lands here)
        return await self._snapshot_for(requester)

    @database_sync_to_async
    def _snapshot_for(self, requester: Requester) -> dict | None:
        design = Design.objects.prefetch_related("results").filter(pk=self.design_id).first()
        if design is None or not self.may_follow(requester, design):
            return None
        return design_state(design)

    def may_look(self, requester: Requester) -> bool:
        return requester.user is not None or bool(requester.guest_key)

    def may_follow(self, requester: Requester, design: Design) -> bool:
        return requester.owns(design)

