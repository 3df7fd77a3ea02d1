"""The first-response SLA: status, alert levels, report figures. Pure."""
