"""The ticket form listens to its own pay-now state: the web client subscribes to
``rsb_pay_now:<ticket id>``, granted to an internal user who may read that ticket (the channel
is then the ticket itself, as Odoo's bus channels of records)."""

import re

from odoo import models

PAY_NOW_CHANNEL = re.compile(r"rsb_pay_now:(\d+)$")


class IrWebsocket(models.AbstractModel):
    _inherit = "ir.websocket"

    def _build_bus_channel_list(self, channels):
        channels = list(channels)  # the caller's list stays as it was
        channels.extend(self._rsb_pay_now_channels(channels))
        return super()._build_bus_channel_list(channels)

    def _rsb_pay_now_channels(self, channels):
        """The tickets of the ``rsb_pay_now:<id>`` channels asked that the user may read
        (internal users only): the bus channels of their pay-now state."""
        if not self.env.uid or not self.env.user._is_internal():
            return []
        ids = [
            int(match[1])
            for channel in channels
            if isinstance(channel, str) and (match := PAY_NOW_CHANNEL.match(channel))
        ]
        if not ids:
            return []
        return list(self.env["helpdesk.ticket"].browse(ids).exists()._filtered_access("read"))
