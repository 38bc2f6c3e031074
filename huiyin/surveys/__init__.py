"""Satisfaction: ratings of contacts (the instant rating after a call or an order), and the figures."""
