"""The desk's Swedish opening hours and business-time arithmetic. Pure."""
