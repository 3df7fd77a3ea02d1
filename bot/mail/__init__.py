"""The mail transport: IMAP poller and its lease, SMTP ingress, raw store, compose, SMTP sender, the e-mail deliverer."""
