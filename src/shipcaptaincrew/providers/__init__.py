"""Payment providers (Stripe, PayPal) behind the ``PaymentProvider`` Protocol in base.py."""
