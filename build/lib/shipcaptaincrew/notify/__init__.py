"""Email: message composition, the outbox worker and the senders (console, SMTP, Gmail API)."""
