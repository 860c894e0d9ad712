"""`WS /ws/transform/<job_id>`: the first mobile client's socket (issue 13).

DesignConsumer's own connect, snapshot and group stream (so the same caps and checks apply), with every
outgoing event turned into this client's one message shape and nothing else on the wire: no pong, no
other types. Events older than what the client already has (the snapshot is read after joining the group,
so an event can arrive twice) are dropped here, since this shape has no `seq` for the client to do it.
"""
from __future__ import annotations

from designs.compat import job_message
from designs.consumers import DesignConsumer
from designs.links import is_link_design
from designs.models import FINISHED


class TransformConsumer(DesignConsumer):
    last_seq = -1

    def may_look(self, requester) -> bool:
        return True  # a job id alone may open a link design

    def may_follow(self, requester, design) -> bool:
        return super().may_follow(requester, design) or is_link_design(design)

    async def receive_json(self, content, **kwargs) -> None:
        return  # this client sends nothing we answer

    async def send_json(self, content, close=False) -> None:
        message = job_message(content)
        seq = content.get("seq")
        if message is None or (seq is not None and seq <= self.last_seq):
            return
        self.last_seq = seq if seq is not None else self.last_seq
        # A finished job has nothing more to say: close (1000) rather than leave the socket idle.
        await super().send_json(message, close=close or message["status"] in FINISHED)
