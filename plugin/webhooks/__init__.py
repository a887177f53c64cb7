"""Inbound webhooks: one blueprint per vendor; they verify, normalize, dedupe and enqueue."""
