"""The customer portal's webhook: signed case registrations become tickets."""
