"""Storage adapters behind the Store protocol in base.py."""
