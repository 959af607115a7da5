"""Routers, one per area. Every router here except health requires a signed-in crew member."""
